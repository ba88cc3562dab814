/// A JWS in compact serialization (RFC 7515 §7.1), parsed but not yet verified.
///
/// Exactly three dot-separated parts, each strict base64url; the header a JSON object without duplicate names.
/// The JSON serialization, JWE (five parts) and unsigned tokens all fail here.
public struct CompactJWS: Sendable {
    /// 64 KiB, the same cap MSAL uses for a token (OAUTH-CHECKLIST TE-8); larger input is refused unread.
    public static let defaultMaximumLength = 65_536

    public let header: JWSHeader
    /// The payload bytes exactly as signed.
    public let payload: [UInt8]
    public let signature: [UInt8]
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`: the bytes the signature covers.
    public let signingInput: [UInt8]

    public init(
        parsing token: some StringProtocol,
        options: JWSHeaderParsingOptions = JWSHeaderParsingOptions(),
        maximumLength: Int = CompactJWS.defaultMaximumLength
    ) throws(JWSError) {
        let bytes = Array(token.utf8)
        guard !bytes.isEmpty else { throw .malformed("empty token") }
        guard bytes.count <= maximumLength else { throw .malformed("token longer than \(maximumLength) bytes") }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("expected 3 dot-separated parts, found \(parts.count)") }
        guard !parts[0].isEmpty else { throw .malformed("empty header") }
        guard !parts[2].isEmpty else { throw .malformed("empty signature") }

        guard let headerBytes = Base64URL.decode(utf8: parts[0]) else { throw .malformed("header is not base64url") }
        guard let payload = Base64URL.decode(utf8: parts[1]) else { throw .malformed("payload is not base64url") }
        guard let signature = Base64URL.decode(utf8: parts[2]) else { throw .malformed("signature is not base64url") }

        let parsed: JSONObject?
        do {
            parsed = try StrictJSONParser.parseObject(headerBytes)
        } catch {
            throw .malformed("header: \(error)")
        }
        guard let headerObject = parsed else { throw .malformed("header is not a JSON object") }

        self.header = try JWSHeader(parsing: headerObject, options: options)
        self.payload = payload
        self.signature = signature
        self.signingInput = Array(bytes[..<parts[1].endIndex])
    }
}
