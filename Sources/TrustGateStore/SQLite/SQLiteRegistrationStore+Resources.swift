import Foundation

extension SQLiteRegistrationStore {
    public func addResource(_ resource: Resource) async throws {
        do { try resource.validate() } catch { throw RegistrationStoreError.invalidValue(error) }
        try await connection.write { database in
            do {
                try database.execute(
                    """
                    INSERT INTO resources (identifier, name, token_profile, access_token_lifetime, created_at, updated_at)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                    """,
                    [
                        .text(resource.identifier), .text(resource.name), .text(resource.tokenProfile.rawValue),
                        .optionalInt(resource.accessTokenLifetime?.seconds), .date(resource.createdAt), .date(resource.updatedAt),
                    ])
            } catch let error as SQLiteError where error.isUniquenessViolation {
                throw RegistrationStoreError.resourceAlreadyExists(resource.identifier)
            }
            try Self.replaceRoles(of: resource.identifier, with: resource.appRoles, in: database)
        }
    }

    public func updateResource(_ resource: Resource) async throws {
        do { try resource.validate() } catch { throw RegistrationStoreError.invalidValue(error) }
        try await connection.write { database in
            let changed = try database.execute(
                """
                UPDATE resources SET name = ?2, token_profile = ?3, access_token_lifetime = ?4, updated_at = ?5
                WHERE identifier = ?1
                """,
                [
                    .text(resource.identifier), .text(resource.name), .text(resource.tokenProfile.rawValue),
                    .optionalInt(resource.accessTokenLifetime?.seconds), .date(Date()),
                ])
            guard changed == 1 else { throw RegistrationStoreError.unknownResource(resource.identifier) }
            try Self.replaceRoles(of: resource.identifier, with: resource.appRoles, in: database)
        }
    }

    public func removeResource(identifier: String) async throws {
        try await connection.write { database in
            let changed = try database.execute("DELETE FROM resources WHERE identifier = ?1", [.text(identifier)])
            guard changed == 1 else { throw RegistrationStoreError.unknownResource(identifier) }
        }
    }

    public func resource(identifier: String) async throws -> Resource? {
        try await connection.read { database in
            try Self.loadResources(database, identifier: identifier).first
        }
    }

    public func resources() async throws -> [Resource] {
        try await connection.read { database in
            try Self.loadResources(database, identifier: nil)
        }
    }

    // MARK: - Rows

    /// Roles no longer listed are deleted (their grants go with them, by cascade); new ones are added; the
    /// declared order is kept.
    static func replaceRoles(of resource: String, with roles: [String], in database: SQLiteDatabase) throws {
        let existing = Set(try database.query("SELECT role FROM resource_roles WHERE resource = ?1", [.text(resource)]) { $0.text(0) })
        for role in existing.subtracting(roles) {
            try database.execute("DELETE FROM resource_roles WHERE resource = ?1 AND role = ?2", [.text(resource), .text(role)])
        }
        for (position, role) in roles.enumerated() {
            try database.execute(
                """
                INSERT INTO resource_roles (resource, role, position) VALUES (?1, ?2, ?3)
                ON CONFLICT (resource, role) DO UPDATE SET position = excluded.position
                """,
                [.text(resource), .text(role), .int(position)])
        }
    }

    static func loadResources(_ database: SQLiteDatabase, identifier: String?) throws -> [Resource] {
        let sql = """
            SELECT identifier, name, token_profile, access_token_lifetime, created_at, updated_at FROM resources
            WHERE ?1 IS NULL OR identifier = ?1 ORDER BY identifier
            """
        let rows = try database.query(sql, [.optionalText(identifier)]) { row in
            (
                identifier: row.text(0), name: row.text(1), profile: row.text(2), lifetime: row.optionalInt(3),
                createdAt: row.date(4), updatedAt: row.date(5)
            )
        }
        return try rows.map { row in
            let roles = try database.query(
                "SELECT role FROM resource_roles WHERE resource = ?1 ORDER BY position", [.text(row.identifier)]
            ) { $0.text(0) }
            return try SQLiteRecordDecoding.decode("resource \(row.identifier)") {
                try Resource(
                    identifier: row.identifier, name: row.name, appRoles: roles,
                    tokenProfile: TokenProfile(rawValue: row.profile) ?? .rfc9068,
                    accessTokenLifetime: try SQLiteRecordDecoding.lifetime(row.lifetime),
                    createdAt: row.createdAt, updatedAt: row.updatedAt)
            }
        }
    }
}
