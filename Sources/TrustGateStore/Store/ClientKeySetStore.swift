import Foundation

/// Clients' registered JWKS (CA-14 `jwks`): public keys that verify `private_key_jwt` assertions without a
/// certificate. Kept apart from `RegistrationStore` so other stores can adopt it separately; `SQLiteRegistrationStore`
/// implements it (schema version 3).
public protocol ClientKeySetStore: RegistrationStore {
    /// Replaces the client's registered keys with `keys` (all for that client); `.unknownClient` when there is no
    /// such client. An empty array removes them.
    func replaceClientKeys(clientID: String, with keys: [ClientJSONWebKey]) async throws
    /// The client's registered keys, by `kid`.
    func clientKeys(clientID: String) async throws -> [ClientJSONWebKey]
}
