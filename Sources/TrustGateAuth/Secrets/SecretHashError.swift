/// Why a stored secret hash was refused. Messages describe the string's shape or cost, never its content.
public enum SecretHashError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a `$algorithm$parameters$salt$hash` string this reader understands.
    case malformed(String)
    /// A well-formed string for an algorithm TrustGate does not verify (bcrypt, argon2…).
    case unsupportedAlgorithm(String)
    /// A cost below the floor: it would make offline guessing of a leaked hash cheap.
    case costTooLow(String)
    /// A cost above the ceiling: one configuration entry could stall the process on every login.
    case costTooHigh(String)

    public var description: String {
        switch self {
        case .malformed(let message), .unsupportedAlgorithm(let message), .costTooLow(let message), .costTooHigh(let message):
            return message
        }
    }
}
