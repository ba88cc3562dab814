/// An RFC 8259 parser that refuses what JOSE must refuse and what Foundation's parser silently accepts:
/// duplicate member names (JSONSerialization keeps one of them, so two parsers could disagree on a token's
/// `alg` or `aud`), invalid UTF-8, lone surrogates, and any byte after the value. Nesting depth is bounded so a
/// hostile document cannot exhaust the stack.
public struct StrictJSONParser {
    public static let defaultMaximumDepth = 32

    public static func parse<Bytes: Collection>(
        _ bytes: Bytes, maximumDepth: Int = defaultMaximumDepth
    ) throws(JSONParseError) -> JSONValue where Bytes.Element == UInt8 {
        let input = Array(bytes)
        guard String(validating: input, as: UTF8.self) != nil else { throw .invalidUTF8 }
        var parser = StrictJSONParser(input: input, maximumDepth: maximumDepth)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == input.count else { throw .trailingData(offset: parser.position) }
        return value
    }

    public static func parse(_ text: String, maximumDepth: Int = defaultMaximumDepth) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), maximumDepth: maximumDepth)
    }

    /// The document must be an object (JOSE headers, claim sets, JWKs).
    public static func parseObject<Bytes: Collection>(
        _ bytes: Bytes, maximumDepth: Int = defaultMaximumDepth
    ) throws(JSONParseError) -> JSONObject? where Bytes.Element == UInt8 {
        try parse(bytes, maximumDepth: maximumDepth).objectValue
    }

    private let input: [UInt8]
    private let maximumDepth: Int
    private var position = 0

    private init(input: [UInt8], maximumDepth: Int) {
        self.input = input
        self.maximumDepth = maximumDepth
    }

    private mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func peek() throws(JSONParseError) -> UInt8 {
        guard position < input.count else { throw .unexpectedEnd }
        return input[position]
    }

    private mutating func expect(_ literal: String, value: JSONValue) throws(JSONParseError) -> JSONValue {
        for byte in literal.utf8 {
            guard position < input.count else { throw .unexpectedEnd }
            guard input[position] == byte else { throw .unexpectedByte(offset: position) }
            position += 1
        }
        return value
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        switch try peek() {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try parseArray(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", value: .bool(true))
        case UInt8(ascii: "f"): return try expect("false", value: .bool(false))
        case UInt8(ascii: "n"): return try expect("null", value: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw .unexpectedByte(offset: position)
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONObject {
        guard depth <= maximumDepth else { throw .nestingTooDeep }
        position += 1  // {
        var object = JSONObject()
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return object
        }
        while true {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else { throw .unexpectedByte(offset: position) }
            let name = try parseString()
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw .unexpectedByte(offset: position) }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            guard object.appendUnique(name, value) else { throw .duplicateMember(name) }
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return object
            default: throw .unexpectedByte(offset: position)
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> [JSONValue] {
        guard depth <= maximumDepth else { throw .nestingTooDeep }
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return elements
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return elements
            default: throw .unexpectedByte(offset: position)
            }
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        let start = position
        position += 1  // opening quote
        var bytes: [UInt8] = []
        while true {
            guard position < input.count else { throw .unexpectedEnd }
            let byte = input[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: bytes, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard position < input.count else { throw .unexpectedEnd }
                let escape = input[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): bytes.append(0x22)
                case UInt8(ascii: "\\"): bytes.append(0x5C)
                case UInt8(ascii: "/"): bytes.append(0x2F)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape(stringStart: start)
                    bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw .invalidString(offset: start)
                }
            case 0x00..<0x20:
                throw .invalidString(offset: start)
            default:
                bytes.append(byte)
                position += 1
            }
        }
    }

    private mutating func parseHexQuad(stringStart: Int) throws(JSONParseError) -> UInt32 {
        guard position + 4 <= input.count else { throw .unexpectedEnd }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = input[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw .invalidString(offset: stringStart)
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    /// `\uXXXX`, with UTF-16 surrogate pairs joined; a lone surrogate is not a character and is refused.
    private mutating func parseUnicodeEscape(stringStart: Int) throws(JSONParseError) -> Unicode.Scalar {
        let first = try parseHexQuad(stringStart: stringStart)
        if (0xD800...0xDBFF).contains(first) {
            guard position + 2 <= input.count, input[position] == UInt8(ascii: "\\"), input[position + 1] == UInt8(ascii: "u")
            else { throw .invalidString(offset: stringStart) }
            position += 2
            let second = try parseHexQuad(stringStart: stringStart)
            guard (0xDC00...0xDFFF).contains(second) else { throw .invalidString(offset: stringStart) }
            let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(combined) else { throw .invalidString(offset: stringStart) }
            return scalar
        }
        guard let scalar = Unicode.Scalar(first) else { throw .invalidString(offset: stringStart) }
        return scalar
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = position
        func digits() -> Int {
            var count = 0
            while position < input.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(input[position]) {
                position += 1
                count += 1
            }
            return count
        }
        if input[position] == UInt8(ascii: "-") { position += 1 }
        guard position < input.count else { throw .unexpectedEnd }
        if input[position] == UInt8(ascii: "0") {
            position += 1
        } else if digits() == 0 {
            throw .invalidNumber(offset: start)
        }
        if position < input.count, input[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw .invalidNumber(offset: start) }
        }
        if position < input.count, input[position] == UInt8(ascii: "e") || input[position] == UInt8(ascii: "E") {
            position += 1
            if position < input.count, input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits() > 0 else { throw .invalidNumber(offset: start) }
        }
        let text = String(decoding: input[start..<position], as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw .invalidNumber(offset: start) }
        return JSONNumber(validatedText: text, value: value)
    }
}
