import Foundation

/// A registration value that breaks a rule (an empty name, a lifetime out of bounds, a role not on the resource's
/// list). `field` names the value as the CLI and the API call it; `reason` says what is wrong with it and never
/// repeats secret material.
public struct InvalidRegistrationValue: Error, Sendable, Hashable, CustomStringConvertible {
    public let field: String
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}

/// Shared checks for the short identifiers and names registrations carry.
enum RegistrationText {
    /// Visible characters only: identifiers end up in tokens, logs and HTTP headers, where whitespace and control
    /// characters would be ambiguous or dangerous.
    static func checkIdentifier(_ value: String, field: String, maxLength: Int = 256) throws(InvalidRegistrationValue) {
        guard !value.isEmpty else { throw InvalidRegistrationValue(field: field, reason: "it is empty") }
        guard value.count <= maxLength else {
            throw InvalidRegistrationValue(field: field, reason: "longer than \(maxLength) characters")
        }
        guard value.unicodeScalars.allSatisfy({ !$0.properties.isWhitespace && !isControl($0) }) else {
            throw InvalidRegistrationValue(field: field, reason: "it contains whitespace or control characters")
        }
    }

    /// Display names: any printable text, trimmed by the caller, no control characters.
    static func checkName(_ value: String, field: String, maxLength: Int = 200) throws(InvalidRegistrationValue) {
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw InvalidRegistrationValue(field: field, reason: "it is empty")
        }
        guard value.count <= maxLength else {
            throw InvalidRegistrationValue(field: field, reason: "longer than \(maxLength) characters")
        }
        guard !value.unicodeScalars.contains(where: isControl) else {
            throw InvalidRegistrationValue(field: field, reason: "it contains control characters")
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
    }
}
