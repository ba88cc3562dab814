/// Why a compact JWS was refused. Descriptions name what was wrong and never repeat the token, its payload or a
/// signature, so they are safe in logs and in `error_description`.
public struct JWSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// Not a compact JWS: wrong number of parts, bad base64url, a header that is not a JSON object, a header
        /// member of the wrong type, duplicate member names… The text says which.
        public static let malformed = Code(description: "malformed")

        /// `alg` is missing, `none`, or not an algorithm TrustGate implements.
        public static let unsupportedAlgorithm = Code(description: "unsupportedAlgorithm")

        /// The header has `crit`: it names extensions the recipient must understand, and TrustGate implements none.
        public static let criticalHeaderParameters = Code(description: "criticalHeaderParameters")

        /// The header has `b64` (RFC 7797 unencoded payloads), which TrustGate does not implement.
        public static let unencodedPayload = Code(description: "unencodedPayload")

        /// A known algorithm that the caller does not accept here.
        public static let algorithmNotAllowed = Code(description: "algorithmNotAllowed")

        /// No candidate key has the header's `kid` (or, without a `kid`, no key fits the algorithm at all).
        public static let noMatchingKey = Code(description: "noMatchingKey")

        /// Keys with this `kid` exist, but none may be used with this algorithm (key type, curve, `use`, `key_ops`
        /// or the key's own `alg` say no).
        public static let keyNotUsable = Code(description: "keyNotUsable")

        /// The signature does not verify with any candidate key.
        public static let badSignature = Code(description: "badSignature")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    /// What a ``Code/malformed`` JWS got wrong, as it was given (``message`` adds a prefix).
    public var reason: String?
    /// The refused algorithm of ``Code/algorithmNotAllowed``.
    public var algorithm: JWSAlgorithm?
    /// The header's `kid`, for ``Code/noMatchingKey`` and ``Code/keyNotUsable`` (nil: the token had none).
    public var keyID: String?

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func malformed(_ reason: String) -> Self {
        var error = Self(code: .malformed, message: "malformed JWS: \(reason)")
        error.reason = reason
        return error
    }

    public static func unsupportedAlgorithm(_ name: String) -> Self {
        Self(code: .unsupportedAlgorithm, message: "unsupported algorithm \"\(JSONParseError.printable(name))\"")
    }

    public static var criticalHeaderParameters: Self {
        Self(
            code: .criticalHeaderParameters,
            message: "the header lists critical extensions (crit), which are not supported")
    }

    public static var unencodedPayload: Self {
        Self(code: .unencodedPayload, message: "unencoded payloads (b64) are not supported")
    }

    public static func algorithmNotAllowed(_ algorithm: JWSAlgorithm) -> Self {
        var error = Self(code: .algorithmNotAllowed, message: "algorithm \(algorithm.rawValue) is not allowed")
        error.algorithm = algorithm
        return error
    }

    public static func noMatchingKey(keyID: String?) -> Self {
        var error = Self(
            code: .noMatchingKey,
            message: keyID.map { "no key with kid \"\(JSONParseError.printable($0))\"" } ?? "no key fits the token's algorithm")
        error.keyID = keyID
        return error
    }

    public static func keyNotUsable(keyID: String?) -> Self {
        var error = Self(
            code: .keyNotUsable,
            message: keyID.map { "the key with kid \"\(JSONParseError.printable($0))\" may not verify this algorithm" }
                ?? "no key may verify this algorithm")
        error.keyID = keyID
        return error
    }

    public static var badSignature: Self {
        Self(code: .badSignature, message: "signature does not verify")
    }
}
