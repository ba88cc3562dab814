/// The identifier and length octets of one DER TLV, read strictly: a single-byte tag, a definite length in the
/// minimal number of octets (at most four), and no byte read past the end. The one TLV header parser of the module:
/// certificate splitting, fingerprinting and CRL reading all go through it and differ only in how they report a
/// failure.
struct DERHeader: Sendable, Equatable {
    let tag: UInt8
    /// The tag and length octets.
    let headerLength: Int
    /// The content octets the length announces; not checked against the bytes at hand.
    let contentLength: Int

    var totalLength: Int { self.headerLength + self.contentLength }

    /// Why the bytes at a position are not a DER header.
    enum Failure: Error, Equatable {
        /// The bytes end inside the header, which needs `needed` bytes.
        case truncated(needed: Int)
        /// The high-tag-number form (tag number 31 or more).
        case multiByteTag
        /// Length octet 0x80, BER's indefinite length.
        case indefiniteLength
        /// A length of more than four octets.
        case lengthTooLarge
        /// A long-form length that the short form or fewer octets could have encoded.
        case nonMinimalLength
    }

    /// The header starting at `start` of `bytes`.
    init(_ bytes: ArraySlice<UInt8>, at start: Int) throws(Failure) {
        let available = bytes.endIndex - start
        guard available >= 2 else { throw .truncated(needed: 2) }
        guard bytes[start] & 0x1F != 0x1F else { throw .multiByteTag }
        self.tag = bytes[start]
        let firstLengthByte = bytes[start + 1]
        if firstLengthByte < 0x80 {
            self.headerLength = 2
            self.contentLength = Int(firstLengthByte)
            return
        }
        let lengthOfLength = Int(firstLengthByte & 0x7F)
        guard lengthOfLength != 0 else { throw .indefiniteLength }
        guard lengthOfLength <= 4 else { throw .lengthTooLarge }
        let headerLength = 2 + lengthOfLength
        guard available >= headerLength else { throw .truncated(needed: headerLength) }
        var contentLength = 0
        for byte in bytes[(start + 2)..<(start + headerLength)] {
            contentLength = contentLength << 8 | Int(byte)
        }
        guard bytes[start + 2] != 0, contentLength >= 0x80 else { throw .nonMinimalLength }
        self.headerLength = headerLength
        self.contentLength = contentLength
    }
}

/// Splits concatenated DER TLV elements by their length headers, without decoding their contents.
enum DERElements {
    /// The total length (header and contents) of the element starting at `start`, which must lie within `bytes`.
    static func elementLength(
        _ bytes: ArraySlice<UInt8>,
        at start: Int
    ) throws(CertificateLoadingError) -> Int {
        let available = bytes.endIndex - start
        let header: DERHeader
        do {
            header = try DERHeader(bytes, at: start)
        } catch {
            switch error {
            case .truncated(let needed):
                throw .truncatedDER(expected: needed, available: available)
            case .multiByteTag:
                throw .malformedCertificate(index: 0, reason: "multi-byte tags do not start a certificate")
            case .indefiniteLength:
                throw .malformedCertificate(index: 0, reason: "indefinite-length encoding is not DER")
            case .lengthTooLarge:
                throw .malformedCertificate(index: 0, reason: "the length field is implausibly large")
            case .nonMinimalLength:
                throw .malformedCertificate(index: 0, reason: "the length is not minimally encoded")
            }
        }
        guard header.totalLength <= available else {
            throw .truncatedDER(expected: header.totalLength, available: available)
        }
        return header.totalLength
    }

    /// The header of the element at `start`, or nil when the bytes there are not a DER header (see ``DERHeader``)
    /// or the element runs past the end.
    static func header(_ bytes: ArraySlice<UInt8>, at start: Int) -> DERHeader? {
        guard let header = try? DERHeader(bytes, at: start), header.totalLength <= bytes.endIndex - start else {
            return nil
        }
        return header
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
