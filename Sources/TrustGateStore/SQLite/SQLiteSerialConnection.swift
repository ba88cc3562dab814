import Dispatch
import Foundation

/// Confines one `SQLiteDatabase` to a serial dispatch queue: every call runs there, one at a time, and the
/// blocking SQLite work (disk I/O, waiting for another process's lock) happens on that queue's thread instead of
/// the Swift concurrency pool.
final class SQLiteSerialConnection: @unchecked Sendable {
    // @unchecked: `database` is read and written only inside blocks on `queue`.
    private let queue: DispatchQueue
    private var database: SQLiteDatabase?

    init(path: String, create: Bool, busyTimeout: Duration) throws(RegistrationStoreError) {
        queue = DispatchQueue(label: "trustgate.store.sqlite")
        let opened = try SQLiteDatabase(path: path, create: create, busyTimeout: busyTimeout)
        try SQLiteMigrator.migrate(opened)
        database = opened
    }

    /// Runs `body` with the connection on the queue. SQLite errors that the body did not translate become
    /// `.storageFailure`.
    @discardableResult
    func run<Result: Sendable>(_ body: @escaping @Sendable (SQLiteDatabase) throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            queue.async {
                guard let database = self.database else {
                    continuation.resume(throwing: RegistrationStoreError.closed)
                    return
                }
                do {
                    continuation.resume(returning: try body(database))
                } catch let error as SQLiteError {
                    continuation.resume(throwing: RegistrationStoreError.storageFailure(error.description))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// A write transaction.
    @discardableResult
    func write<Result: Sendable>(
        durability: SQLiteDatabase.Durability = .full, _ body: @escaping @Sendable (SQLiteDatabase) throws -> Result
    ) async throws -> Result {
        try await run { database in
            try database.transaction(writing: true, durability: durability) { try body(database) }
        }
    }

    /// A read transaction: one consistent snapshot for every query in `body`.
    @discardableResult
    func read<Result: Sendable>(_ body: @escaping @Sendable (SQLiteDatabase) throws -> Result) async throws -> Result {
        try await run { database in
            try database.transaction(writing: false) { try body(database) }
        }
    }

    /// Closes the connection (after calls already queued); later calls fail with `.closed`.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.database?.close()
                self.database = nil
                continuation.resume()
            }
        }
    }
}
