import NIOHTTP1
import TrustGateJOSE

/// Why the server refused the connector's credentials (401 or 403), in the server's words: TrustGate's
/// problem+json `reason` and `detail`, an OAuth error body's `error` and `error_description`, or the `error` and
/// `error_description` of a `WWW-Authenticate` challenge (RFC 6750 §3), whichever the answer carries.
public struct AuthenticationRefusal: Sendable, Hashable, CustomStringConvertible {
    public let status: Int
    /// A machine-readable code: `invalid_credentials`, `no_certificate`, `invalid_token`, …
    public let reason: String?
    /// The server's explanation, for people.
    public let detail: String?
    /// The `WWW-Authenticate` values, as sent.
    public let challenges: [String]

    public init(status: Int, reason: String?, detail: String?, challenges: [String]) {
        self.status = status
        self.reason = reason
        self.detail = detail
        self.challenges = challenges
    }

    /// A Bearer challenge saying the token is invalid or expired (RFC 6750 §3.1): the one refusal that a fresh
    /// token can cure.
    public var isInvalidToken: Bool {
        status == 401 && challenges.flatMap(AuthenticationChallengeParser.parse).contains {
            $0.scheme.lowercased() == "bearer" && $0.parameter("error") == "invalid_token"
        }
    }

    public var description: String {
        var text = "\(status)"
        if let reason { text += " \(reason)" }
        if let detail { text += ": \(detail)" }
        return text
    }

    /// Reads the refusal from a 401 / 403 response.
    static func read(status: Int, headers: HTTPHeaders, body: [UInt8]) -> AuthenticationRefusal {
        let challenges = headers["WWW-Authenticate"]
        var reason: String?
        var detail: String?
        if let object = try? StrictJSONParser.parseObject(body) {
            reason = object["reason"]?.stringValue ?? object["error"]?.stringValue
            detail = object["detail"]?.stringValue ?? object["error_description"]?.stringValue ?? object["title"]?.stringValue
        }
        if reason == nil || detail == nil {
            for challenge in challenges.flatMap(AuthenticationChallengeParser.parse) {
                if reason == nil, let error = challenge.parameter("error") { reason = error }
                if detail == nil, let description = challenge.parameter("error_description") { detail = description }
            }
        }
        return AuthenticationRefusal(
            status: status, reason: reason.map(ServerText.sanitized), detail: detail.map(ServerText.sanitized), challenges: challenges)
    }
}

/// Text a server sent, made safe to print on a terminal: control characters (escape sequences, line breaks a
/// log reader would trust) become spaces, and length is bounded.
enum ServerText {
    static let maximumLength = 500

    static func sanitized(_ text: String) -> String {
        var output = String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format ? " " : scalar
        }))
        if output.count > maximumLength { output = String(output.prefix(maximumLength)) + "…" }
        return output
    }
}
