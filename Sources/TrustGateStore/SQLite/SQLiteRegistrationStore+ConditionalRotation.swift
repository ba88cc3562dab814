public import Foundation

extension SQLiteRegistrationStore: ConditionalSigningKeyRotation {
    public func rotateSigningKeys(
        adding newKey: SigningKey, retention: TimeInterval, ifNewestKeyActiveBy cutoff: Date
    ) async throws -> [SigningKey]? {
        let retireAt = newKey.activeFrom ?? Date()
        let removeAt = retireAt.addingTimeInterval(max(0, retention))
        // BEGIN IMMEDIATE holds the write lock from the first statement: the age check and the insert cannot be
        // interleaved with another process's rotation.
        return try await connection.write { database -> [SigningKey]? in
            if let newest = try Self.newestActivation(in: database),
                SQLiteTime.milliseconds(newest) > SQLiteTime.milliseconds(cutoff)
            {
                return nil
            }
            let previous = try database.query(
                "SELECT \(Self.signingKeyColumns) FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at, kid", [],
                Self.decodeSigningKey)
            try Self.insert(newKey, into: database)
            for key in previous {
                try database.execute(
                    "UPDATE signing_keys SET retired_at = ?2, removed_at = ?3 WHERE kid = ?1",
                    [.text(key.keyID), .date(retireAt), .date(removeAt)])
            }
            return try previous.map { try Self.requireSigningKey($0.keyID, in: database) }
        }
    }

    public func newestSigningKeyActivation() async throws -> Date? {
        try await connection.read { database in try Self.newestActivation(in: database) }
    }

    private static func newestActivation(in database: SQLiteDatabase) throws -> Date? {
        try database.query(
            "SELECT \(signingKeyColumns) FROM signing_keys ORDER BY created_at DESC, published_at DESC LIMIT 1", [], decodeSigningKey
        ).first.map { $0.activeFrom ?? $0.publishedAt }
    }
}
