/// Standard base64 with padding (RFC 4648 §4), as JOSE uses for `x5c` certificates (RFC 7515 §4.1.6), decoded
/// strictly: padding required, no whitespace, canonical trailing bits.
public enum Base64Standard {
    private static let codec = Base64Codec(
        alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", pads: true)

    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        codec.encode(bytes)
    }

    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        codec.decode(text.utf8)
    }
}
