/// A JWS whose signature verified, with the key that verified it.
public struct VerifiedJWS: Sendable {
    public let header: JWSHeader
    /// The payload bytes exactly as signed.
    public let payload: [UInt8]
    public let key: JSONWebKey
}

/// Verifies compact JWS against keys the caller trusts.
///
/// The algorithm comes from the header but must be in `allowedAlgorithms` before any key is touched; keys come only
/// from `keys`, never from the token (`jwk`, `jku`, `x5u`, `x5c` are ignored for key selection). With a `kid` only
/// keys with exactly that `kid` are tried; without one, every key that may verify the algorithm is tried.
public enum JWSVerifier {
    public static func verify(
        _ token: some StringProtocol,
        keys: [JSONWebKey],
        allowedAlgorithms: Set<JWSAlgorithm>,
        options: JWSHeaderParsingOptions = JWSHeaderParsingOptions()
    ) throws(JWSError) -> VerifiedJWS {
        try verify(CompactJWS(parsing: token, options: options), keys: keys, allowedAlgorithms: allowedAlgorithms)
    }

    public static func verify(
        _ jws: CompactJWS,
        keys: [JSONWebKey],
        allowedAlgorithms: Set<JWSAlgorithm>
    ) throws(JWSError) -> VerifiedJWS {
        let algorithm = jws.header.algorithm
        guard allowedAlgorithms.contains(algorithm) else { throw .algorithmNotAllowed(algorithm) }
        let keyID = jws.header.keyID
        let named = keyID.map { keyID in keys.filter { $0.keyID == keyID } } ?? keys
        guard !named.isEmpty else { throw .noMatchingKey(keyID: keyID) }
        let candidates = named.filter { $0.permitsVerification(with: algorithm) }
        guard !candidates.isEmpty else {
            if keyID == nil { throw .noMatchingKey(keyID: nil) }
            throw .keyNotUsable(keyID: keyID)
        }
        for key in candidates where key.material.isValidSignature(jws.signature, for: jws.signingInput, algorithm: algorithm) {
            return VerifiedJWS(header: jws.header, payload: jws.payload, key: key)
        }
        throw .badSignature
    }
}
