/// Finds which configured host of a listener a name (SNI or Host header) selects: exact names first, then
/// one-label wildcards (`*.example.com`), then a catch-all `*`.
struct HostNameTable: Sendable {
    private var exact: [String: Int] = [:]
    private var wildcards: [String: Int] = [:]   // keyed by the suffix after "*."
    private var catchAll: Int?

    init(hostNames: [[String]]) {
        for (index, names) in hostNames.enumerated() {
            for name in names {
                let lowered = name.lowercased()
                if lowered == "*" {
                    if catchAll == nil { catchAll = index }
                } else if lowered.hasPrefix("*.") {
                    let suffix = String(lowered.dropFirst(2))
                    if wildcards[suffix] == nil { wildcards[suffix] = index }
                } else if exact[lowered] == nil {
                    exact[lowered] = index
                }
            }
        }
    }

    /// The host index for `name` (any case, no port, no trailing dot), or nil when no host claims it.
    func index(for name: String) -> Int? {
        var lowered = name.lowercased()
        if lowered.hasSuffix(".") { lowered.removeLast() }
        if let index = exact[lowered] { return index }
        if let dot = lowered.firstIndex(of: "."), let index = wildcards[String(lowered[lowered.index(after: dot)...])] {
            return index
        }
        return catchAll
    }

    /// The name part of a Host header or `:authority` (`example.com:8443` → `example.com`, `[::1]:443` → `::1`).
    static func name(fromAuthority authority: String) -> String {
        if authority.hasPrefix("[") {
            if let close = authority.firstIndex(of: "]") {
                return String(authority[authority.index(after: authority.startIndex)..<close])
            }
            return authority
        }
        if let colon = authority.lastIndex(of: ":"), authority.firstIndex(of: ":") == colon {
            return String(authority[..<colon])
        }
        return authority
    }
}
