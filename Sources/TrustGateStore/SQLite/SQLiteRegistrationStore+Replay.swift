public import Foundation

extension SQLiteRegistrationStore {
    /// Purge expired replay records at most this often, or after this many inserts, whichever comes first.
    static let replayPurgeInterval: TimeInterval = 60
    static let replayPurgeEvery = 1000

    public func recordAssertionID(clientID: String, jti: String, expiresAt: Date) async throws -> Bool {
        let record = try Self.replayRecord(clientID: clientID, jti: jti, expiresAt: expiresAt)
        // One statement decides: a new (client, jti) inserts; an existing one is overwritten only if it has
        // expired. `changes` is 1 exactly when the caller is the first to use the jti in its lifetime. SQLite runs
        // the statement under the database write lock, so concurrent callers (tasks or processes) cannot both win.
        return try await connection.write(durability: .normal) { database in
            let now = Date()
            let changed = try database.execute(
                """
                INSERT INTO replay_records (client_id, jti, expires_at) VALUES (?1, ?2, ?3)
                ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = excluded.expires_at
                WHERE replay_records.expires_at <= ?4
                """,
                [.text(record.clientID), .text(record.jti), .date(record.expiresAt), .date(now)])
            database.replayInsertsSincePurge += 1
            if database.replayInsertsSincePurge >= Self.replayPurgeEvery
                || now.timeIntervalSince(database.lastReplayPurge) >= Self.replayPurgeInterval
            {
                try database.execute("DELETE FROM replay_records WHERE expires_at <= ?1", [.date(now)])
                database.replayInsertsSincePurge = 0
                database.lastReplayPurge = now
            }
            return changed == 1
        }
    }

    private static func replayRecord(clientID: String, jti: String, expiresAt: Date) throws(RegistrationStoreError) -> ReplayRecord {
        do {
            return try ReplayRecord(clientID: clientID, jti: jti, expiresAt: expiresAt)
        } catch {
            throw .invalidValue(error)
        }
    }
}
