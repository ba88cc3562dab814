/// Recognises PKCS#12 and PKCS#7 containers by their first bytes, without parsing them.
enum PKCS12Detection {
    /// The offset of the first content byte of the outer SEQUENCE (definite or BER indefinite length), or nil.
    static func contentStart(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= 2, bytes.first == 0x30 else { return nil }
        let lengthByte = bytes[bytes.startIndex + 1]
        if lengthByte <= 0x80 { return bytes.startIndex + 2 }  // short form, or 0x80 = indefinite (BER)
        let lengthBytes = Int(lengthByte & 0x7F)
        guard lengthBytes <= 4 else { return nil }
        return bytes.startIndex + 2 + lengthBytes
    }

    /// PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, ... } (RFC 7292 §4).
    static func isPKCS12(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let start = contentStart(bytes), start + 4 <= bytes.endIndex else { return false }
        return bytes[start..<(start + 4)].elementsEqual([0x02, 0x01, 0x03, 0x30])
    }

    /// ContentInfo ::= SEQUENCE { contentType id-signedData (1.2.840.113549.1.7.2), ... }
    static func isPKCS7SignedData(_ bytes: ArraySlice<UInt8>) -> Bool {
        let signedDataOID: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]
        guard let start = contentStart(bytes), start + signedDataOID.count <= bytes.endIndex else { return false }
        return bytes[start..<(start + signedDataOID.count)].elementsEqual(signedDataOID)
    }
}
