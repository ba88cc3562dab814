/// The `https://host[:port]/path` the load is aimed at, split into what the connections need.
struct TargetURL: Sendable, Equatable {
    enum ParseError: Error, CustomStringConvertible {
        case notHTTPS(String)
        case missingHost(String)
        case invalidPort(String)

        var description: String {
            switch self {
            case .notHTTPS(let url): return "URL must start with https:// (got \(url))"
            case .missingHost(let url): return "URL has no host: \(url)"
            case .invalidPort(let url): return "URL has an invalid port: \(url)"
            }
        }
    }

    /// Host as written, without IPv6 brackets.
    var host: String
    var port: Int
    /// Path and query, always starting with "/".
    var path: String

    init(host: String, port: Int, path: String) {
        self.host = host
        self.port = port
        self.path = path
    }

    init(parsing text: String) throws {
        let scheme = "https://"
        guard text.lowercased().hasPrefix(scheme) else { throw ParseError.notHTTPS(text) }
        let rest = text.dropFirst(scheme.count)
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if let fragment = path.firstIndex(of: "#") { path = String(path[..<fragment]) }
        if path.isEmpty { path = "/" } else if path.first == "?" { path = "/" + path }

        let hostPart: Substring
        let portPart: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw ParseError.missingHost(text) }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let afterBracket = authority[authority.index(after: close)...]
            if afterBracket.isEmpty {
                portPart = nil
            } else if afterBracket.first == ":" {
                portPart = afterBracket.dropFirst()
            } else {
                throw ParseError.invalidPort(text)
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
            portPart = nil
        }
        guard !hostPart.isEmpty else { throw ParseError.missingHost(text) }
        var port = 443
        if let portPart {
            guard let parsed = Int(portPart), (1...65535).contains(parsed) else { throw ParseError.invalidPort(text) }
            port = parsed
        }
        self.init(host: String(hostPart), port: port, path: path)
    }

    var isIPAddressLiteral: Bool {
        TargetURL.isIPAddressLiteral(host)
    }

    /// Value of the Host header / :authority pseudo-header: the port is left out when it is the default.
    var authority: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == 443 ? bracketed : "\(bracketed):\(port)"
    }

    static func isIPAddressLiteral(_ text: String) -> Bool {
        if text.contains(":") { return true }  // only IPv6 literals contain colons once brackets are gone
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in UInt8(part) != nil }
    }
}
