import Foundation

/// Named keys for the calling side (`trustgate keys add-secret|add-pfx|list|remove`, connectors' key references).
extension SQLiteRegistrationStore {
    public func namedKeys() async throws -> [NamedKey] {
        try await connection.read { database in
            try database.query("SELECT \(Self.namedKeyColumns) FROM named_keys ORDER BY name", [], Self.decodeNamedKey)
        }
    }

    public func namedKey(name: String) async throws -> NamedKey? {
        try await connection.read { database in
            try database.query("SELECT \(Self.namedKeyColumns) FROM named_keys WHERE name = ?1", [.text(name)], Self.decodeNamedKey).first
        }
    }

    /// Adds `key`; with `replacing`, a key of the same name (of either kind) is replaced in the same transaction.
    /// - Throws: `NamedKeyError.alreadyExists` when the name is taken and `replacing` is false.
    public func addNamedKey(_ key: NamedKey, replacing: Bool = false) async throws {
        try await connection.write { database in
            if replacing {
                try database.execute("DELETE FROM named_keys WHERE name = ?1", [.text(key.name)])
            }
            do {
                try database.execute(
                    "INSERT INTO named_keys (\(Self.namedKeyColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    [
                        .text(key.name), .text(key.kind.rawValue), .blob(key.sealedValue.bytes),
                        .optionalText(key.certificate?.subject), .optionalBlob(key.certificate?.sha256),
                        .optionalDate(key.certificate?.notAfter), .date(key.createdAt),
                    ])
            } catch let error as SQLiteError where error.isUniquenessViolation {
                throw NamedKeyError.alreadyExists(key.name)
            }
        }
    }

    /// - Throws: `NamedKeyError.unknown` when there is no key of that name.
    public func removeNamedKey(name: String) async throws {
        try await connection.write { database in
            guard try database.execute("DELETE FROM named_keys WHERE name = ?1", [.text(name)]) > 0 else {
                throw NamedKeyError.unknown(name)
            }
        }
    }

    // MARK: - Rows

    static let namedKeyColumns = "name, kind, sealed_value, certificate_subject, certificate_sha256, certificate_not_after, created_at"

    static func decodeNamedKey(_ row: SQLiteRow) throws -> NamedKey {
        let name = row.text(0)
        guard let kind = NamedKey.Kind(rawValue: row.text(1)) else {
            throw RegistrationStoreError.storageFailure("named key \(name) has an unknown kind '\(row.text(1))'")
        }
        let sealed = SealedNamedKeyValue(bytes: row.blob(2))
        var facts: NamedKey.CertificateFacts?
        if let subject = row.optionalText(3), let sha256 = row.optionalBlob(4), let notAfter = row.optionalDate(5) {
            facts = NamedKey.CertificateFacts(subject: subject, sha256: sha256, notAfter: notAfter)
        }
        let createdAt = row.date(6)
        return try SQLiteRecordDecoding.decode("named key \(name)") {
            try NamedKey(name: name, kind: kind, sealedValue: sealed, certificate: facts, createdAt: createdAt)
        }
    }
}
