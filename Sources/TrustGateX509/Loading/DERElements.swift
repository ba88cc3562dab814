/// Splits concatenated DER/BER TLV elements by their length headers, without decoding their contents.
enum DERElements {
    /// The total length (header and contents) of the definite-length element starting at `start`.
    static func elementLength(
        _ bytes: ArraySlice<UInt8>,
        at start: Int
    ) throws(CertificateLoadingError) -> Int {
        let available = bytes.endIndex - start
        guard available >= 2 else { throw .truncatedDER(expected: 2, available: available) }
        var index = start + 1
        // High-tag-number form (tag >= 31) never starts a certificate; skip its continuation bytes anyway.
        if bytes[start] & 0x1F == 0x1F {
            while index < bytes.endIndex, bytes[index] & 0x80 != 0 { index += 1 }
            index += 1
            guard index < bytes.endIndex else { throw .truncatedDER(expected: index - start + 1, available: available) }
        }
        let first = bytes[index]
        index += 1
        let contentLength: Int
        if first < 0x80 {
            contentLength = Int(first)
        } else {
            let lengthBytes = Int(first & 0x7F)
            guard lengthBytes > 0 else {
                throw .malformedCertificate(index: 0, reason: "indefinite-length encoding is not DER")
            }
            guard lengthBytes <= 4 else {
                throw .malformedCertificate(index: 0, reason: "the length field is implausibly large")
            }
            guard index + lengthBytes <= bytes.endIndex else {
                throw .truncatedDER(expected: index + lengthBytes - start, available: available)
            }
            var length = 0
            for offset in 0..<lengthBytes {
                length = length << 8 | Int(bytes[index + offset])
            }
            index += lengthBytes
            contentLength = length
        }
        let total = index - start + contentLength
        guard total <= available else { throw .truncatedDER(expected: total, available: available) }
        return total
    }

    /// The tag, header length and content length of the single-byte-tag, definite-length element at `start`, or nil
    /// when the bytes there are not one (or run past the end).
    static func header(_ bytes: ArraySlice<UInt8>, at start: Int) -> (tag: UInt8, headerLength: Int, contentLength: Int)? {
        guard start + 2 <= bytes.endIndex, bytes[start] & 0x1F != 0x1F else { return nil }
        let first = bytes[start + 1]
        var headerLength = 2
        var contentLength = Int(first)
        if first >= 0x80 {
            let lengthBytes = Int(first & 0x7F)
            guard lengthBytes >= 1, lengthBytes <= 4, start + 2 + lengthBytes <= bytes.endIndex else { return nil }
            contentLength = 0
            for offset in 0..<lengthBytes {
                contentLength = contentLength << 8 | Int(bytes[start + 2 + offset])
            }
            headerLength += lengthBytes
        }
        guard start + headerLength + contentLength <= bytes.endIndex else { return nil }
        return (bytes[start], headerLength, contentLength)
    }

    /// The top-level elements of `bytes`, in order. Trailing whitespace (a DER file with a newline appended)
    /// is tolerated; any other trailing byte is an error.
    static func split(_ bytes: ArraySlice<UInt8>) throws(CertificateLoadingError) -> [ArraySlice<UInt8>] {
        var elements = [ArraySlice<UInt8>]()
        var position = bytes.startIndex
        while position < bytes.endIndex {
            if bytes[position...].allSatisfy(Base64Text.isWhitespace) { break }
            guard bytes[position] == 0x30 else {
                if elements.isEmpty { throw .unrecognizedFormat() }
                throw .trailingData(byteCount: bytes.endIndex - position)
            }
            let length = try elementLength(bytes, at: position)
            elements.append(bytes[position..<(position + length)])
            position += length
        }
        return elements
    }
}
