public import X509

/// Serial numbers as users type them and as the CA state records them.
public enum SerialNumberText {
    /// Upper-case hexadecimal without separators or leading zero bytes, e.g. `4F1A…` — the form `openssl x509 -serial`
    /// prints, and the key under which the CA state records a certificate.
    public static func hex(_ serial: Certificate.SerialNumber) -> String {
        hex(bytes: Array(serial.bytes))
    }

    /// Parses `4f1a…`, `4F:1A:…`, `0x4f1a`, with spaces or colons between bytes; case-insensitive.
    public static func parse(_ text: String) throws(PKIError) -> Certificate.SerialNumber {
        var digits = Substring(text.filter { $0 != ":" && $0 != " " && $0 != "-" })
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= 64 else { throw PKIError.invalidSerialNumber(text) }
        var nibbles: [UInt8] = []
        nibbles.reserveCapacity(digits.count + 1)
        for character in digits.utf8 {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibbles.append(character - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibbles.append(character - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibbles.append(character - UInt8(ascii: "A") + 10)
            default: throw PKIError.invalidSerialNumber(text)
            }
        }
        if nibbles.count % 2 == 1 { nibbles.insert(0, at: 0) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(nibbles.count / 2)
        var index = 0
        while index + 1 < nibbles.count {
            bytes.append(nibbles[index] << 4 | nibbles[index + 1])
            index += 2
        }
        return Certificate.SerialNumber(bytes: bytes)
    }

    /// 16 random bytes, the first forced to 0b01xxxxxx: positive (no sign padding), always 16 bytes long,
    /// 126 bits of entropy (CA/Browser Forum asks for at least 64).
    public static func random() -> Certificate.SerialNumber {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        bytes[0] = (bytes[0] & 0x3F) | 0x40
        return Certificate.SerialNumber(bytes: bytes)
    }

    static func hex(bytes: [UInt8]) -> String {
        let significant = bytes.drop(while: { $0 == 0 })
        if significant.isEmpty { return "00" }
        let digits: [Character] = Array("0123456789ABCDEF")
        var text = ""
        text.reserveCapacity(significant.count * 2)
        for byte in significant {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }
}
