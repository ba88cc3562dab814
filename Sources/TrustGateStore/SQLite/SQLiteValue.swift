import Foundation

/// A value bound to a statement parameter. Values always travel as bound parameters, never inside SQL text.
enum SQLiteValue: Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    static func bool(_ value: Bool) -> SQLiteValue { .integer(value ? 1 : 0) }
    static func int(_ value: Int) -> SQLiteValue { .integer(Int64(value)) }

    /// Milliseconds since 1970, the store's time representation (sortable, exact, zone-free).
    static func date(_ value: Date) -> SQLiteValue { .integer(SQLiteTime.milliseconds(value)) }

    static func optionalDate(_ value: Date?) -> SQLiteValue { value.map(date) ?? .null }
    static func optionalText(_ value: String?) -> SQLiteValue { value.map(SQLiteValue.text) ?? .null }
    static func optionalBlob(_ value: [UInt8]?) -> SQLiteValue { value.map(SQLiteValue.blob) ?? .null }
    static func optionalInt(_ value: Int?) -> SQLiteValue { value.map(int) ?? .null }
}

enum SQLiteTime {
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
