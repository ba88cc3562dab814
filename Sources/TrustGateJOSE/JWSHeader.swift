/// A JWS protected header (RFC 7515 §4.1) with the registered members typed.
///
/// `jku`, `jwk` and `x5u` are read so that they are visible, but nothing in TrustGate picks a verification key
/// from them: a key the token brings along proves nothing (RFC 8725 §3.10, Wycheproof
/// `rejectsAttackerProvidedEmbeddedJwk`).
public struct JWSHeader: Sendable {
    public var algorithm: JWSAlgorithm
    public var keyID: String?
    /// `typ`, as sent (compare case-insensitively).
    public var type: String?
    public var contentType: String?
    /// `x5t`: base64url SHA-1 of the signer's certificate, as sent.
    public var certificateSHA1Thumbprint: String?
    /// `x5t#S256`: base64url SHA-256 of the signer's certificate, as sent.
    public var certificateSHA256Thumbprint: String?
    /// `x5c`: the signer's certificate chain, leaf first, as DER.
    public var certificateChain: [[UInt8]]?
    public var jwkSetURL: String?
    public var embeddedKey: JSONObject?
    public var certificateURL: String?
    /// Every member as received, for a parsed header; for a header built to sign, extra members to include
    /// (the typed properties win over members of the same name).
    public var members: JSONObject

    public init(
        algorithm: JWSAlgorithm,
        keyID: String? = nil,
        type: String? = nil,
        contentType: String? = nil,
        certificateSHA256Thumbprint: String? = nil,
        certificateChain: [[UInt8]]? = nil,
        additionalMembers: JSONObject = JSONObject()
    ) {
        self.algorithm = algorithm
        self.keyID = keyID
        self.type = type
        self.contentType = contentType
        self.certificateSHA256Thumbprint = certificateSHA256Thumbprint
        self.certificateChain = certificateChain
        self.members = additionalMembers
    }

    public init(parsing object: JSONObject, options: JWSHeaderParsingOptions = JWSHeaderParsingOptions()) throws(JWSError) {
        guard let algorithmValue = object["alg"] else { throw .unsupportedAlgorithm("") }
        guard let algorithmName = algorithmValue.stringValue else { throw .malformed("alg is not a string") }
        guard let algorithm = JWSAlgorithm(rawValue: algorithmName) else { throw .unsupportedAlgorithm(algorithmName) }
        guard !object.contains("crit") else { throw .criticalHeaderParameters }
        guard !object.contains("b64") else { throw .unencodedPayload }

        func string(_ name: String) throws(JWSError) -> String? {
            guard let value = object[name] else { return nil }
            guard let text = value.stringValue else { throw .malformed("\(name) is not a string") }
            return text
        }

        self.algorithm = algorithm
        keyID = try string("kid")
        type = try string("typ")
        contentType = try string("cty")
        certificateSHA1Thumbprint = try string("x5t")
        certificateSHA256Thumbprint = try string("x5t#S256")
        jwkSetURL = try string("jku")
        certificateURL = try string("x5u")
        if let value = object["jwk"] {
            guard let key = value.objectValue else { throw .malformed("jwk is not an object") }
            embeddedKey = key
        }
        if let value = object["x5c"] {
            certificateChain = try Self.certificateChain(value, options: options)
        }
        members = object
    }

    private static func certificateChain(_ value: JSONValue, options: JWSHeaderParsingOptions) throws(JWSError) -> [[UInt8]] {
        let entries: [JSONValue]
        switch value {
        case .array(let array): entries = array
        case .string where options.allowsSingleCertificateString: entries = [value]
        default: throw .malformed("x5c is not an array of strings")
        }
        guard !entries.isEmpty else { throw .malformed("x5c is empty") }
        var chain: [[UInt8]] = []
        for entry in entries {
            guard var text = entry.stringValue else { throw .malformed("x5c is not an array of strings") }
            if options.allowsLineBreaksInCertificates {
                text.removeAll { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
            }
            guard let der = Base64Standard.decode(text), !der.isEmpty else {
                throw .malformed("x5c entry is not standard base64")
            }
            chain.append(der)
        }
        return chain
    }

    /// The header as it is signed: `members` overlaid with the typed properties.
    public var jsonObject: JSONObject {
        var object = members
        object["alg"] = .string(algorithm.rawValue)
        if let keyID { object["kid"] = .string(keyID) }
        if let type { object["typ"] = .string(type) }
        if let contentType { object["cty"] = .string(contentType) }
        if let certificateSHA1Thumbprint { object["x5t"] = .string(certificateSHA1Thumbprint) }
        if let certificateSHA256Thumbprint { object["x5t#S256"] = .string(certificateSHA256Thumbprint) }
        if let certificateChain { object["x5c"] = .array(certificateChain.map { .string(Base64Standard.encode($0)) }) }
        if let jwkSetURL { object["jku"] = .string(jwkSetURL) }
        if let embeddedKey { object["jwk"] = .object(embeddedKey) }
        if let certificateURL { object["x5u"] = .string(certificateURL) }
        return object
    }
}
