/// Why a JSON text was refused. Offsets are byte positions; names are reported so an operator can find the
/// problem in their own documents (they are member names, never values).
public enum JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidUTF8
    case unexpectedEnd
    case unexpectedByte(offset: Int)
    case invalidNumber(offset: Int)
    case invalidString(offset: Int)
    case duplicateMember(String)
    case nestingTooDeep
    case trailingData(offset: Int)

    public var description: String {
        switch self {
        case .invalidUTF8: return "not valid UTF-8"
        case .unexpectedEnd: return "JSON ends too early"
        case .unexpectedByte(let offset): return "unexpected character at byte \(offset)"
        case .invalidNumber(let offset): return "invalid number at byte \(offset)"
        case .invalidString(let offset): return "invalid string at byte \(offset)"
        case .duplicateMember(let name): return "member \"\(JSONParseError.printable(name))\" appears twice"
        case .nestingTooDeep: return "JSON nested too deeply"
        case .trailingData(let offset): return "unexpected data after the JSON value at byte \(offset)"
        }
    }

    /// Names come from untrusted documents: keep messages one short printable line.
    static func printable(_ text: String) -> String {
        let cleaned = text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.map(Character.init)
        let prefix = String(cleaned.prefix(40))
        return cleaned.count > 40 ? prefix + "…" : prefix
    }
}
