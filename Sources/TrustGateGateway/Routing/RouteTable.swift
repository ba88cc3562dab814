import TrustGateX509

/// A route compiled for request time: host indices resolved, path lower-cased, upstream looked up.
struct CompiledRoute: Sendable {
    let configuration: RouteConfiguration
    let name: String
    /// Per listener: the host indices this route serves; nil = every host.
    let hostIndices: [Int: Set<Int>]?
    let loweredPrefix: String
    let methods: Set<String>?
    let upstream: UpstreamRuntime
    let identity: IdentityRequirement?
    /// The route's `auth`, prepared once; nil when it has none.
    var authentication: CompiledRouteAuthentication? = nil
}

/// Picks the route for a request: among routes serving the host whose prefix matches the path on a segment
/// boundary (case-insensitively, so `/ADMIN` cannot slip past a stricter `/admin` route to a looser `/`),
/// the longest prefix wins; file order breaks ties. Methods are checked after the path so that a request
/// to a known path with another method gets 405, not a looser route.
struct RouteTable: Sendable {
    enum Match {
        case route(CompiledRoute)
        case methodNotAllowed(allowed: [String])
        case noRoute
    }

    let routes: [CompiledRoute]

    func match(listener: Int, host: Int, path: String, method: String) -> Match {
        let lowered = path.lowercased()
        var bestLength = -1
        var candidates: [CompiledRoute] = []
        for route in routes {
            if let hosts = route.hostIndices, !(hosts[listener]?.contains(host) ?? false) { continue }
            guard Self.prefix(route.loweredPrefix, matches: lowered) else { continue }
            let length = route.loweredPrefix.count
            if length > bestLength {
                bestLength = length
                candidates = [route]
            } else if length == bestLength {
                candidates.append(route)
            }
        }
        guard !candidates.isEmpty else { return .noRoute }
        if let route = candidates.first(where: { $0.methods == nil || $0.methods!.contains(method) }) {
            return .route(route)
        }
        let allowed = Set(candidates.flatMap { $0.methods ?? [] }).sorted()
        return .methodNotAllowed(allowed: allowed)
    }

    static func prefix(_ prefix: String, matches path: String) -> Bool {
        if prefix == "/" { return true }
        guard path.hasPrefix(prefix) else { return false }
        if path.count == prefix.count || prefix.hasSuffix("/") { return true }
        return path[path.index(path.startIndex, offsetBy: prefix.count)] == "/"
    }
}
