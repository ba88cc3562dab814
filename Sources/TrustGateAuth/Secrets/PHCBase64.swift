import Foundation

/// Standard-alphabet base64 as PHC strings and HTTP Basic credentials use it: padding optional, nothing else
/// tolerated. Whitespace, URL-safe characters, misplaced padding, impossible lengths and non-zero leftover
/// bits are refused, so exactly one text decodes to given bytes and garbage never decodes at all.
enum PHCBase64 {
    private static let decodingTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var input = Array(text.utf8)
        var padding = 0
        while input.last == UInt8(ascii: "=") {
            input.removeLast()
            padding += 1
        }
        let remainder = input.count % 4
        guard remainder != 1 else { return nil }
        // Padding, when present, must be exactly what completes the last quantum.
        guard padding == 0 || (remainder != 0 && padding == 4 - remainder) else { return nil }

        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var pending = 0
        for byte in input {
            let value = decodingTable[Int(byte)]
            guard value != 0xFF else { return nil }
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
        switch pending {
        case 2:
            guard accumulator & 0x0F == 0 else { return nil }
            output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            guard accumulator & 0x03 == 0 else { return nil }
            output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default:
            break
        }
        return output
    }

    /// Standard alphabet without padding (the PHC string format).
    static func encodeUnpadded(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.last == "=" { text.removeLast() }
        return text
    }

    /// URL-safe alphabet without padding (RFC 4648 §5): generated API keys travel in headers and URLs.
    static func encodeURLSafeUnpadded(_ bytes: [UInt8]) -> String {
        String(encodeUnpadded(bytes).map { character -> Character in
            switch character {
            case "+": return "-"
            case "/": return "_"
            default: return character
            }
        })
    }
}
