/// Why a JWK or JWK Set was refused. Descriptions name members, never key material.
public struct JSONWebKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        public static let invalidJSON = Code(description: "invalidJSON")

        public static let notAnObject = Code(description: "notAnObject")

        public static let missingMember = Code(description: "missingMember")

        /// A member of the wrong JSON type or with an invalid encoding or length.
        public static let invalidMember = Code(description: "invalidMember")

        public static let unsupportedKeyType = Code(description: "unsupportedKeyType")

        public static let unsupportedCurve = Code(description: "unsupportedCurve")

        public static let rsaModulusTooSmall = Code(description: "rsaModulusTooSmall")

        public static let rsaModulusTooLarge = Code(description: "rsaModulusTooLarge")

        /// The numbers do not form a usable key (an EC point off its curve, an RSA exponent BoringSSL refuses).
        public static let invalidKeyMaterial = Code(description: "invalidKeyMaterial")

        /// `x5c`'s first certificate holds another key, or `x5t#S256` is not that certificate's thumbprint.
        public static let certificateDoesNotMatchKey = Code(description: "certificateDoesNotMatchKey")

        /// A secret (`oct`) key is never written out as a public JWK.
        public static let secretKeyNotExportable = Code(description: "secretKeyNotExportable")

        /// A JWK Set document without a `keys` array.
        public static let notAKeySet = Code(description: "notAKeySet")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func invalidJSON(_ error: JSONParseError) -> Self {
        Self(code: .invalidJSON, message: "not valid JSON: \(error)")
    }

    public static var notAnObject: Self {
        Self(code: .notAnObject, message: "a JWK must be a JSON object")
    }

    public static func missingMember(_ name: String) -> Self {
        Self(code: .missingMember, message: "member \(name) is missing")
    }

    public static func invalidMember(_ name: String) -> Self {
        Self(code: .invalidMember, message: "member \(name) is invalid")
    }

    public static func unsupportedKeyType(_ type: String) -> Self {
        Self(code: .unsupportedKeyType, message: "key type \"\(JSONParseError.printable(type))\" is not supported")
    }

    public static func unsupportedCurve(_ curve: String) -> Self {
        Self(code: .unsupportedCurve, message: "curve \"\(JSONParseError.printable(curve))\" is not supported")
    }

    public static func rsaModulusTooSmall(bits: Int) -> Self {
        Self(code: .rsaModulusTooSmall, message: "RSA modulus of \(bits) bits is below the 2048-bit minimum")
    }

    public static func rsaModulusTooLarge(bits: Int) -> Self {
        Self(code: .rsaModulusTooLarge, message: "RSA modulus of \(bits) bits is above the 16384-bit maximum")
    }

    public static func invalidKeyMaterial(_ reason: String) -> Self {
        Self(code: .invalidKeyMaterial, message: "invalid key: \(reason)")
    }

    public static var certificateDoesNotMatchKey: Self {
        Self(
            code: .certificateDoesNotMatchKey,
            message: "the x5c certificate or x5t#S256 thumbprint does not match the key")
    }

    public static var secretKeyNotExportable: Self {
        Self(code: .secretKeyNotExportable, message: "a secret key cannot be exported as a public JWK")
    }

    public static var notAKeySet: Self {
        Self(code: .notAKeySet, message: "a JWK Set must be an object with a \"keys\" array")
    }
}
