public import TrustGateJOSE

/// Why an access token was refused (OAUTH-CHECKLIST RS-2 … RS-8). `description` is safe to send to the client
/// as `error_description` and to log: it says what was wrong and never repeats the token or a claim's value.
public struct TokenRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// Not a compact JWS, bad base64url, duplicate JSON members, a payload that is not a JSON object…
        public static let malformed = Code(description: "malformed")

        /// `alg` missing, `none`, or unknown.
        public static let unsupportedAlgorithm = Code(description: "unsupportedAlgorithm")

        /// A known algorithm this issuer is not configured for (checked before any key is used; RS-5).
        public static let algorithmNotAllowed = Code(description: "algorithmNotAllowed")

        /// The header has no `typ` (RS-2).
        public static let missingType = Code(description: "missingType")

        /// `typ` is not one of the issuer's token types (RS-2).
        public static let typeNotAccepted = Code(description: "typeNotAccepted")

        /// No key of the issuer has the token's `kid`, even after the rate-limited refetch (RS-5).
        public static let unknownKey = Code(description: "unknownKey")

        /// The issuer's key with this `kid` may not verify this algorithm (`kty`, curve, `use`, `key_ops`, `alg`).
        public static let keyNotUsable = Code(description: "keyNotUsable")

        public static let badSignature = Code(description: "badSignature")

        /// The issuer's keys could not be loaded (JWKS unreachable or unusable, and no earlier copy).
        public static let keysUnavailable = Code(description: "keysUnavailable")

        /// `iss` missing or not exactly the configured issuer (RS-3).
        public static let wrongIssuer = Code(description: "wrongIssuer")

        /// `aud` missing or naming none of this API's identifiers (RS-4).
        public static let wrongAudience = Code(description: "wrongAudience")

        public static let missingExpiry = Code(description: "missingExpiry")

        public static let expired = Code(description: "expired")

        public static let notYetValid = Code(description: "notYetValid")

        /// `iat` lies in the future beyond the allowed clock skew (RS-6).
        public static let issuedInFuture = Code(description: "issuedInFuture")

        /// A registered claim has the wrong JSON type (a date as a string, `aud` as a number…).
        public static let invalidClaim = Code(description: "invalidClaim")

        /// The token is bound to a certificate (`cnf.x5t#S256`) and the request came without one (RS-8).
        public static let certificateRequired = Code(description: "certificateRequired")

        /// The token is bound to another certificate than the one on this request (RS-8).
        public static let certificateMismatch = Code(description: "certificateMismatch")

        /// `cnf` uses a confirmation method TrustGate cannot check (e.g. `jkt` for DPoP).
        public static let unsupportedConfirmation = Code(description: "unsupportedConfirmation")

        /// This issuer requires certificate-bound tokens and the token has no `cnf.x5t#S256`.
        public static let certificateBindingRequired = Code(description: "certificateBindingRequired")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func malformed(_ reason: String) -> Self {
        Self(code: .malformed, message: "the token is malformed: \(reason)")
    }

    public static var unsupportedAlgorithm: Self {
        Self(code: .unsupportedAlgorithm, message: "the token's signature algorithm is not supported")
    }

    public static func algorithmNotAllowed(_ algorithm: JWSAlgorithm) -> Self {
        Self(
            code: .algorithmNotAllowed,
            message: "the signature algorithm \(algorithm.rawValue) is not accepted from this issuer")
    }

    public static var missingType: Self {
        Self(code: .missingType, message: "the token has no typ header")
    }

    public static var typeNotAccepted: Self {
        Self(code: .typeNotAccepted, message: "the token type (typ) is not accepted")
    }

    public static var unknownKey: Self {
        Self(code: .unknownKey, message: "the token was signed with an unknown key")
    }

    public static var keyNotUsable: Self {
        Self(code: .keyNotUsable, message: "the issuer's key may not verify this token's algorithm")
    }

    public static var badSignature: Self {
        Self(code: .badSignature, message: "the token signature is invalid")
    }

    public static var keysUnavailable: Self {
        Self(code: .keysUnavailable, message: "the issuer's signing keys are unavailable")
    }

    public static var wrongIssuer: Self {
        Self(code: .wrongIssuer, message: "the token is from another issuer")
    }

    public static var wrongAudience: Self {
        Self(code: .wrongAudience, message: "the token is not for this audience")
    }

    public static var missingExpiry: Self {
        Self(code: .missingExpiry, message: "the token has no expiry (exp)")
    }

    public static var expired: Self {
        Self(code: .expired, message: "the token has expired")
    }

    public static var notYetValid: Self {
        Self(code: .notYetValid, message: "the token is not valid yet (nbf)")
    }

    public static var issuedInFuture: Self {
        Self(code: .issuedInFuture, message: "the token was issued in the future (iat)")
    }

    public static func invalidClaim(_ name: String) -> Self {
        Self(code: .invalidClaim, message: "the claim \(name) has the wrong type")
    }

    public static var certificateRequired: Self {
        Self(code: .certificateRequired, message: "the token is bound to a client certificate and none was presented")
    }

    public static var certificateMismatch: Self {
        Self(code: .certificateMismatch, message: "the token is bound to a different client certificate")
    }

    public static var unsupportedConfirmation: Self {
        Self(code: .unsupportedConfirmation, message: "the token's confirmation method (cnf) is not supported")
    }

    public static var certificateBindingRequired: Self {
        Self(
            code: .certificateBindingRequired,
            message: "the token must be bound to a client certificate (cnf x5t#S256)")
    }
}
