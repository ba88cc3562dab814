/// A request target split into path and query, with the path in the one form the gateway matches on and
/// forwards — so an exclusion or a route can never match one spelling while the upstream serves another.
///
/// Repeated slashes are merged (as nginx's `merge_slashes`). Dot segments and encoded `/`, `\` or `.` are
/// refused instead of resolved: `/public/../admin` or `/public%2F..%2Fadmin` would match the excluded
/// `/public` here and reach `/admin` upstream.
struct RequestTarget: Equatable {
    /// Starts with `/`; no empty, `.` or `..` segments.
    let path: String
    /// Without the `?`; nil when there was none.
    let query: String?

    enum Problem: Error, Equatable {
        case notOriginForm
        case dotSegment
        case encodedSeparator
        case invalidCharacter
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

        var segments: [Substring] = []
        for segment in rawPath.split(separator: "/", omittingEmptySubsequences: true) {
            for byte in segment.utf8 where byte < 0x21 || byte == 0x7F || byte == UInt8(ascii: "\\") {
                throw .invalidCharacter
            }
            if segment.contains("%") {
                let lowered = segment.lowercased()
                if lowered.contains("%2f") || lowered.contains("%5c") { throw .encodedSeparator }
                if lowered.contains("%2e") {
                    let decodedDots = lowered.replacingOccurrences(of: "%2e", with: ".")
                    if decodedDots == "." || decodedDots == ".." { throw .dotSegment }
                }
            }
            if segment == "." || segment == ".." { throw .dotSegment }
            segments.append(segment)
        }
        var path = "/" + segments.joined(separator: "/")
        if rawPath.count > 1, rawPath.hasSuffix("/"), !segments.isEmpty { path += "/" }
        self.path = path
        self.query = query
    }

    /// What the upstream receives: `basePath` + path + query.
    func upstreamURI(basePath: String) -> String {
        var uri = basePath.isEmpty ? path : basePath + path
        if let query { uri += "?" + query }
        return uri
    }
}
