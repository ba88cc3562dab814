/// Why a call failed, sorted the way a caller acts on it (and `trustgate call` sets its exit code).
public enum ConnectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration or a key it names cannot be used: a missing or undecryptable key, an unreadable
    /// certificate, credentials over plain http (exit 2).
    case configuration(String)
    /// The call's claims cannot be sent as configured (exit 2).
    case invalidClaims(String)
    /// No HTTP response (exit 3).
    case transport(TransportFailure)
    /// No access token for the bearer authentication (exit 4 when the token endpoint refused, 3 when it could
    /// not be reached, 1 otherwise).
    case tokenAcquisition(TokenAcquisitionError)
    /// 401 / 403 from the API, from `ConnectorResponse.requireSuccess()` (exit 4).
    case authenticationRefused(AuthenticationRefusal)
    /// Any other status outside 2xx, from `requireSuccess()` (exit 5).
    case httpStatus(Int)

    public var description: String {
        switch self {
        case .configuration(let message): return message
        case .invalidClaims(let message): return "claims: \(message)"
        case .transport(let failure): return failure.description
        case .tokenAcquisition(let error): return error.description
        case .authenticationRefused(let refusal): return "authentication refused (\(refusal))"
        case .httpStatus(let status): return "the API answered \(status)"
        }
    }
}

extension ConnectorConfigurationError {
    var connectorError: ConnectorError { .configuration(description) }
}
