import Foundation

/// Brings a database to `SQLiteSchema.latestVersion`, one migration per transaction. Safe when several
/// processes open a new store at once: each migration re-reads the version under the write lock, so it is applied
/// exactly once.
enum SQLiteMigrator {
    static let migrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY NOT NULL,
            summary TEXT NOT NULL,
            applied_at INTEGER NOT NULL
        ) STRICT
        """

    static func migrate(
        _ database: SQLiteDatabase, migrations: [SQLiteSchema.Migration] = SQLiteSchema.migrations
    ) throws(RegistrationStoreError) {
        let supported = migrations.last?.version ?? 0
        do {
            try database.transaction(writing: true) {
                let hasMigrationsTable = try !database.query(
                    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'", []
                ) { _ in true }.isEmpty
                if !hasMigrationsTable {
                    // A database with other tables is someone else's: adding ours would mix two applications.
                    let otherTables = try database.query(
                        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", []
                    ) { $0.int(0) }.first ?? 0
                    guard otherTables == 0 else {
                        throw RegistrationStoreError.notAStore(
                            path: database.path, reason: "the database has tables but no schema_migrations table")
                    }
                    try database.executeScript(migrationsTable)
                }
            }
            for migration in migrations {
                try database.transaction(writing: true) {
                    let current = try currentVersion(database)
                    guard current <= supported else {
                        throw RegistrationStoreError.schemaTooNew(found: current, supported: supported)
                    }
                    guard current < migration.version else { return }
                    try database.executeScript(migration.sql)
                    try database.execute(
                        "INSERT INTO schema_migrations (version, summary, applied_at) VALUES (?1, ?2, ?3)",
                        [.int(migration.version), .text(migration.summary), .date(Date())])
                }
            }
            // A store that is already current still has to refuse a newer schema.
            let current = try database.transaction(writing: false) { try currentVersion(database) }
            guard current <= supported else { throw RegistrationStoreError.schemaTooNew(found: current, supported: supported) }
        } catch let error as RegistrationStoreError {
            throw error
        } catch let error as SQLiteError where error.isNotADatabase {
            throw .notAStore(path: database.path, reason: error.message)
        } catch {
            throw .storageFailure("\(database.path): migrating the schema failed: \(error)")
        }
    }

    static func currentVersion(_ database: SQLiteDatabase) throws -> Int {
        try database.query("SELECT coalesce(max(version), 0) FROM schema_migrations", []) { $0.int(0) }.first ?? 0
    }
}
