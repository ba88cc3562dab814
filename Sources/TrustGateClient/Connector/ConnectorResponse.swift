public import NIOHTTP1

/// The API's answer: status, headers and body, whatever the status. `outcome` sorts it; `requireSuccess()`
/// turns anything but 2xx into a `ConnectorError`.
public struct ConnectorResponse: Sendable {
    public enum Outcome: Sendable, Hashable {
        case success
        /// 401 or 403, with the server's reason.
        case authenticationRefused(AuthenticationRefusal)
        /// Any other status outside 2xx (3xx included: connectors do not follow redirects).
        case httpError
    }

    public let status: Int
    public let headers: HTTPHeaders
    public let body: [UInt8]
    /// Attempts it took, retries included.
    public let attempts: Int
    /// Whether the token was refreshed after the API called the first one invalid.
    public let refreshedToken: Bool

    public init(status: Int, headers: HTTPHeaders, body: [UInt8], attempts: Int, refreshedToken: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.attempts = attempts
        self.refreshedToken = refreshedToken
    }

    public var outcome: Outcome {
        switch status {
        case 200..<300: return .success
        case 401, 403: return .authenticationRefused(AuthenticationRefusal.read(status: status, headers: headers, body: body))
        default: return .httpError
        }
    }

    /// The body as UTF-8 text, when it is.
    public var bodyText: String? { String(validating: body, as: UTF8.self) }

    @discardableResult
    public func requireSuccess() throws(ConnectorError) -> ConnectorResponse {
        switch outcome {
        case .success: return self
        case .authenticationRefused(let refusal): throw .authenticationRefused(refusal)
        case .httpError: throw .httpStatus(status)
        }
    }
}
