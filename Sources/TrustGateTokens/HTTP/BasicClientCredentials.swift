import Foundation

/// `Authorization: Basic …` as RFC 6749 §2.3.1 defines it for clients: the client id and the secret are each
/// form-urlencoded *before* being joined with `:` and base64-encoded, so both are decoded again here (a `:` or
/// `%` in a secret arrives as `%3A` / `%25`). Clients that skip the encoding still work unless their secret
/// contains `%` or `+`.
struct BasicClientCredentials: Sendable {
    let clientID: String
    let secret: String

    enum ParseOutcome {
        /// The header names another scheme (`Bearer …`).
        case otherScheme
        /// `Basic` with a value that does not decode to `id:secret`.
        case malformed
        case credentials(BasicClientCredentials)
    }

    static func parse(_ header: String) -> ParseOutcome {
        let trimmed = header.drop { $0 == " " || $0 == "\t" }
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
            return trimmed.lowercased() == "basic" ? .malformed : .otherScheme
        }
        guard trimmed[..<space].lowercased() == "basic" else { return .otherScheme }
        var token = String(trimmed[space...].trimmingCharacters(in: .whitespaces))
        guard !token.isEmpty, token.count <= 8192 else { return .malformed }
        // Some clients omit the padding; add it rather than refuse (the alphabet check below still applies).
        while token.count % 4 != 0 { token.append("=") }
        guard let decoded = Data(base64Encoded: token), let text = String(data: decoded, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { return .malformed }
        guard let clientID = try? FormParameters.decode(Array(text[..<colon].utf8)),
            let secret = try? FormParameters.decode(Array(text[text.index(after: colon)...].utf8)),
            !clientID.isEmpty
        else { return .malformed }
        return .credentials(BasicClientCredentials(clientID: clientID, secret: secret))
    }
}
