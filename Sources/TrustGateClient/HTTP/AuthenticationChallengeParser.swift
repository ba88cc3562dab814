/// One challenge of a `WWW-Authenticate` field (RFC 9110 §11.6.1): the scheme and its parameters (names
/// lower-cased, quoted values unescaped), or a token68.
struct ParsedChallenge: Sendable, Hashable {
    let scheme: String
    var parameters: [String: String] = [:]
    var token68: String?

    func parameter(_ name: String) -> String? { parameters[name.lowercased()] }
}

/// A tolerant `WWW-Authenticate` reader: several challenges per field, quoted strings with escapes, token68.
/// What it cannot read it skips; it never throws (the field only explains a refusal).
enum AuthenticationChallengeParser {
    static func parse(_ value: String) -> [ParsedChallenge] {
        var scanner = Scanner(bytes: Array(value.utf8))
        var challenges: [ParsedChallenge] = []
        while true {
            scanner.skip { $0 == 0x20 || $0 == 0x09 || $0 == UInt8(ascii: ",") }
            guard let scheme = scanner.token() else {
                if scanner.atEnd { return challenges }
                scanner.skipToNextComma()
                continue
            }
            var challenge = ParsedChallenge(scheme: scheme)
            scanner.skipSpaces()
            // Parameters (name=value, comma-separated) until a token that is not followed by '=' starts the next
            // challenge.
            var first = true
            while !scanner.atEnd {
                let mark = scanner.position
                scanner.skip { $0 == 0x20 || $0 == 0x09 || $0 == UInt8(ascii: ",") }
                guard let name = scanner.token() else { scanner.position = mark; break }
                scanner.skipSpaces()
                if scanner.peek == UInt8(ascii: "=") {
                    // token68 ends with '=' padding: `Basic dXNlcg==` has no value after the '='s.
                    let equals = scanner.position
                    scanner.skip { $0 == UInt8(ascii: "=") }
                    let paddingLength = scanner.position - equals
                    scanner.skipSpaces()
                    if first, paddingLength > 1 || scanner.atEnd || scanner.peek == UInt8(ascii: ",") {
                        challenge.token68 = name + String(repeating: "=", count: paddingLength)
                        first = false
                        continue
                    }
                    scanner.position = equals + 1
                    scanner.skipSpaces()
                    let value = scanner.peek == UInt8(ascii: "\"") ? scanner.quotedString() : scanner.token()
                    challenge.parameters[name.lowercased()] = value ?? ""
                    first = false
                } else if first, scanner.atEnd || scanner.peek == UInt8(ascii: ",") {
                    challenge.token68 = name
                    first = false
                } else {
                    scanner.position = mark
                    break
                }
            }
            challenges.append(challenge)
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[position] }

        mutating func skip(while predicate: (UInt8) -> Bool) {
            while let byte = peek, predicate(byte) { position += 1 }
        }

        mutating func skipSpaces() { skip { $0 == 0x20 || $0 == 0x09 } }

        mutating func skipToNextComma() {
            skip { $0 != UInt8(ascii: ",") }
        }

        /// A token, also accepting token68's `/` (so `Bearer abc/def` reads as one token68).
        mutating func token() -> String? {
            let start = position
            skip { HTTPToken.isTokenCharacter($0) || $0 == UInt8(ascii: "/") }
            guard position > start else { return nil }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func quotedString() -> String? {
            guard peek == UInt8(ascii: "\"") else { return nil }
            position += 1
            var value: [UInt8] = []
            while let byte = peek {
                position += 1
                if byte == UInt8(ascii: "\\"), let escaped = peek {
                    value.append(escaped)
                    position += 1
                } else if byte == UInt8(ascii: "\"") {
                    return String(decoding: value, as: UTF8.self)
                } else {
                    value.append(byte)
                }
            }
            return String(decoding: value, as: UTF8.self)
        }
    }
}
