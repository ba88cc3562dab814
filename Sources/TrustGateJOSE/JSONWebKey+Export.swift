import Crypto
import Foundation
import _CryptoExtras

extension JSONWebKey {
    /// The key as a public JWK: `kty`, `kid`, `use`, `key_ops`, `alg`, the public numbers (`n`/`e` or
    /// `crv`/`x`/`y`), `x5c` and `x5t#S256`. Secret (`oct`) keys are refused.
    public func publicJSONObject() throws(JSONWebKeyError) -> JSONObject {
        var object = try Self.publicMembers(of: material)
        if let keyID { object["kid"] = .string(keyID) }
        if let use { object["use"] = .string(use) }
        if let keyOperations { object["key_ops"] = .array(keyOperations.map { .string($0) }) }
        if let declaredAlgorithm { object["alg"] = .string(declaredAlgorithm) }
        if let certificateChain { object["x5c"] = .array(certificateChain.map { .string(Base64Standard.encode($0)) }) }
        if let certificateSHA256Thumbprint { object["x5t#S256"] = .string(certificateSHA256Thumbprint) }
        return object
    }

    /// The public JWK as compact JSON with sorted member names.
    public func publicJSON() throws(JSONWebKeyError) -> String {
        JSONTextEncoder.encode(object: try publicJSONObject())
    }

    /// RFC 7638 JWK thumbprint (SHA-256, base64url) of the required public members: a stable `kid` candidate.
    public func thumbprintSHA256() throws(JSONWebKeyError) -> String {
        let required = try Self.publicMembers(of: material)
        return Base64URL.encode(SHA256.hash(data: Array(JSONTextEncoder.encode(object: required).utf8)))
    }

    /// `kty` and the members RFC 7638 calls required, for each key type.
    private static func publicMembers(of material: Material) throws(JSONWebKeyError) -> JSONObject {
        switch material {
        case .rsa(let key):
            guard let numbers = try? key.getKeyPrimitives() else { throw .invalidKeyMaterial("RSA numbers unavailable") }
            return [
                "kty": "RSA",
                "n": .string(Base64URL.encode(numbers.modulus.drop(while: { $0 == 0 }))),
                "e": .string(Base64URL.encode(numbers.publicExponent.drop(while: { $0 == 0 }))),
            ]
        case .p256(let key): return ecMembers(curve: .p256, point: Array(key.rawRepresentation))
        case .p384(let key): return ecMembers(curve: .p384, point: Array(key.rawRepresentation))
        case .p521(let key): return ecMembers(curve: .p521, point: Array(key.rawRepresentation))
        case .ed25519(let key):
            return ["kty": "OKP", "crv": "Ed25519", "x": .string(Base64URL.encode(key.rawRepresentation))]
        case .symmetric:
            throw .secretKeyNotExportable
        }
    }

    private static func ecMembers(curve: Curve, point: [UInt8]) -> JSONObject {
        let half = point.count / 2
        return [
            "kty": "EC",
            "crv": .string(curve.rawValue),
            "x": .string(Base64URL.encode(point[..<half])),
            "y": .string(Base64URL.encode(point[half...])),
        ]
    }
}
