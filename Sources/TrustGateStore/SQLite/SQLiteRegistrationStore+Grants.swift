import Foundation

extension SQLiteRegistrationStore {
    @discardableResult
    public func grantRoles(clientID: String, resource: String, roles: [String]) async throws -> RoleGrant {
        guard !roles.isEmpty else {
            throw RegistrationStoreError.invalidValue(InvalidRegistrationValue(field: "role", reason: "give at least one role to grant"))
        }
        return try await connection.write { database in
            try Self.requireClient(clientID, in: database)
            let declared = Set(
                try database.query("SELECT role FROM resource_roles WHERE resource = ?1", [.text(resource)]) { $0.text(0) })
            if declared.isEmpty {
                let exists = try !database.query("SELECT 1 FROM resources WHERE identifier = ?1", [.text(resource)]) { _ in true }.isEmpty
                guard exists else { throw RegistrationStoreError.unknownResource(resource) }
            }
            if let unknown = roles.first(where: { !declared.contains($0) }) {
                throw RegistrationStoreError.unknownRole(role: unknown, resource: resource)
            }
            let now = Date()
            for role in Set(roles) {
                try database.execute(
                    """
                    INSERT INTO role_grants (client_id, resource, role, granted_at) VALUES (?1, ?2, ?3, ?4)
                    ON CONFLICT (client_id, resource, role) DO NOTHING
                    """,
                    [.text(clientID), .text(resource), .text(role), .date(now)])
            }
            return RoleGrant(clientID: clientID, resource: resource, roles: try Self.loadRoles(database, clientID: clientID, resource: resource))
        }
    }

    @discardableResult
    public func revokeRoles(clientID: String, resource: String, roles: [String]?) async throws -> RoleGrant? {
        try await connection.write { database in
            try Self.requireClient(clientID, in: database)
            let held = try Self.loadRoles(database, clientID: clientID, resource: resource)
            guard !held.isEmpty else {
                let exists = try !database.query("SELECT 1 FROM resources WHERE identifier = ?1", [.text(resource)]) { _ in true }.isEmpty
                guard exists else { throw RegistrationStoreError.unknownResource(resource) }
                return nil
            }
            if let roles {
                let declared = Set(
                    try database.query("SELECT role FROM resource_roles WHERE resource = ?1", [.text(resource)]) { $0.text(0) })
                if let unknown = roles.first(where: { !declared.contains($0) }) {
                    throw RegistrationStoreError.unknownRole(role: unknown, resource: resource)
                }
                for role in Set(roles) {
                    try database.execute(
                        "DELETE FROM role_grants WHERE client_id = ?1 AND resource = ?2 AND role = ?3",
                        [.text(clientID), .text(resource), .text(role)])
                }
            } else {
                try database.execute(
                    "DELETE FROM role_grants WHERE client_id = ?1 AND resource = ?2", [.text(clientID), .text(resource)])
            }
            let remaining = try Self.loadRoles(database, clientID: clientID, resource: resource)
            return remaining.isEmpty ? nil : RoleGrant(clientID: clientID, resource: resource, roles: remaining)
        }
    }

    public func grants(clientID: String) async throws -> [RoleGrant] {
        try await connection.read { database in try Self.loadGrants(database, clientID: clientID) }
    }

    static func loadRoles(_ database: SQLiteDatabase, clientID: String, resource: String) throws -> [String] {
        try database.query(
            "SELECT role FROM role_grants WHERE client_id = ?1 AND resource = ?2 ORDER BY role", [.text(clientID), .text(resource)]
        ) { $0.text(0) }
    }

    static func loadGrants(_ database: SQLiteDatabase, clientID: String) throws -> [RoleGrant] {
        let rows = try database.query(
            "SELECT resource, role FROM role_grants WHERE client_id = ?1 ORDER BY resource, role", [.text(clientID)]
        ) { (resource: $0.text(0), role: $0.text(1)) }
        var byResource: [(String, [String])] = []
        for row in rows {
            if byResource.last?.0 == row.resource {
                byResource[byResource.count - 1].1.append(row.role)
            } else {
                byResource.append((row.resource, [row.role]))
            }
        }
        return byResource.map { RoleGrant(clientID: clientID, resource: $0.0, roles: $0.1) }
    }
}
