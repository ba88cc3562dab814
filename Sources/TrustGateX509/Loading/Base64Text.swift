import Foundation

/// Strict base64 decoding for certificate transports.
///
/// Accepts the standard and the URL-safe alphabet (but not both in one input), ignores ASCII whitespace anywhere
/// (folded PEM bodies, header values with spaces), and accepts missing padding. Rejects every other character,
/// misplaced padding and impossible lengths instead of silently skipping them, so garbage never decodes to bytes.
enum Base64Text {
    private static let invalid: UInt8 = 0xFF

    private static let decodingTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        table[Int(UInt8(ascii: "+"))] = 62
        table[Int(UInt8(ascii: "/"))] = 63
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// Decodes `text`, or returns nil when it is not base64.
    static func decode<Bytes: Collection>(_ text: Bytes) -> [UInt8]? where Bytes.Element == UInt8 {
        var output = [UInt8]()
        output.reserveCapacity(text.count / 4 * 3 + 3)
        var accumulator: UInt32 = 0
        var pending = 0
        var padding = 0
        var sawStandard = false
        var sawURLSafe = false

        for byte in text {
            if isWhitespace(byte) { continue }
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            // Data after padding is not base64.
            guard padding == 0 else { return nil }
            let value = decodingTable[Int(byte)]
            guard value != invalid else { return nil }
            switch byte {
            case UInt8(ascii: "+"), UInt8(ascii: "/"): sawStandard = true
            case UInt8(ascii: "-"), UInt8(ascii: "_"): sawURLSafe = true
            default: break
            }
            accumulator = (accumulator << 6) | UInt32(value)
            pending += 1
            if pending == 4 {
                output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                output.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                output.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator = 0
                pending = 0
            }
        }
        guard !(sawStandard && sawURLSafe) else { return nil }
        switch pending {
        case 0:
            guard padding == 0 else { return nil }
        case 2:
            guard padding == 0 || padding == 2 else { return nil }
            output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            guard padding == 0 || padding == 1 else { return nil }
            output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default:
            return nil
        }
        return output
    }

    /// Standard base64 with padding.
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// base64url without padding (RFC 7515 §2).
    static func encodeURLSafeUnpadded(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.last == "=" { text.removeLast() }
        return String(
            text.map { character -> Character in
                switch character {
                case "+": return "-"
                case "/": return "_"
                default: return character
                }
            }
        )
    }
}
