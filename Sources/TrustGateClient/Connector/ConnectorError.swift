/// Why a call failed, sorted the way a caller acts on it (and `trustgate call` sets its exit code).
public struct ConnectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// The configuration or a key it names cannot be used: a missing or undecryptable key, an unreadable
        /// certificate, credentials over plain http (exit 2).
        public static let configuration = Code(description: "configuration")

        /// The call's claims cannot be sent as configured (exit 2).
        public static let invalidClaims = Code(description: "invalidClaims")

        /// No HTTP response (exit 3).
        public static let transport = Code(description: "transport")

        /// No access token for the bearer authentication (exit 4 when the token endpoint refused, 3 when it could
        /// not be reached, 1 otherwise).
        public static let tokenAcquisition = Code(description: "tokenAcquisition")

        /// 401 / 403 from the API, from `ConnectorResponse.requireSuccess()` (exit 4).
        public static let authenticationRefused = Code(description: "authenticationRefused")

        /// Any other status outside 2xx, from `requireSuccess()` (exit 5).
        public static let httpStatus = Code(description: "httpStatus")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    /// Why there was no HTTP response, for ``Code/transport``.
    public private(set) var transportFailure: TransportFailure?
    /// Why no access token could be had, for ``Code/tokenAcquisition`` (a caller's exit code depends on it).
    public private(set) var tokenAcquisitionError: TokenAcquisitionError?
    /// The API's 401 / 403, for ``Code/authenticationRefused``.
    public private(set) var authenticationRefusal: AuthenticationRefusal?
    /// The API's status, for ``Code/httpStatus``.
    public private(set) var status: Int?

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func configuration(_ message: String) -> Self {
        Self(code: .configuration, message: message)
    }

    public static func invalidClaims(_ message: String) -> Self {
        Self(code: .invalidClaims, message: "claims: \(message)")
    }

    public static func transport(_ failure: TransportFailure) -> Self {
        var error = Self(code: .transport, message: failure.description)
        error.transportFailure = failure
        return error
    }

    public static func tokenAcquisition(_ error: TokenAcquisitionError) -> Self {
        var connectorError = Self(code: .tokenAcquisition, message: error.description)
        connectorError.tokenAcquisitionError = error
        return connectorError
    }

    public static func authenticationRefused(_ refusal: AuthenticationRefusal) -> Self {
        var error = Self(code: .authenticationRefused, message: "authentication refused (\(refusal))")
        error.authenticationRefusal = refusal
        return error
    }

    public static func httpStatus(_ status: Int) -> Self {
        var error = Self(code: .httpStatus, message: "the API answered \(status)")
        error.status = status
        return error
    }
}

extension ConnectorConfigurationError {
    var connectorError: ConnectorError { .configuration(description) }
}
