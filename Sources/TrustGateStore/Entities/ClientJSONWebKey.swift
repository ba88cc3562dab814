public import Foundation
public import TrustGateJOSE

/// A public key registered for a client as a JWK (CA-14's `jwks`): what verifies its `private_key_jwt`
/// assertions when it has no certificate. Only the public members are kept; a key set carrying private members
/// is refused outright, since whoever produced it has exposed the private key.
public struct ClientJSONWebKey: Sendable, Hashable {
    public let clientID: String
    /// The `kid` the client puts in its assertions' header.
    public let keyID: String
    /// The public JWK, as compact JSON.
    public let json: String
    public let addedAt: Date

    /// JWK members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
    public static let privateMembers: Set<String> = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    public init(clientID: String, keyID: String, json: String, addedAt: Date) {
        self.clientID = clientID
        self.keyID = keyID
        self.json = json
        self.addedAt = addedAt
    }

    /// The key, parsed (it parsed when it was registered).
    public func key() throws -> JSONWebKey {
        try JSONWebKey(json: json)
    }

    /// Reads a JWKS document (`{"keys":[…]}`) for `clientID`. Every key must parse, carry a unique `kid`, be a
    /// public asymmetric key (RSA ≥ 2048 bits, EC, OKP) and hold no private member; `use`, when present, must be
    /// `sig`. The first problem is reported as an `InvalidRegistrationValue` naming the key by index.
    public static func keySet(clientID: String, jwksBytes: [UInt8], now: Date = Date()) throws(InvalidRegistrationValue) -> [ClientJSONWebKey] {
        let parsed: JSONObject?
        do {
            parsed = try StrictJSONParser.parseObject(jwksBytes)
        } catch {
            throw InvalidRegistrationValue(field: "jwks", reason: "not valid JSON (\(error))")
        }
        guard let entries = parsed?["keys"]?.arrayValue else {
            throw InvalidRegistrationValue(field: "jwks", reason: "expected a JWK set: {\"keys\": [...]}")
        }
        guard !entries.isEmpty else { throw InvalidRegistrationValue(field: "jwks", reason: "the set holds no key") }
        var keys: [ClientJSONWebKey] = []
        for (index, entry) in entries.enumerated() {
            let field = "jwks key \(index)"
            guard let object = entry.objectValue else { throw InvalidRegistrationValue(field: field, reason: "not a JSON object") }
            // Named, never echoed: the value is private key material.
            if let member = object.names.first(where: privateMembers.contains) {
                throw InvalidRegistrationValue(
                    field: field, reason: "holds the private member '\(member)': register public keys only (and treat this key as exposed)")
            }
            guard let keyID = object["kid"]?.stringValue, !keyID.isEmpty else {
                throw InvalidRegistrationValue(field: field, reason: "has no kid: assertions name their key by kid")
            }
            guard !keys.contains(where: { $0.keyID == keyID }) else {
                throw InvalidRegistrationValue(field: field, reason: "repeats kid '\(keyID)'")
            }
            let key: JSONWebKey
            do {
                key = try JSONWebKey(jsonObject: object)
            } catch {
                throw InvalidRegistrationValue(field: field, reason: "\(error)")
            }
            if let use = key.use, use != "sig" { throw InvalidRegistrationValue(field: field, reason: "use is '\(use)', not 'sig'") }
            if case .symmetric = key.material { throw InvalidRegistrationValue(field: field, reason: "a symmetric key cannot authenticate a client") }
            let json: String
            do {
                json = try key.publicJSON()
            } catch {
                throw InvalidRegistrationValue(field: field, reason: "\(error)")
            }
            keys.append(ClientJSONWebKey(clientID: clientID, keyID: keyID, json: json, addedAt: now))
        }
        return keys
    }
}
