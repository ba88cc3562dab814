/// One `-----BEGIN type----- … -----END type-----` block found in text.
struct PEMBlock: Sendable {
    /// The type label, e.g. "CERTIFICATE" or "EC PRIVATE KEY".
    let type: String
    /// RFC 1421 header lines ("Proc-Type: 4,ENCRYPTED", "DEK-Info: …") of legacy encrypted keys, in order.
    let headers: [(name: String, value: String)]
    /// The base64 text of the body, headers excluded.
    let body: ArraySlice<UInt8>
    /// The whole block, BEGIN to END line inclusive (what OpenSSL-style PEM readers expect).
    let text: ArraySlice<UInt8>

    var isLegacyEncrypted: Bool {
        headers.contains { $0.name.lowercased() == "proc-type" && $0.value.uppercased().contains("ENCRYPTED") }
    }

    /// The DER bytes of the body.
    func derBytes() throws(CertificateLoadingError) -> [UInt8] {
        guard let bytes = Base64Text.decode(body) else {
            throw .malformedPEM(type: type, reason: "the body is not valid base64")
        }
        guard !bytes.isEmpty else {
            throw .malformedPEM(type: type, reason: "the body is empty")
        }
        return bytes
    }

    private static let begin = Array("-----BEGIN ".utf8)
    private static let end = Array("-----END ".utf8)
    private static let dashes = Array("-----".utf8)

    /// Whether `text` contains a PEM BEGIN line.
    static func containsPEM(_ text: [UInt8]) -> Bool {
        find(begin, in: text, from: 0) != nil
    }

    /// All PEM blocks in `text`, in order. Text outside blocks (OpenSSL's "Bag Attributes" and "subject=" lines,
    /// comments) is ignored. Line endings may be LF or CRLF, and a body may even be unwrapped or space-separated.
    static func blocks(in text: [UInt8]) throws(CertificateLoadingError) -> [PEMBlock] {
        var blocks = [PEMBlock]()
        var position = 0
        while let beginStart = find(begin, in: text, from: position) {
            let labelStart = beginStart + begin.count
            guard let labelEnd = find(dashes, in: text, from: labelStart) else {
                throw .malformedPEM(type: "?", reason: "the BEGIN line is not terminated by '-----'")
            }
            let labelBytes = text[labelStart..<labelEnd]
            guard labelBytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), labelBytes.count <= 64 else {
                throw .malformedPEM(type: "?", reason: "the BEGIN line has an invalid type label")
            }
            let type = String(decoding: labelBytes, as: UTF8.self)
            let contentStart = labelEnd + dashes.count
            guard let endStart = find(end, in: text, from: contentStart) else {
                throw .malformedPEM(type: type, reason: "no END line")
            }
            let endLabelStart = endStart + end.count
            guard let endLabelEnd = find(dashes, in: text, from: endLabelStart) else {
                throw .malformedPEM(type: type, reason: "the END line is not terminated by '-----'")
            }
            let endType = String(decoding: text[endLabelStart..<endLabelEnd], as: UTF8.self)
            guard endType == type else {
                throw .malformedPEM(type: type, reason: "the END line says '\(endType)'")
            }
            let blockEnd = endLabelEnd + dashes.count
            // A BEGIN inside the body means the previous block lost its END line.
            if find(begin, in: text[..<endStart], from: contentStart) != nil {
                throw .malformedPEM(type: type, reason: "no END line before the next BEGIN line")
            }
            let (headers, body) = splitHeaders(text[contentStart..<endStart])
            blocks.append(PEMBlock(type: type, headers: headers, body: body, text: text[beginStart..<blockEnd]))
            position = blockEnd
        }
        return blocks
    }

    /// Separates RFC 1421 headers ("Name: value" lines up to the first blank line) from the base64 body.
    private static func splitHeaders(
        _ content: ArraySlice<UInt8>
    ) -> ([(name: String, value: String)], ArraySlice<UInt8>) {
        guard content.contains(UInt8(ascii: ":")) else { return ([], content) }
        var headers = [(name: String, value: String)]()
        var lineStart = content.startIndex
        // Skip the line break after the BEGIN line.
        while lineStart < content.endIndex, content[lineStart] == 0x0D || content[lineStart] == 0x0A {
            lineStart += 1
        }
        while lineStart < content.endIndex {
            let lineEnd = content[lineStart...].firstIndex(of: 0x0A) ?? content.endIndex
            var line = content[lineStart..<lineEnd]
            if line.last == 0x0D { line = line.dropLast() }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { break }
            let name = String(decoding: line[..<colon], as: UTF8.self).trimmingASCIIWhitespace()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingASCIIWhitespace()
            headers.append((name, value))
            lineStart = min(lineEnd + 1, content.endIndex)
        }
        return (headers, content[lineStart...])
    }

    static func find<Haystack: Collection>(
        _ needle: [UInt8],
        in haystack: Haystack,
        from start: Haystack.Index
    ) -> Haystack.Index? where Haystack.Element == UInt8, Haystack.Index == Int {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let lastStart = haystack.endIndex - needle.count
        while index <= lastStart {
            if haystack[index] == first {
                var matches = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matches = false
                    break
                }
                if matches { return index }
            }
            index += 1
        }
        return nil
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let scalars = self.unicodeScalars
        guard let first = scalars.firstIndex(where: { !Base64Text.isWhitespace(UInt8(truncatingIfNeeded: $0.value)) || $0.value > 0x7F }) else {
            return ""
        }
        guard let last = scalars.lastIndex(where: { !Base64Text.isWhitespace(UInt8(truncatingIfNeeded: $0.value)) || $0.value > 0x7F }) else {
            return ""
        }
        return String(scalars[first...last])
    }
}
