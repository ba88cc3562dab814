import Crypto
import Foundation
import _CryptoExtras

/// Produces compact JWS. The header's `alg` picks the algorithm, and the key must fit it. The header is written
/// with sorted member names, so equal inputs give equal header bytes.
public struct JWSSigner: Sendable {
    public let key: JWSSigningKey

    public init(key: JWSSigningKey) {
        self.key = key
    }

    public func sign(payload: some Sequence<UInt8>, header: JWSHeader) throws(JWSSigningError) -> String {
        let algorithm = header.algorithm
        guard key.supports(algorithm) else { throw .keyDoesNotFitAlgorithm(algorithm) }
        let signingInput = Base64URL.encode(Array(JSONTextEncoder.encode(object: header.jsonObject).utf8)) + "." + Base64URL.encode(payload)
        let signature = try Self.signature(for: Array(signingInput.utf8), key: key, algorithm: algorithm)
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// A JWT: the claims as compact JSON with sorted member names.
    public func sign(claims: JSONObject, header: JWSHeader) throws(JWSSigningError) -> String {
        try sign(payload: Array(JSONTextEncoder.encode(object: claims).utf8), header: header)
    }

    private static func signature(for input: [UInt8], key: JWSSigningKey, algorithm: JWSAlgorithm) throws(JWSSigningError) -> [UInt8] {
        do {
            switch key {
            case .rsa(let privateKey):
                let padding: _RSA.Signing.Padding = algorithm.family == .rsaPSS ? .PSS : .insecurePKCS1v1_5
                let signature: _RSA.Signing.RSASignature
                switch algorithm.hashByteCount {
                case 32: signature = try privateKey.signature(for: SHA256.hash(data: input), padding: padding)
                case 48: signature = try privateKey.signature(for: SHA384.hash(data: input), padding: padding)
                default: signature = try privateKey.signature(for: SHA512.hash(data: input), padding: padding)
                }
                return Array(signature.rawRepresentation)
            case .p256(let privateKey): return Array(try privateKey.signature(for: input).rawRepresentation)
            case .p384(let privateKey): return Array(try privateKey.signature(for: input).rawRepresentation)
            case .p521(let privateKey): return Array(try privateKey.signature(for: input).rawRepresentation)
            case .ed25519(let privateKey): return Array(try privateKey.signature(for: input))
            case .symmetric(let secret):
                switch algorithm.hashByteCount {
                case 32: return Array(HMAC<SHA256>.authenticationCode(for: input, using: secret))
                case 48: return Array(HMAC<SHA384>.authenticationCode(for: input, using: secret))
                default: return Array(HMAC<SHA512>.authenticationCode(for: input, using: secret))
                }
            }
        } catch {
            throw .signingFailed
        }
    }
}
