public enum JWSSigningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key's type (or curve, or secret length) does not fit the header's `alg`.
    case keyDoesNotFitAlgorithm(JWSAlgorithm)
    /// The crypto library refused to sign.
    case signingFailed

    public var description: String {
        switch self {
        case .keyDoesNotFitAlgorithm(let algorithm): return "the signing key cannot sign \(algorithm.rawValue)"
        case .signingFailed: return "signing failed"
        }
    }
}
