/// A request target split into path and query, with the path in the one form the gateway matches on and
/// forwards — so an exclusion or a route can never match one spelling while the upstream serves another.
///
/// Normalisation (RFC 3986 §6.2.2): repeated slashes are merged (as nginx's `merge_slashes`); percent-encoded
/// unreserved characters are decoded (`/%61dmin` is `/admin`) and other escapes get upper-case hex. Dot
/// segments, encoded `/` or `\`, control characters and malformed escapes are refused rather than resolved:
/// `/public/../admin` or `/public%2F..%2Fadmin` would match the excluded `/public` here and reach `/admin`
/// upstream. Matching also ignores `;parameters` inside segments (`/admin;x/users` is matched as
/// `/admin/users`, as Tomcat and Spring would serve it), while the forwarded path keeps them.
struct RequestTarget: Equatable {
    /// Normalised; starts with `/`; what the upstream receives.
    let path: String
    /// `path` without `;parameters`: what routes and exclusions are matched against.
    let matchPath: String
    /// Without the `?`; nil when there was none.
    let query: String?

    enum Problem: Error, Equatable {
        case notOriginForm
        case dotSegment
        case encodedSeparator
        case invalidCharacter
        case invalidEscape
    }

    init(parsing uri: String) throws(Problem) {
        var rawPath = Substring(uri)
        var query: String?
        if let mark = uri.firstIndex(of: "?") {
            rawPath = uri[..<mark]
            query = String(uri[uri.index(after: mark)...])
        }
        if let hash = rawPath.firstIndex(of: "#") { rawPath = rawPath[..<hash] }
        guard rawPath.first == "/" else { throw .notOriginForm }

        var segments: [String] = []
        var matchSegments: [String] = []
        for rawSegment in rawPath.split(separator: "/", omittingEmptySubsequences: true) {
            let segment = try Self.normalise(rawSegment)
            let bare = segment.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if segment == "." || segment == ".." || bare == "." || bare == ".." { throw .dotSegment }
            segments.append(segment)
            if !bare.isEmpty { matchSegments.append(bare) }
        }
        var path = "/" + segments.joined(separator: "/")
        if rawPath.count > 1, rawPath.hasSuffix("/"), !segments.isEmpty { path += "/" }
        self.path = path
        self.matchPath = "/" + matchSegments.joined(separator: "/")
        self.query = query
    }

    /// What the upstream receives: `basePath` + path + query.
    func upstreamURI(basePath: String) -> String {
        var uri = basePath.isEmpty ? path : basePath + path
        if let query { uri += "?" + query }
        return uri
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// One segment with unreserved escapes decoded and the others in canonical upper case.
    private static func normalise(_ segment: Substring) throws(Problem) -> String {
        let bytes = Array(segment.utf8)
        guard bytes.contains(UInt8(ascii: "%")) || bytes.contains(where: { $0 < 0x21 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) else {
            return String(segment)
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x21 || byte == 0x7F || byte == UInt8(ascii: "\\") { throw .invalidCharacter }
            guard byte == UInt8(ascii: "%") else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            else { throw .invalidEscape }
            let decoded = high << 4 | low
            if decoded == UInt8(ascii: "/") || decoded == UInt8(ascii: "\\") { throw .encodedSeparator }
            if decoded < 0x21 || decoded == 0x7F { throw .invalidCharacter }
            if isUnreserved(decoded) {
                output.append(decoded)
            } else {
                output += [UInt8(ascii: "%"), hexDigits[Int(decoded >> 4)], hexDigits[Int(decoded & 0xF)]]
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
