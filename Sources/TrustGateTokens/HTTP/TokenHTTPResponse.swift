import TrustGateJOSE

/// What the token service answers: status, headers and a JSON body, for any HTTP server to write out.
public struct TokenHTTPResponse: Sendable {
    public var status: Int
    /// Header names as they should be sent; values never contain CR or LF.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Why a token request was refused, for the operator's log: what the client is not told in detail
    /// (an `invalid_client` looks the same from outside whatever failed). nil: not a refused token request.
    public var refusal: TokenRefusal?
    /// The client a token was issued to and how it authenticated (`private_key_jwt`, `tls_client_auth` …), for
    /// the operator's counters. nil: not an issued token.
    public var issuance: (clientID: String, method: String)?

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header (case-insensitive name).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// RFC 6749 §5.1: token responses and errors are never cached.
    static let noStore: [(name: String, value: String)] = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]

    /// A JSON body with the token endpoint's no-store headers.
    static func json(status: Int, _ object: JSONObject, extraHeaders: [(name: String, value: String)] = []) -> TokenHTTPResponse {
        TokenHTTPResponse(
            status: status,
            headers: [("Content-Type", "application/json;charset=UTF-8")] + noStore + extraHeaders,
            body: Array(JSONTextEncoder.encode(object: object).utf8))
    }

    /// A public JSON document (discovery, JWKS) that caches may keep for `maxAge` seconds.
    static func publicJSON(_ body: [UInt8], maxAge: Int) -> TokenHTTPResponse {
        TokenHTTPResponse(
            status: 200,
            headers: [("Content-Type", "application/json;charset=UTF-8"), ("Cache-Control", "public, max-age=\(max(0, maxAge))")],
            body: body)
    }
}

/// A refused token request as the operator sees it: the client it claimed to be, the RFC 6749 error it was
/// sent, and the precise internal reason (a stable code, never a secret or an assertion's content).
public struct TokenRefusal: Sendable, Equatable {
    public let clientID: String?
    public let error: String
    public let reason: String

    public init(clientID: String?, error: String, reason: String) {
        self.clientID = clientID
        self.error = error
        self.reason = reason
    }
}
