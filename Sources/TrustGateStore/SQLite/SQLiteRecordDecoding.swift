import Foundation

/// Turning stored rows back into entities. A row that no longer passes the entities' checks means the file was
/// edited by hand or damaged; it is reported as a storage failure naming the record, never silently skipped.
enum SQLiteRecordDecoding {
    static func decode<Value>(_ record: String, _ make: () throws -> Value) throws -> Value {
        do {
            return try make()
        } catch let error as InvalidRegistrationValue {
            throw RegistrationStoreError.storageFailure("the stored \(record) is invalid: \(error)")
        }
    }

    static func encodeList(_ values: [String]) -> String {
        guard let data = try? JSONEncoder().encode(values) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeList(_ text: String, record: String) throws(RegistrationStoreError) -> [String] {
        guard let values = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
            throw .storageFailure("the stored \(record) has a malformed list")
        }
        return values
    }

    static func uuid(_ text: String, record: String) throws(RegistrationStoreError) -> UUID {
        guard let value = UUID(uuidString: text) else { throw .storageFailure("the stored \(record) has a malformed id") }
        return value
    }

    static func lifetime(_ seconds: Int?) throws(InvalidRegistrationValue) -> TokenLifetime? {
        guard let seconds else { return nil }
        return try TokenLifetime(seconds: seconds)
    }
}
