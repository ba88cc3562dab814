/// base64url without padding (RFC 7515 §2 and Appendix C), decoded strictly: no `=`, no whitespace, no character
/// outside `A–Z a–z 0–9 - _`, and no non-zero unused bits in the last character.
public enum Base64URL {
    private static let codec = Base64Codec(
        alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", pads: false)

    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        codec.encode(bytes)
    }

    /// The bytes, or nil when `text` is not the canonical unpadded base64url encoding of any byte string.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        codec.decode(text.utf8)
    }

    public static func decode<Bytes: Collection>(utf8 text: Bytes) -> [UInt8]? where Bytes.Element == UInt8 {
        codec.decode(text)
    }
}
