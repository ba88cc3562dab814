public struct JWSSigningError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// The key's type (or curve, or secret length) does not fit the header's `alg`.
        public static let keyDoesNotFitAlgorithm = Code(description: "keyDoesNotFitAlgorithm")

        /// The crypto library refused to sign.
        public static let signingFailed = Code(description: "signingFailed")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func keyDoesNotFitAlgorithm(_ algorithm: JWSAlgorithm) -> Self {
        Self(code: .keyDoesNotFitAlgorithm, message: "the signing key cannot sign \(algorithm.rawValue)")
    }

    public static var signingFailed: Self {
        Self(code: .signingFailed, message: "signing failed")
    }
}
