public import Foundation

extension SQLiteRegistrationStore {
    public func appendAuditEvent(_ event: AuditEvent) async throws {
        try await connection.write(durability: .normal) { database in
            try database.execute(
                "INSERT INTO audit_events (time, client_id, method, outcome, reason, resource) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                [
                    .date(event.time), .optionalText(event.clientID), .optionalText(event.method?.rawValue), .text(event.outcome.rawValue),
                    .optionalText(event.reason), .optionalText(event.resource),
                ])
        }
    }

    public func latestAuditEvents(limit: Int, clientID: String?) async throws -> [AuditEvent] {
        let limit = max(0, limit)
        return try await connection.read { database in
            try database.query(
                """
                SELECT sequence, time, client_id, method, outcome, reason, resource FROM audit_events
                WHERE ?1 IS NULL OR client_id = ?1 ORDER BY sequence DESC LIMIT ?2
                """,
                [.optionalText(clientID), .int(limit)]
            ) { row in
                AuditEvent(
                    sequence: row.int64(0), time: row.date(1), clientID: row.optionalText(2),
                    method: row.optionalText(3).flatMap(ClientAuthenticationMethod.init(rawValue:)),
                    outcome: AuditEvent.Outcome(rawValue: row.text(4)) ?? .refused, reason: row.optionalText(5),
                    resource: row.optionalText(6))
            }
        }
    }

    @discardableResult
    public func pruneAuditEvents(before time: Date) async throws -> Int {
        try await connection.write(durability: .normal) { database in
            try database.execute("DELETE FROM audit_events WHERE time < ?1", [.date(time)])
        }
    }
}
