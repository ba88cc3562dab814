/// Why a JSON text was refused. Offsets are byte positions; names are reported so an operator can find the
/// problem in their own documents (they are member names, never values).
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        public static let invalidUTF8 = Code(description: "invalidUTF8")

        public static let unexpectedEnd = Code(description: "unexpectedEnd")

        public static let unexpectedByte = Code(description: "unexpectedByte")

        public static let invalidNumber = Code(description: "invalidNumber")

        public static let invalidString = Code(description: "invalidString")

        public static let duplicateMember = Code(description: "duplicateMember")

        public static let nestingTooDeep = Code(description: "nestingTooDeep")

        public static let trailingData = Code(description: "trailingData")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static var invalidUTF8: Self {
        Self(code: .invalidUTF8, message: "not valid UTF-8")
    }

    public static var unexpectedEnd: Self {
        Self(code: .unexpectedEnd, message: "JSON ends too early")
    }

    public static func unexpectedByte(offset: Int) -> Self {
        Self(code: .unexpectedByte, message: "unexpected character at byte \(offset)")
    }

    public static func invalidNumber(offset: Int) -> Self {
        Self(code: .invalidNumber, message: "invalid number at byte \(offset)")
    }

    public static func invalidString(offset: Int) -> Self {
        Self(code: .invalidString, message: "invalid string at byte \(offset)")
    }

    public static func duplicateMember(_ name: String) -> Self {
        Self(code: .duplicateMember, message: "member \"\(JSONParseError.printable(name))\" appears twice")
    }

    public static var nestingTooDeep: Self {
        Self(code: .nestingTooDeep, message: "JSON nested too deeply")
    }

    public static func trailingData(offset: Int) -> Self {
        Self(code: .trailingData, message: "unexpected data after the JSON value at byte \(offset)")
    }

/// Names come from untrusted documents: keep messages one short printable line.
    static func printable(_ text: String) -> String {
        let cleaned = text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.map(Character.init)
        let prefix = String(cleaned.prefix(40))
        return cleaned.count > 40 ? prefix + "…" : prefix
    }
}
