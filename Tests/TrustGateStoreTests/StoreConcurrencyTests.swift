import Foundation
import XCTest

@testable import TrustGateStore

/// Replay put-if-absent and concurrent writers, within one store and across two stores on one file (as two
/// `trustgate` processes would be).
final class StoreConcurrencyTests: XCTestCase {
    func testReplayRecordIsPutIfAbsentPerClientUntilItExpires() async throws {
        let (store, _) = try makeStore(self)
        let expiry = Date().addingTimeInterval(600)
        let first = try await store.recordAssertionID(clientID: "billing", jti: "abc", expiresAt: expiry)
        let replay = try await store.recordAssertionID(clientID: "billing", jti: "abc", expiresAt: expiry)
        let otherClient = try await store.recordAssertionID(clientID: "payroll", jti: "abc", expiresAt: expiry)
        XCTAssertTrue(first)
        XCTAssertFalse(replay, "the same jti from the same client is a replay")
        XCTAssertTrue(otherClient, "jti values are scoped per client")

        // An expired record no longer blocks; the new use is recorded with its own expiry.
        let past = Date().addingTimeInterval(-1)
        let stale = try await store.recordAssertionID(clientID: "billing", jti: "old", expiresAt: past)
        XCTAssertTrue(stale)
        let reuseAfterExpiry = try await store.recordAssertionID(clientID: "billing", jti: "old", expiresAt: expiry)
        XCTAssertTrue(reuseAfterExpiry)
        let replayOfRenewed = try await store.recordAssertionID(clientID: "billing", jti: "old", expiresAt: expiry)
        XCTAssertFalse(replayOfRenewed)

        let invalid = await asyncError { _ = try await store.recordAssertionID(clientID: "billing", jti: "", expiresAt: expiry) }
        guard (invalid as? RegistrationStoreError)?.code == .invalidValue else { return XCTFail("\(String(describing: invalid))") }
    }

    func testExpiredReplayRecordsArePurged() async throws {
        let (store, _) = try makeStore(self)
        for index in 0..<20 {
            _ = try await store.recordAssertionID(clientID: "billing", jti: "expired-\(index)", expiresAt: Date().addingTimeInterval(-10))
        }
        // Force the next call to purge.
        try await store.connection.run { database in database.lastReplayPurge = .distantPast }
        _ = try await store.recordAssertionID(clientID: "billing", jti: "fresh", expiresAt: Date().addingTimeInterval(600))
        let remaining = try await store.connection.run { database in
            try database.query("SELECT jti FROM replay_records", []) { $0.text(0) }
        }
        XCTAssertEqual(remaining, ["fresh"])
    }

    func testManyConcurrentUsesOfOneJTIHaveExactlyOneWinner() async throws {
        let (storeA, path) = try makeStore(self)
        let storeB = try SQLiteRegistrationStore(path: path)
        let expiry = Date().addingTimeInterval(600)
        for round in 0..<5 {
            let jti = "jti-\(round)"
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for attempt in 0..<40 {
                    let store = attempt.isMultiple(of: 2) ? storeA : storeB
                    group.addTask { try await store.recordAssertionID(clientID: "billing", jti: jti, expiresAt: expiry) }
                }
                var count = 0
                for try await won in group where won { count += 1 }
                return count
            }
            XCTAssertEqual(winners, 1, "round \(round)")
        }
    }

    func testTwoStoresOnOneFileWriteConcurrentlyWithoutLosingAnything() async throws {
        let (storeA, path) = try makeStore(self)
        let storeB = try SQLiteRegistrationStore(path: path)
        try await storeA.addResource(try Resource(identifier: "api://loyalty", name: "Loyalty", appRoles: ["read"]))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<60 {
                let store = index.isMultiple(of: 2) ? storeA : storeB
                group.addTask {
                    let id = "client-\(index)"
                    try await store.addClient(try makeClient(id))
                    try await store.grantRoles(clientID: id, resource: "api://loyalty", roles: ["read"])
                    try await store.appendAuditEvent(try AuditEvent(clientID: id, method: .privateKeyJWT, outcome: .issued))
                }
            }
            try await group.waitForAll()
        }
        let seenByA = try await storeA.clients()
        let seenByB = try await storeB.clients()
        XCTAssertEqual(seenByA.count, 60)
        XCTAssertEqual(seenByB.map(\.id), seenByA.map(\.id))
        let audit = try await storeB.latestAuditEvents(limit: 100, clientID: nil)
        XCTAssertEqual(audit.count, 60)

        // The same id from both stores at once: one succeeds, the other gets the typed error.
        let results = try await withThrowingTaskGroup(of: RegistrationStoreError?.self) { group in
            for store in [storeA, storeB] {
                group.addTask {
                    do {
                        try await store.addClient(try makeClient("contested"))
                        return nil
                    } catch let error as RegistrationStoreError {
                        return error
                    }
                }
            }
            var collected: [RegistrationStoreError?] = []
            for try await result in group { collected.append(result) }
            return collected
        }
        XCTAssertEqual(results.filter { $0 == nil }.count, 1)
        XCTAssertEqual(results.compactMap { $0 }, [.clientAlreadyExists("contested")])

        let integrity = try await storeA.connection.run { database in
            try database.query("PRAGMA integrity_check", []) { $0.text(0) }
        }
        XCTAssertEqual(integrity, ["ok"])
    }

    func testStoresOpeningANewFileAtOnceMigrateItOnce() async throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("race.db").path
        let versions = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let store = try SQLiteRegistrationStore(path: path)
                    return try await store.schemaVersion()
                }
            }
            var collected: [Int] = []
            for try await version in group { collected.append(version) }
            return collected
        }
        XCTAssertEqual(versions, Array(repeating: SQLiteRegistrationStore.supportedSchemaVersion, count: 6))
        let store = try SQLiteRegistrationStore(path: path)
        let rows = try await store.connection.run { database in
            try database.query("SELECT count(*) FROM schema_migrations", []) { $0.int(0) }.first
        }
        XCTAssertEqual(rows, SQLiteSchema.migrations.count)
    }
}
