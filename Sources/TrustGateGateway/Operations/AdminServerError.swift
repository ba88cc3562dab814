/// Why the operations listener could not start.
public struct AdminServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// ``AdminServer/start()`` was called on a server that is already listening.
        public static let alreadyStarted = Code(description: "alreadyStarted")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static var alreadyStarted: Self {
        Self(code: .alreadyStarted, message: "the admin server is already started")
    }
}
