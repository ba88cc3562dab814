import Foundation
import TrustGateConfiguration
import TrustGateX509

/// Reads the address forms of the gateway configuration: listen addresses (`host:port`, `[v6]:port`,
/// `:port`), upstream URLs, and host names.
enum GatewayAddressParsing {
    /// `127.0.0.1:8443`, `[::1]:8443`, `localhost:8443`, `:8443` (every IPv4 address). Port 0 asks the
    /// system for an ephemeral port.
    static func listenAddress(_ node: ConfigurationNode) throws -> ListenAddress {
        let text = try node.nonEmptyString()
        let example = "expected host:port, [ipv6]:port or :port (e.g. 127.0.0.1:8443)"
        let (host, portText) = try hostAndPort(text, node: node, example: example)
        guard let portText else { throw node.error("'\(text)' has no port: \(example)") }
        let port = try self.port(portText, in: 0...65_535, node: node)
        return ListenAddress(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }

    /// Whether a listen address only accepts connections from this machine.
    static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered.hasSuffix(".localhost") { return true }
        guard let bytes = IPAddressText.bytes(lowered) else { return false }
        if bytes.count == 4 { return bytes[0] == 127 }
        if bytes == Array(repeating: 0, count: 15) + [1] { return true }
        // ::ffff:127.x.x.x
        return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
    }

    /// Splits `host[:port]`; a bracketed host must be an IPv6 address, an unbracketed one must not contain `:`.
    private static func hostAndPort(_ text: String, node: ConfigurationNode, example: String) throws -> (host: String, port: Substring?) {
        guard !text.contains(where: \.isWhitespace) else { throw node.error("'\(text)' contains spaces: \(example)") }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw node.error("'\(text)': missing ']': \(example)") }
            let host = String(text[text.index(after: text.startIndex)..<close])
            guard let bytes = IPAddressText.bytes(host), bytes.count == 16 else {
                throw node.error("'\(host)' in brackets is not an IPv6 address: \(example)")
            }
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host.lowercased(), nil) }
            guard rest.hasPrefix(":") else { throw node.error("'\(text)': expected ':port' after ']': \(example)") }
            return (host.lowercased(), rest.dropFirst())
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            throw node.error("'\(text)': an IPv6 address must be written in brackets, e.g. [::1]:8443")
        }
        let host = String(parts[0]).lowercased()
        if !host.isEmpty, !isValidHostName(host) {
            throw node.error("'\(host)' is not a valid host name or IP address: \(example)")
        }
        return (host, parts.count == 2 ? parts[1] : nil)
    }

    private static func port(_ text: Substring, in range: ClosedRange<Int>, node: ConfigurationNode) throws -> Int {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(text), range.contains(port) else {
            throw node.error("the port must be a number between \(range.lowerBound) and \(range.upperBound), found '\(text)'")
        }
        return port
    }

    /// A DNS name (letters, digits, `-`, `_`, dots between labels) or an IP address.
    static func isValidHostName(_ name: String) -> Bool {
        if IPAddressText.bytes(name) != nil { return true }
        guard !name.isEmpty, name.count <= 253, !name.hasPrefix("."), !name.contains("..") else { return false }
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        return trimmed.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
    }

    /// A virtual host name: a DNS name, an IP literal (IPv6 with or without brackets), `*.suffix` (one
    /// label) or `*` (every name). Returned lower-case, IPv6 without brackets, as `HostNameTable` compares them.
    static func virtualHostName(_ node: ConfigurationNode) throws -> String {
        var name = try node.nonEmptyString().lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "*" { return name }
        let checked = name.hasPrefix("*.") ? String(name.dropFirst(2)) : name
        guard isValidHostName(checked), !checked.contains("*") else {
            throw node.error("'\(name)' is not a host name, IP address, '*.domain' wildcard or '*'")
        }
        return name
    }

    // MARK: Upstream URLs

    struct UpstreamURL {
        var scheme: UpstreamConfiguration.Scheme
        var host: String
        var port: Int
        var basePath: String
    }

    /// `http://host[:port][/base/path]` or `https://…`; the host may be `[v6]`. Query, fragment and user
    /// information are refused: the gateway builds each upstream request from the client's path, and
    /// credentials do not belong in a URL that ends up in logs.
    static func upstreamURL(_ node: ConfigurationNode) throws -> UpstreamURL {
        let text = try node.nonEmptyString()
        let example = "expected a URL such as http://127.0.0.1:9000 or https://app.internal/base"
        guard let separator = text.range(of: "://") else { throw node.error("'\(text)' is not an absolute URL: \(example)") }
        guard let scheme = UpstreamConfiguration.Scheme(rawValue: text[..<separator.lowerBound].lowercased()) else {
            throw node.error("the scheme must be http or https, found '\(text[..<separator.lowerBound])'")
        }
        let rest = text[separator.upperBound...]
        guard !rest.contains(where: \.isWhitespace) else { throw node.error("the URL must not contain spaces") }
        guard !rest.contains("?") else { throw node.error("the URL must not have a query ('?…'): the upstream request's query is the client's") }
        guard !rest.contains("#") else { throw node.error("the URL must not have a fragment ('#…')") }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        guard !authority.contains("@") else {
            throw node.error("the URL must not contain user information (user:password@): credentials do not belong in a URL")
        }
        guard !authority.isEmpty else { throw node.error("the URL has no host: \(example)") }
        let (host, portText) = try hostAndPort(authority, node: node, example: example)
        guard !host.isEmpty else { throw node.error("the URL has no host: \(example)") }
        let port = try portText.map { try self.port($0, in: 1...65_535, node: node) } ?? (scheme == .https ? 443 : 80)
        var basePath = String(rest[slash...])
        while basePath.hasSuffix("/") { basePath.removeLast() }
        return UpstreamURL(scheme: scheme, host: host, port: port, basePath: basePath)
    }
}
