/// The strict base64 core shared by the URL-safe (JWS segments) and the standard (x5c) alphabets: every character
/// must belong to the alphabet and the unused low bits of the last character must be zero. Lenient decoders that
/// skip stray characters or ignore those bits let one signature have many encodings (Wycheproof's base64 cases).
struct Base64Codec: Sendable {
    private let alphabet: [UInt8]
    private let values: [UInt8]
    private let pads: Bool
    private static let invalid: UInt8 = 0xFF

    init(alphabet text: String, pads: Bool) {
        alphabet = Array(text.utf8)
        var values = [UInt8](repeating: Self.invalid, count: 256)
        for (index, character) in alphabet.enumerated() { values[Int(character)] = UInt8(index) }
        self.values = values
        self.pads = pads
    }

    func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(alphabet[Int(chunk >> 18 & 0x3F)])
            output.append(alphabet[Int(chunk >> 12 & 0x3F)])
            output.append(alphabet[Int(chunk >> 6 & 0x3F)])
            output.append(alphabet[Int(chunk & 0x3F)])
            index += 3
        }
        switch input.count - index {
        case 1:
            let chunk = UInt32(input[index]) << 16
            output.append(alphabet[Int(chunk >> 18 & 0x3F)])
            output.append(alphabet[Int(chunk >> 12 & 0x3F)])
            if pads { output.append(UInt8(ascii: "=")); output.append(UInt8(ascii: "=")) }
        case 2:
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            output.append(alphabet[Int(chunk >> 18 & 0x3F)])
            output.append(alphabet[Int(chunk >> 12 & 0x3F)])
            output.append(alphabet[Int(chunk >> 6 & 0x3F)])
            if pads { output.append(UInt8(ascii: "=")) }
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// nil for anything that is not the canonical encoding of some byte string.
    func decode<Text: Collection>(_ text: Text) -> [UInt8]? where Text.Element == UInt8 {
        var characters = Array(text)
        if pads {
            guard characters.count % 4 == 0 else { return nil }
            var padding = 0
            while padding < 2, characters.last == UInt8(ascii: "=") {
                characters.removeLast()
                padding += 1
            }
            // "==" only after two characters of a group, "=" only after three.
            if padding > 0, characters.count % 4 != 4 - padding { return nil }
        }
        guard characters.count % 4 != 1 else { return nil }

        var output: [UInt8] = []
        output.reserveCapacity(characters.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bitCount = 0
        for character in characters {
            let value = values[Int(character)]
            guard value != Self.invalid else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bitCount)))
                accumulator &= (1 << UInt32(bitCount)) - 1
            }
        }
        // Leftover bits (2 or 4) are padding inside the last character and must be zero to be canonical.
        guard accumulator == 0 else { return nil }
        return output
    }
}
