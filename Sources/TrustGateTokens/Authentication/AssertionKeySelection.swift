import Crypto
import TrustGateJOSE
import TrustGateStore

/// Which key verifies a client assertion (CA-14, CA-15, CA-17): only keys registered for the client (its JWKS or
/// its certificates), or an `x5c` chain that one of the client's subject/issuer rules will have to vouch for. Keys
/// the token brings along (`jwk`, `jku`, `x5u`) are never considered.
enum AssertionKeySelection: Sendable {
    case registered(ClientCertificate)
    /// A key from the client's registered JWKS, named by the header's `kid`.
    case registeredKey(JSONWebKey)
    /// The assertion's own `x5c` (DER, leaf first), to be validated against the client's SN/I rules.
    case presentedChain([[UInt8]])

    /// Picks in the order `kid` (a registered JWK's `kid`, then a certificate's label) → `x5t#S256` → `x5t` →
    /// the `x5c` leaf → the only registered key (JWK or certificate).
    ///
    /// A `kid` may name a registered certificate by any of its usual labels (see `isNamed(_:byKeyID:)`); a `kid` that
    /// names none is not an error by itself when a thumbprint or `x5c` identifies the key, since clients use `kid`
    /// for their own labels. A thumbprint that matches no registered certificate (and not an `x5c` leaf an SN/I
    /// rule could vouch for) is refused, never answered by trying other keys.
    static func select(
        header: JWSHeader,
        registered: [ClientCertificate],
        registeredKeys: [JSONWebKey] = [],
        hasSubjectIssuerRules: Bool
    ) throws(TokenEndpointError) -> AssertionKeySelection {
        let chain = header.certificateChain
        // A registered JWK is named by its kid exactly (no thumbprint forms: the client chose the label).
        if let keyID = header.keyID, let named = registeredKeys.first(where: { $0.keyID == keyID }) {
            return .registeredKey(named)
        }
        if let keyID = header.keyID, let named = registered.first(where: { isNamed($0, byKeyID: keyID) }) {
            return .registered(named)
        }
        if let thumbprint = header.certificateSHA256Thumbprint {
            let normalized = normalizedThumbprint(thumbprint)
            if let named = registered.first(where: { $0.x5tS256 == normalized }) { return .registered(named) }
            if let chain, let leaf = chain.first, hasSubjectIssuerRules,
                CertificateThumbprint.sha256(certificateDER: leaf) == normalized
            {
                return .presentedChain(chain)
            }
            throw .invalidClient(.assertionUnknownThumbprint)
        }
        if let thumbprint = header.certificateSHA1Thumbprint {
            let normalized = normalizedThumbprint(thumbprint)
            if let named = registered.first(where: { $0.x5t == normalized }) { return .registered(named) }
            if let chain, let leaf = chain.first, hasSubjectIssuerRules,
                CertificateThumbprint.sha1(certificateDER: leaf) == normalized
            {
                return .presentedChain(chain)
            }
            throw .invalidClient(.assertionUnknownThumbprint)
        }
        if let chain, let leaf = chain.first {
            let digest = Array(SHA256.hash(data: leaf))
            if let named = registered.first(where: { $0.sha256 == digest }) { return .registered(named) }
            if hasSubjectIssuerRules { return .presentedChain(chain) }
        }
        if header.keyID != nil { throw .invalidClient(.assertionUnknownKeyID) }
        switch (registered.count, registeredKeys.count) {
        case (0, 0): throw .invalidClient(.assertionNoKey)
        case (1, 0): return .registered(registered[0])
        case (0, 1): return .registeredKey(registeredKeys[0])
        default: throw .invalidClient(.assertionAmbiguousKey)
        }
    }

    /// CA-15: base64url without the `=` padding MSAL Python keeps; standard-alphabet characters are read as their
    /// base64url counterparts.
    static func normalizedThumbprint(_ text: String) -> String {
        var normalized = text
        while normalized.hasSuffix("=") { normalized.removeLast() }
        return String(normalized.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    /// Whether a `kid` names `certificate`: its `x5t#S256` or `x5t` (padded or not), or its SHA-1 / SHA-256
    /// thumbprint in hex as Windows and .NET show it (Microsoft.IdentityModel's `X509SecurityKey.KeyId`).
    static func isNamed(_ certificate: ClientCertificate, byKeyID keyID: String) -> Bool {
        let normalized = normalizedThumbprint(keyID)
        if normalized == certificate.x5tS256 || normalized == certificate.x5t { return true }
        let hex = keyID.uppercased().filter { $0 != ":" }
        return hex == hexString(certificate.sha1) || hex == hexString(certificate.sha256)
    }

    private static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF")
        var text = ""
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }
}
