public import Foundation

extension SQLiteRegistrationStore {
    public func signingKeys() async throws -> [SigningKey] {
        try await connection.read { database in
            try database.query("SELECT \(Self.signingKeyColumns) FROM signing_keys ORDER BY created_at, kid", [], Self.decodeSigningKey)
        }
    }

    public func addSigningKey(_ key: SigningKey) async throws {
        try await connection.write { database in try Self.insert(key, into: database) }
    }

    public func activateSigningKey(keyID: String, at time: Date) async throws {
        try await connection.write { database in
            let key = try Self.requireSigningKey(keyID, in: database)
            // Compared as stored: milliseconds.
            guard SQLiteTime.milliseconds(key.publishedAt) <= SQLiteTime.milliseconds(time) else {
                throw RegistrationStoreError.invalidValue(
                    InvalidRegistrationValue(field: "active from", reason: "signing key \(keyID) is published only later"))
            }
            try database.execute("UPDATE signing_keys SET active_from = ?2 WHERE kid = ?1", [.text(keyID), .date(time)])
        }
    }

    public func retireSigningKey(keyID: String, at time: Date, removeAt removal: Date) async throws {
        guard removal >= time else {
            throw RegistrationStoreError.invalidValue(
                InvalidRegistrationValue(field: "removed at", reason: "a key leaves the JWKS only after it stops signing"))
        }
        try await connection.write { database in
            _ = try Self.requireSigningKey(keyID, in: database)
            try database.execute(
                "UPDATE signing_keys SET retired_at = ?2, removed_at = ?3 WHERE kid = ?1", [.text(keyID), .date(time), .date(removal)])
        }
    }

    @discardableResult
    public func rotateSigningKeys(adding newKey: SigningKey, retention: TimeInterval) async throws -> [SigningKey] {
        let retireAt = newKey.activeFrom ?? Date()
        let removeAt = retireAt.addingTimeInterval(max(0, retention))
        return try await connection.write { database in
            let previous = try database.query(
                "SELECT \(Self.signingKeyColumns) FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at, kid", [],
                Self.decodeSigningKey)
            try Self.insert(newKey, into: database)
            for key in previous {
                try database.execute(
                    "UPDATE signing_keys SET retired_at = ?2, removed_at = ?3 WHERE kid = ?1",
                    [.text(key.keyID), .date(retireAt), .date(removeAt)])
            }
            var retired: [SigningKey] = []
            for key in previous {
                retired.append(try Self.requireSigningKey(key.keyID, in: database))
            }
            return retired
        }
    }

    public func currentSigningKey(at time: Date) async throws -> SigningKey? {
        let now = SQLiteValue.date(time)
        return try await connection.read { database in
            try database.query(
                """
                SELECT \(Self.signingKeyColumns) FROM signing_keys
                WHERE published_at <= ?1 AND active_from IS NOT NULL AND active_from <= ?1
                    AND (retired_at IS NULL OR retired_at > ?1) AND (removed_at IS NULL OR removed_at > ?1)
                ORDER BY active_from DESC, created_at DESC LIMIT 1
                """,
                [now], Self.decodeSigningKey
            ).first
        }
    }

    public func publishedSigningKeys(at time: Date) async throws -> [SigningKey] {
        let now = SQLiteValue.date(time)
        return try await connection.read { database in
            try database.query(
                """
                SELECT \(Self.signingKeyColumns) FROM signing_keys
                WHERE published_at <= ?1 AND (removed_at IS NULL OR removed_at > ?1)
                ORDER BY created_at, kid
                """,
                [now], Self.decodeSigningKey)
        }
    }

    // MARK: - Rows

    static let signingKeyColumns = """
        kid, algorithm, public_key, certificate, sealed_private_key, created_at, published_at, active_from, retired_at, removed_at
        """

    static func insert(_ key: SigningKey, into database: SQLiteDatabase) throws {
        do {
            try database.execute(
                """
                INSERT INTO signing_keys (\(signingKeyColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                """,
                [
                    .text(key.keyID), .text(key.algorithm.rawValue), .blob(key.publicKeyDER), .optionalBlob(key.certificateDER),
                    .blob(key.sealedPrivateKey.bytes), .date(key.createdAt), .date(key.publishedAt), .optionalDate(key.activeFrom),
                    .optionalDate(key.retiredAt), .optionalDate(key.removedAt),
                ])
        } catch let error as SQLiteError where error.isUniquenessViolation {
            throw RegistrationStoreError.signingKeyAlreadyExists(key.keyID)
        }
    }

    static func requireSigningKey(_ keyID: String, in database: SQLiteDatabase) throws -> SigningKey {
        guard
            let key = try database.query(
                "SELECT \(signingKeyColumns) FROM signing_keys WHERE kid = ?1", [.text(keyID)], decodeSigningKey
            ).first
        else { throw RegistrationStoreError.unknownSigningKey(keyID) }
        return key
    }

    static func decodeSigningKey(_ row: SQLiteRow) throws -> SigningKey {
        let keyID = row.text(0)
        guard let algorithm = SigningKeyAlgorithm(rawValue: row.text(1)) else {
            throw RegistrationStoreError.storageFailure("signing key \(keyID) has an unknown algorithm '\(row.text(1))'")
        }
        let publicKey = row.blob(2)
        let certificate = row.optionalBlob(3)
        let sealed = SealedPrivateKey(bytes: row.blob(4))
        let createdAt = row.date(5)
        let publishedAt = row.date(6)
        let activeFrom = row.optionalDate(7)
        let retiredAt = row.optionalDate(8)
        let removedAt = row.optionalDate(9)
        return try SQLiteRecordDecoding.decode("signing key \(keyID)") {
            try SigningKey(
                keyID: keyID, algorithm: algorithm, publicKeyDER: publicKey, certificateDER: certificate, sealedPrivateKey: sealed,
                createdAt: createdAt, publishedAt: publishedAt, activeFrom: activeFrom, retiredAt: retiredAt, removedAt: removedAt)
        }
    }
}
