/// Why the access log could not be opened.
public struct AccessLogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        public static let cannotOpen = Code(description: "cannotOpen")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func cannotOpen(path: String, reason: String) -> Self {
        Self(code: .cannotOpen, message: "cannot open access log \(path): \(reason)")
    }
}
