import Foundation

extension SQLiteRegistrationStore: ClientKeySetStore {
    public func replaceClientKeys(clientID: String, with keys: [ClientJSONWebKey]) async throws {
        guard keys.allSatisfy({ $0.clientID == clientID }) else {
            throw RegistrationStoreError.invalidValue(InvalidRegistrationValue(field: "jwks", reason: "keys of another client"))
        }
        try await connection.write { database in
            let exists = try database.query("SELECT 1 FROM clients WHERE client_id = ?1", [.text(clientID)]) { $0.int(0) }
            guard !exists.isEmpty else { throw RegistrationStoreError.unknownClient(clientID) }
            try database.execute("DELETE FROM client_jwks WHERE client_id = ?1", [.text(clientID)])
            for key in keys {
                try database.execute(
                    "INSERT INTO client_jwks (client_id, kid, jwk, added_at) VALUES (?1, ?2, ?3, ?4)",
                    [.text(clientID), .text(key.keyID), .text(key.json), .date(key.addedAt)])
            }
        }
    }

    public func clientKeys(clientID: String) async throws -> [ClientJSONWebKey] {
        try await connection.read { database in
            try database.query(
                "SELECT client_id, kid, jwk, added_at FROM client_jwks WHERE client_id = ?1 ORDER BY kid", [.text(clientID)]
            ) { row in
                ClientJSONWebKey(clientID: row.text(0), keyID: row.text(1), json: row.text(2), addedAt: row.date(3))
            }
        }
    }
}
