import Foundation
import TrustGateJOSE
import TrustGateStore

/// The JWKS (JK-1 … JK-5): every key the store publishes at this moment — keys about to sign and retired keys
/// whose tokens may still be in use included (JK-3) — with public members only: `kty`, the public numbers, `kid`,
/// `use: sig`, `alg`, and `x5c` / `x5t#S256` for keys that have a certificate.
enum PublishedKeySet {
    static func object(store: any RegistrationStore, at time: Date) async throws -> JSONObject {
        let keys = try await store.publishedSigningKeys(at: time)
        var entries: [JSONValue] = []
        for key in keys {
            entries.append(.object(try key.publicJWK().publicJSONObject()))
        }
        return ["keys": .array(entries)]
    }

    static func response(store: any RegistrationStore, settings: TokenServiceSettings, at time: Date) async -> TokenHTTPResponse {
        do {
            let object = try await object(store: store, at: time)
            return TokenHTTPResponse.publicJSON(Array(JSONTextEncoder.encode(object: object).utf8), maxAge: Int(settings.jwksCacheTime))
        } catch {
            return TokenHTTPResponse.json(status: 500, ["error": "server_error", "error_description": "the key set is unavailable"])
        }
    }
}
