import CSQLite

/// A failed SQLite call: the extended result code and SQLite's message (which names tables and constraints,
/// never bound values).
struct SQLiteError: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    var primaryCode: Int32 { code & 0xFF }

    // Extended codes are `primary | (n << 8)`; spelled out because Swift does not import the macros.
    static let constraintPrimaryKey: Int32 = SQLITE_CONSTRAINT | (6 << 8)
    static let constraintUnique: Int32 = SQLITE_CONSTRAINT | (8 << 8)
    static let constraintForeignKey: Int32 = SQLITE_CONSTRAINT | (3 << 8)

    var isUniquenessViolation: Bool { code == Self.constraintUnique || code == Self.constraintPrimaryKey }
    var isForeignKeyViolation: Bool { code == Self.constraintForeignKey }
    var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }
    var isNotADatabase: Bool { primaryCode == SQLITE_NOTADB }

    var description: String { "\(message) (SQLite code \(code))" }

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// The error of the last call on `handle`.
    init(code: Int32, database handle: OpaquePointer?) {
        self.code = code
        if let handle, let text = sqlite3_errmsg(handle) {
            self.message = String(cString: text)
        } else {
            self.message = String(cString: sqlite3_errstr(code))
        }
    }
}
