/// `application/x-www-form-urlencoded` (WHATWG URL §5.2) for token requests, form bodies and query strings:
/// everything but ASCII letters, digits and `*-._` is percent-encoded as UTF-8. `package`: `trustgate token`
/// encodes its requests with it too.
package enum FormURLEncoding {
    /// - Parameter spaceAsPlus: `+` for spaces in bodies (the form serializer does this); `%20` in query
    ///   strings, where not every server decodes `+`.
    package static func encode(_ pairs: [(String, String)], spaceAsPlus: Bool = true) -> String {
        pairs.map { encode($0.0, spaceAsPlus: spaceAsPlus) + "=" + encode($0.1, spaceAsPlus: spaceAsPlus) }.joined(separator: "&")
    }

    package static func encode(_ text: String, spaceAsPlus: Bool = true) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " ") where spaceAsPlus:
                output += "+"
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                output += "%"
                output.unicodeScalars.append(hex[Int(byte >> 4)])
                output.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return output
    }
}
