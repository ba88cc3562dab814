import Foundation
import TrustGateJOSE

extension SQLiteRegistrationStore {
    public func addClient(_ client: Client) async throws {
        do { try client.validate() } catch { throw RegistrationStoreError.invalidValue(error) }
        try await connection.write { database in
            do {
                try database.execute(
                    """
                    INSERT INTO clients (client_id, object_id, name, enabled, auth_methods, token_lifetime,
                        allow_assertion_reuse, certificate_bound_tokens, assertion_signing_alg, created_at, updated_at)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                    """,
                    Self.clientValues(client, updatedAt: client.updatedAt) + [.date(client.createdAt), .date(client.updatedAt)])
            } catch let error as SQLiteError where error.isUniquenessViolation {
                if error.message.contains("object_id") {
                    throw RegistrationStoreError.invalidValue(
                        InvalidRegistrationValue(field: "object id", reason: "already used by another client"))
                }
                throw RegistrationStoreError.clientAlreadyExists(client.id)
            }
        }
    }

    public func updateClient(_ client: Client) async throws {
        do { try client.validate() } catch { throw RegistrationStoreError.invalidValue(error) }
        try await connection.write { database in
            // object_id (?2) is not updated: it is the stable identity tokens carry as `oid`.
            let values = Self.clientValues(client, updatedAt: Date())
            let changed = try database.execute(
                """
                UPDATE clients SET name = ?3, enabled = ?4, auth_methods = ?5, token_lifetime = ?6,
                    allow_assertion_reuse = ?7, certificate_bound_tokens = ?8, assertion_signing_alg = ?9, updated_at = ?10
                WHERE client_id = ?1
                """,
                values + [.date(Date())])
            guard changed == 1 else { throw RegistrationStoreError.unknownClient(client.id) }
        }
    }

    public func removeClient(id: String) async throws {
        try await connection.write { database in
            let changed = try database.execute("DELETE FROM clients WHERE client_id = ?1", [.text(id)])
            guard changed == 1 else { throw RegistrationStoreError.unknownClient(id) }
            // Replay records are not tied to the client row (they are written on the hot path without a join);
            // a re-registered client id must not inherit them.
            try database.execute("DELETE FROM replay_records WHERE client_id = ?1", [.text(id)])
        }
    }

    public func client(id: String) async throws -> Client? {
        try await connection.read { database in try Self.loadClients(database, id: id).first }
    }

    public func clients() async throws -> [Client] {
        try await connection.read { database in try Self.loadClients(database, id: nil) }
    }

    public func registration(clientID: String) async throws -> ClientRegistration? {
        try await connection.read { database in
            guard let client = try Self.loadClients(database, id: clientID).first else { return nil }
            return ClientRegistration(
                client: client,
                secrets: try Self.loadSecrets(database, clientID: clientID),
                certificates: try Self.loadCertificates(database, clientID: clientID),
                subjectIssuerRules: try Self.loadRules(database, clientID: clientID),
                grants: try Self.loadGrants(database, clientID: clientID))
        }
    }

    // MARK: - Rows

    /// ?1 … ?9 of the insert and update statements.
    private static func clientValues(_ client: Client, updatedAt: Date) -> [SQLiteValue] {
        [
            .text(client.id), .text(client.objectID.uuidString.lowercased()), .text(client.name), .bool(client.enabled),
            .text(client.sortedAuthenticationMethods.map(\.rawValue).joined(separator: " ")), .int(client.tokenLifetime.seconds),
            .bool(client.allowAssertionReuse), .bool(client.certificateBoundAccessTokens),
            .optionalText(client.assertionSigningAlgorithm?.rawValue),
        ]
    }

    static let clientColumns = """
        client_id, object_id, name, enabled, auth_methods, token_lifetime, allow_assertion_reuse,
        certificate_bound_tokens, assertion_signing_alg, created_at, updated_at
        """

    static func loadClients(_ database: SQLiteDatabase, id: String?) throws -> [Client] {
        let rows = try database.query(
            "SELECT \(clientColumns) FROM clients WHERE ?1 IS NULL OR client_id = ?1 ORDER BY client_id", [.optionalText(id)]
        ) { row in try decodeClient(row, offset: 0) }
        return rows
    }

    /// A client from `clientColumns` starting at column `offset`.
    static func decodeClient(_ row: SQLiteRow, offset: Int32) throws -> Client {
        let id = row.text(offset)
        let objectID = try SQLiteRecordDecoding.uuid(row.text(offset + 1), record: "client \(id)")
        // Method names this build does not know (written by a newer one) are left out rather than failing the read.
        let methods = Set(row.text(offset + 4).split(separator: " ").compactMap { ClientAuthenticationMethod(rawValue: String($0)) })
        let name = row.text(offset + 2)
        let enabled = row.bool(offset + 3)
        let lifetime = row.int(offset + 5)
        let reuse = row.bool(offset + 6)
        let bound = row.bool(offset + 7)
        let algorithm = row.optionalText(offset + 8).flatMap(JWSAlgorithm.init(rawValue:))
        let createdAt = row.date(offset + 9)
        let updatedAt = row.date(offset + 10)
        return try SQLiteRecordDecoding.decode("client \(id)") {
            try Client(
                id: id, objectID: objectID, name: name, enabled: enabled, authenticationMethods: methods,
                tokenLifetime: try TokenLifetime(seconds: lifetime), allowAssertionReuse: reuse,
                certificateBoundAccessTokens: bound, assertionSigningAlgorithm: algorithm, createdAt: createdAt,
                updatedAt: updatedAt)
        }
    }

    /// Throws `.unknownClient` unless the client exists (inside a write, before touching its credentials, so
    /// the error is a typed value rather than a foreign-key failure).
    static func requireClient(_ id: String, in database: SQLiteDatabase) throws {
        let found = try database.query("SELECT 1 FROM clients WHERE client_id = ?1", [.text(id)]) { _ in true }
        guard !found.isEmpty else { throw RegistrationStoreError.unknownClient(id) }
    }
}
