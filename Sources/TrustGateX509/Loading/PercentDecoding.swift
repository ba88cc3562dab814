/// Decodes percent-escaped text, as nginx's `$ssl_client_escaped_cert` and Envoy's XFCC `Cert=` produce.
///
/// A literal `+` stays `+`: these producers escape `+` as `%2B`, and PEM bodies are full of literal `+`
/// when a proxy escapes only what it must.
enum PercentDecoding {
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Whether `text` holds at least one `%XX` escape.
    static func containsEscape(_ text: [UInt8]) -> Bool {
        var index = 0
        while index + 2 < text.count {
            if text[index] == UInt8(ascii: "%"), hexValue(text[index + 1]) != nil, hexValue(text[index + 2]) != nil {
                return true
            }
            index += 1
        }
        return false
    }

    /// Decodes every `%XX`; returns nil when a `%` is not followed by two hex digits.
    static func decode(_ text: [UInt8]) -> [UInt8]? {
        var output = [UInt8]()
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < text.count,
                    let high = hexValue(text[index + 1]),
                    let low = hexValue(text[index + 2])
                else { return nil }
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }
}
