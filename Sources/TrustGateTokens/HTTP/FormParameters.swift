/// The parameters of an `application/x-www-form-urlencoded` body as RFC 6749 §3.2 reads them (TE-3): `+` is a
/// space and `%XX` a byte (WHATWG URL, `application/x-www-form-urlencoded` parsing), a parameter with an empty
/// value counts as absent, unknown parameters are kept but never looked at, and a parameter sent twice is an
/// error — except the names in `multiValued` (RFC 8707 allows `resource` more than once).
struct FormParameters: Sendable {
    private var values: [String: [String]] = [:]

    init(parsing body: [UInt8], multiValued: Set<String> = []) throws(FormParametersError) {
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let nameBytes: ArraySlice<UInt8>
            let valueBytes: ArraySlice<UInt8>
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                nameBytes = pair[pair.startIndex..<equals]
                valueBytes = pair[pair.index(after: equals)...]
            } else {
                nameBytes = pair
                valueBytes = []
            }
            let name = try Self.decode(nameBytes)
            let value = try Self.decode(valueBytes)
            // RFC 6749 §3.2: "Parameters sent without a value MUST be treated as if they were omitted".
            guard !name.isEmpty, !value.isEmpty else { continue }
            if values[name] != nil, !multiValued.contains(name) { throw .repeated(name) }
            values[name, default: []].append(value)
        }
    }

    /// The parameter's value, nil when absent or empty.
    subscript(name: String) -> String? { values[name]?.first }

    /// Every value of a multi-valued parameter, in order.
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// Form decoding of one name or value: `+` → space, `%XX` → byte, then UTF-8.
    static func decode(_ bytes: some Collection<UInt8>) throws(FormParametersError) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "+"):
                output.append(0x20)
                index = bytes.index(after: index)
            case UInt8(ascii: "%"):
                let first = bytes.index(after: index)
                guard first != bytes.endIndex else { throw .invalidPercentEncoding }
                let second = bytes.index(after: first)
                guard second != bytes.endIndex, let high = hexValue(bytes[first]), let low = hexValue(bytes[second]) else {
                    throw .invalidPercentEncoding
                }
                output.append(high << 4 | low)
                index = bytes.index(after: second)
            default:
                output.append(byte)
                index = bytes.index(after: index)
            }
        }
        guard let text = String(validating: output, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
