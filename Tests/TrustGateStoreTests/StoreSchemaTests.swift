import Foundation
import XCTest

@testable import TrustGateStore

/// Opening, migrating and reopening store files.
final class StoreSchemaTests: XCTestCase {
    func testNewStoreIsMigratedPrivateAndInWALMode() async throws {
        let (store, path) = try makeStore(self)
        let version = try await store.schemaVersion()
        XCTAssertEqual(version, SQLiteRegistrationStore.supportedSchemaVersion)
        XCTAssertGreaterThanOrEqual(version, 1)

        try await store.addClient(try makeClient("first"))
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber).intValue
        XCTAssertEqual(mode & 0o777, 0o600, "the store file is private")
        let walMode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path + "-wal")[.posixPermissions] as? NSNumber).intValue
        XCTAssertEqual(walMode & 0o077, 0, "the WAL inherits the store's mode")

        let settings = try await store.connection.run { database in
            (
                journal: try database.query("PRAGMA journal_mode", []) { $0.text(0) }.first,
                synchronous: try database.query("PRAGMA synchronous", []) { $0.int(0) }.first,
                foreignKeys: try database.query("PRAGMA foreign_keys", []) { $0.int(0) }.first,
                migrations: try database.query("SELECT version FROM schema_migrations ORDER BY version", []) { $0.int(0) }
            )
        }
        XCTAssertEqual(settings.journal, "wal")
        XCTAssertEqual(settings.synchronous, 2, "synchronous=FULL")
        XCTAssertEqual(settings.foreignKeys, 1)
        XCTAssertEqual(settings.migrations, SQLiteSchema.migrations.map(\.version))
    }

    func testReopeningKeepsDataAndDoesNotMigrateAgain() async throws {
        let (store, path) = try makeStore(self)
        try await store.addResource(try Resource(identifier: "api://loyalty", name: "Loyalty", appRoles: ["read", "write"]))
        try await store.addClient(try makeClient("billing"))
        try await store.grantRoles(clientID: "billing", resource: "api://loyalty", roles: ["read"])
        await store.close()

        let reopened = try SQLiteRegistrationStore(path: path, create: false)
        let resource = try await reopened.resource(identifier: "api://loyalty")
        XCTAssertEqual(resource?.appRoles, ["read", "write"])
        let client = try await reopened.client(id: "billing")
        XCTAssertEqual(client?.name, "Client billing")
        let roles = try await reopened.grantedRoles(clientID: "billing", resource: "api://loyalty")
        XCTAssertEqual(roles, ["read"])
        let migrations = try await reopened.connection.run { database in
            try database.query("SELECT count(*) FROM schema_migrations", []) { $0.int(0) }.first
        }
        XCTAssertEqual(migrations, SQLiteSchema.migrations.count)
    }

    func testClosedStoreRefusesCalls() async throws {
        let (store, _) = try makeStore(self)
        await store.close()
        let error = await asyncError { _ = try await store.clients() }
        XCTAssertEqual(error as? RegistrationStoreError, .closed)
    }

    func testStoreFromANewerVersionIsRefused() async throws {
        let (store, path) = try makeStore(self)
        try await store.connection.run { database in
            try database.execute(
                "INSERT INTO schema_migrations (version, summary, applied_at) VALUES (?1, 'from the future', 0)", [.int(999)])
        }
        await store.close()
        XCTAssertThrowsError(try SQLiteRegistrationStore(path: path)) { error in
            XCTAssertEqual(error as? RegistrationStoreError, .schemaTooNew(found: 999, supported: SQLiteRegistrationStore.supportedSchemaVersion))
            XCTAssertTrue("\(error)".contains("newer"), "\(error)")
        }
    }

    func testMissingStoreIsNotCreatedForReading() throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("absent.db").path
        XCTAssertThrowsError(try SQLiteRegistrationStore(path: path, create: false)) { error in
            XCTAssertEqual(error as? RegistrationStoreError, .storeNotFound(path: path))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testFilesThatAreNotStoresAreRefused() async throws {
        let directory = try makeTemporaryDirectory(self)
        let garbage = directory.appendingPathComponent("garbage.db").path
        try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: garbage))
        XCTAssertThrowsError(try SQLiteRegistrationStore(path: garbage)) { error in
            guard (error as? RegistrationStoreError)?.code == .notAStore else { return XCTFail("\(error)") }
        }

        // Somebody else's SQLite database: no schema_migrations table, other tables present.
        let foreign = directory.appendingPathComponent("foreign.db").path
        let store = try SQLiteRegistrationStore(path: foreign)
        try await store.connection.run { database in
            try database.executeScript("DROP TABLE schema_migrations; CREATE TABLE other (x INTEGER)")
        }
        await store.close()
        XCTAssertThrowsError(try SQLiteRegistrationStore(path: foreign)) { error in
            guard (error as? RegistrationStoreError)?.code == .notAStore else { return XCTFail("\(error)") }
        }
    }

    func testMigrationsAreAppliedOneTransactionEach() throws {
        // A migration that fails halfway leaves neither its tables nor its version behind.
        let path = try makeTemporaryDirectory(self).appendingPathComponent("partial.db").path
        let database = try SQLiteDatabase(path: path, create: true, busyTimeout: .seconds(5))
        let latest = SQLiteSchema.migrations.count
        let broken = SQLiteSchema.migrations + [
            SQLiteSchema.Migration(version: latest + 1, summary: "broken", sql: "CREATE TABLE added (x INTEGER); CREATE TABLE added (y INTEGER);")
        ]
        XCTAssertThrowsError(try SQLiteMigrator.migrate(database, migrations: broken))
        let version = try database.transaction(writing: false) { try SQLiteMigrator.currentVersion(database) }
        XCTAssertEqual(version, latest)
        let added = try database.query("SELECT 1 FROM sqlite_schema WHERE name = 'added'", []) { _ in true }
        XCTAssertTrue(added.isEmpty, "the failed migration's first table was rolled back")
    }
}
