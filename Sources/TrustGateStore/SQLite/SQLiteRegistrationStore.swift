import Foundation

/// The registration store in one SQLite file: WAL, `synchronous=FULL`, foreign keys, versioned migrations.
///
/// One connection per instance, used from a serial queue; several instances, in one process or in several
/// (two `trustgate` commands at once, a server and the CLI), share the file safely through SQLite's locking.
/// The file is created with mode 0600 (the WAL and shared-memory files inherit it).
public final class SQLiteRegistrationStore: RegistrationStore {
    public let path: String
    let connection: SQLiteSerialConnection

    /// The default wait for another process's write lock.
    public static let defaultBusyTimeout = Duration.seconds(10)

    /// Opens the store at `path`, creating the file (mode 0600) when `create` is true and it does not exist, and
    /// applying pending migrations.
    /// - Throws: `RegistrationStoreError` (`.storeNotFound`, `.notAStore`, `.schemaTooNew`, `.storageFailure`).
    public init(path: String, create: Bool = true, busyTimeout: Duration = defaultBusyTimeout) throws(RegistrationStoreError) {
        self.path = path
        self.connection = try SQLiteSerialConnection(path: path, create: create, busyTimeout: busyTimeout)
    }

    /// Closes the connection; later calls fail with `.closed`. Dropping the store closes it as well.
    public func close() async {
        await connection.close()
    }

    /// The schema version of the open store.
    public func schemaVersion() async throws -> Int {
        try await connection.read { try SQLiteMigrator.currentVersion($0) }
    }

    /// The newest schema version this build knows.
    public static var supportedSchemaVersion: Int { SQLiteSchema.latestVersion }
}
