/// Why a stored secret hash was refused. Messages describe the string's shape or cost, never its content.
public struct SecretHashError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// Not a `$algorithm$parameters$salt$hash` string this reader understands.
        public static let malformed = Code(description: "malformed")

        /// A well-formed string for an algorithm TrustGate does not verify (bcrypt, argon2…).
        public static let unsupportedAlgorithm = Code(description: "unsupportedAlgorithm")

        /// A cost below the floor: it would make offline guessing of a leaked hash cheap.
        public static let costTooLow = Code(description: "costTooLow")

        /// A cost above the ceiling: one configuration entry could stall the process on every login.
        public static let costTooHigh = Code(description: "costTooHigh")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func malformed(_ message: String) -> Self { Self(code: .malformed, message: message) }

    public static func unsupportedAlgorithm(_ message: String) -> Self {
        Self(code: .unsupportedAlgorithm, message: message)
    }

    public static func costTooLow(_ message: String) -> Self { Self(code: .costTooLow, message: message) }

    public static func costTooHigh(_ message: String) -> Self { Self(code: .costTooHigh, message: message) }
}
