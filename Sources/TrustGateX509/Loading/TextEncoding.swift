/// Normalises the text encodings certificate files arrive in to UTF-8 bytes.
enum TextEncoding {
    /// Drops a UTF-8 byte-order mark and transcodes UTF-16 with a byte-order mark (what Windows PowerShell's
    /// `Out-File` writes) to UTF-8. Other input is returned unchanged.
    static func normalized(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return Array(bytes.dropFirst(3))
        }
        let littleEndian = bytes.starts(with: [0xFF, 0xFE])
        let bigEndian = bytes.starts(with: [0xFE, 0xFF])
        guard littleEndian || bigEndian, bytes.count % 2 == 0 else { return bytes }
        var units = [UInt16]()
        units.reserveCapacity(bytes.count / 2 - 1)
        var index = 2
        while index + 1 < bytes.count {
            let unit =
                littleEndian
                ? UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
                : UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
            units.append(unit)
            index += 2
        }
        return Array(String(decoding: units, as: UTF16.self).utf8)
    }

    /// Whether every byte is printable ASCII or whitespace (text rather than binary DER).
    static func isPrintableText(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || Base64Text.isWhitespace($0) }
    }

    static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        guard let first = bytes.firstIndex(where: { !Base64Text.isWhitespace($0) }),
            let last = bytes.lastIndex(where: { !Base64Text.isWhitespace($0) })
        else { return [] }
        return bytes[first...last]
    }
}
