import CSQLite
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One SQLite connection with TrustGate's settings. Not thread-safe by itself: `SQLiteSerialConnection` confines
/// it to one serial queue.
///
/// - WAL: readers never block the writer and a crash never leaves a half-written page in the database file.
/// - `synchronous=FULL`: a commit has reached the disk when it returns, so a killed process (or a power cut)
///   loses no committed registration. Replay records and audit events use `NORMAL` (see `Durability`).
/// - `foreign_keys=ON`: a grant cannot outlive its client, role or resource.
/// - `busy_timeout`: another process holding the write lock makes us wait, not fail.
final class SQLiteDatabase {
    /// How much a committed write must survive.
    enum Durability {
        /// fsync on every commit: survives process kills and power loss.
        case full
        /// WAL without fsync per commit: survives a killed process (the WAL is in the OS's cache), may lose the
        /// last commits on power loss. For replay records and audit events, written on every token request.
        case normal
    }

    private var handle: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]
    private var durability = Durability.full
    let path: String
    /// Connection-local bookkeeping for opportunistic purges.
    var lastReplayPurge = Date.distantPast
    var replayInsertsSincePurge = 0

    /// Opens (and with `create`, first creates with mode 0600) the database at `path`.
    init(path: String, create: Bool, busyTimeout: Duration) throws(RegistrationStoreError) {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            guard create else { throw .storeNotFound(path: path) }
            try Self.createPrivateFile(path)
        }
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let error = SQLiteError(code: code, database: connection)
            sqlite3_close_v2(connection)
            throw .notAStore(path: path, reason: error.message)
        }
        handle = connection
        sqlite3_extended_result_codes(connection, 1)
        let milliseconds = busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
        sqlite3_busy_timeout(connection, Int32(clamping: milliseconds))
        do {
            try configure(busyTimeout: busyTimeout)
        } catch let error as SQLiteError where error.isNotADatabase {
            close()
            throw .notAStore(path: path, reason: error.message)
        } catch {
            close()
            throw .storageFailure("\(path): \(error)")
        }
    }

    deinit {
        close()
    }

    var isOpen: Bool { handle != nil }

    func close() {
        statements.removeAll()
        if let handle {
            sqlite3_close_v2(handle)
        }
        handle = nil
    }

    private func configure(busyTimeout: Duration) throws {
        // Switching to WAL needs a moment of exclusive access; the busy handler does not cover every case of a
        // concurrent opener, so retry within the timeout.
        let deadline = ContinuousClock.now + busyTimeout
        while true {
            do {
                let mode = try query("PRAGMA journal_mode=WAL", []) { $0.text(0) }.first
                guard mode?.lowercased() == "wal" else {
                    throw SQLiteError(code: SQLITE_ERROR, message: "cannot switch to WAL (journal mode \(mode ?? "unknown"))")
                }
                break
            } catch let error as SQLiteError where error.isBusy && ContinuousClock.now < deadline {
                usleep(10_000)
            }
        }
        try executeScript("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
    }

    /// `open(O_CREAT | O_EXCL, 0600)`: the file is never readable by others, not even between creation and a
    /// chmod. Losing a creation race to another process is fine: the file then exists.
    private static func createPrivateFile(_ path: String) throws(RegistrationStoreError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw .storageFailure("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        fchmod(descriptor, 0o600)
        closeDescriptor(descriptor)
    }

    // MARK: - Statements

    private func connection() throws(SQLiteError) -> OpaquePointer {
        guard let handle else { throw SQLiteError(code: SQLITE_MISUSE, message: "the store is closed") }
        return handle
    }

    /// A cached prepared statement for `sql`.
    private func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        let prepared = try SQLiteStatement(database: try connection(), sql: sql)
        statements[sql] = prepared
        return prepared
    }

    /// Runs a statement that returns no rows; returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ values: [SQLiteValue]) throws -> Int {
        let prepared = try statement(sql)
        defer { prepared.reset() }
        try prepared.bind(values)
        while try prepared.step() {}
        return Int(sqlite3_changes(try connection()))
    }

    /// Runs a query and maps each row.
    func query<Row>(_ sql: String, _ values: [SQLiteValue], _ map: (SQLiteRow) throws -> Row) throws -> [Row] {
        let prepared = try statement(sql)
        defer { prepared.reset() }
        try prepared.bind(values)
        var rows: [Row] = []
        while try prepared.step() {
            rows.append(try map(SQLiteRow(statement: prepared)))
        }
        return rows
    }

    /// Statements without values (schema, pragmas), possibly several separated by `;`.
    func executeScript(_ sql: String) throws {
        let database = try connection()
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(database, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(database), message: text)
        }
    }

    // MARK: - Transactions

    /// Runs `body` in a transaction. Writers begin IMMEDIATE: they take the write lock up front (waiting under
    /// the busy timeout) instead of failing when a read transaction later needs to write.
    func transaction<Result>(writing: Bool, durability: Durability = .full, _ body: () throws -> Result) throws -> Result {
        if writing { try setDurability(durability) }
        try executeScript(writing ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        do {
            let result = try body()
            try executeScript("COMMIT")
            return result
        } catch {
            try? executeScript("ROLLBACK")
            throw error
        }
    }

    private func setDurability(_ wanted: Durability) throws {
        guard wanted != durability else { return }
        try executeScript(wanted == .full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL")
        durability = wanted
    }
}

/// At file scope, where `close` is the C function rather than `SQLiteDatabase.close()`.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
