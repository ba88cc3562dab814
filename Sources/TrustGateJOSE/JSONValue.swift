/// A JSON value as JOSE reads and writes it. Objects keep their members in the order received and can never
/// hold two members with the same name (`StrictJSONParser` refuses such input; RFC 7515 §4 / RFC 7519 §4).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public static func integer(_ value: Int64) -> JSONValue { .number(JSONNumber(value)) }
    public static func double(_ value: Double) -> JSONValue { .number(JSONNumber(value)) }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var numberValue: JSONNumber? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }
}

/// A JSON number with its exact source text (so re-serialising never changes it) and its value as a Double.
public struct JSONNumber: Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public let doubleValue: Double

    /// Only called by the parser with text it has checked against the JSON number grammar.
    init(validatedText text: String, value: Double) {
        self.text = text
        self.doubleValue = value
    }

    public init(_ value: Int64) {
        text = String(value)
        doubleValue = Double(value)
    }

    /// Non-finite values have no JSON form; they become 0 rather than invalid output.
    public init(_ value: Double) {
        if !value.isFinite {
            self.init(validatedText: "0", value: 0)
        } else if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            self.init(validatedText: String(Int64(value)), value: value)
        } else {
            self.init(validatedText: "\(value)", value: value)
        }
    }

    /// The value when the text is an integer (no fraction, no exponent) that fits in 64 bits.
    public var integerValue: Int64? {
        guard !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        return Int64(text)
    }

    public var description: String { text }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.doubleValue == rhs.doubleValue }
}

/// A JSON object: members in order, unique names, looked up by name.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public struct Member: Sendable, Equatable {
        public let name: String
        public let value: JSONValue
    }

    public private(set) var members: [Member] = []
    private var indexByName: [String: Int] = [:]

    public init() {}

    /// Members in the order given; a repeated name replaces the earlier value in place.
    public init(_ pairs: [(String, JSONValue)]) {
        for (name, value) in pairs { self[name] = value }
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    public var names: [String] { members.map(\.name) }
    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    public func contains(_ name: String) -> Bool { indexByName[name] != nil }

    public subscript(name: String) -> JSONValue? {
        get { indexByName[name].map { members[$0].value } }
        set {
            if let index = indexByName[name] {
                if let newValue {
                    members[index] = Member(name: name, value: newValue)
                } else {
                    members.remove(at: index)
                    indexByName = [:]
                    for (position, member) in members.enumerated() { indexByName[member.name] = position }
                }
            } else if let newValue {
                indexByName[name] = members.count
                members.append(Member(name: name, value: newValue))
            }
        }
    }

    /// Adds a member the parser read; false when the name is already present (a duplicate).
    mutating func appendUnique(_ name: String, _ value: JSONValue) -> Bool {
        guard indexByName[name] == nil else { return false }
        indexByName[name] = members.count
        members.append(Member(name: name, value: value))
        return true
    }

    /// Order-insensitive: two objects are equal when they have the same names with equal values.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.members.allSatisfy { rhs[$0.name] == $0.value }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}
