import TrustGateAuth

/// A route's `auth` with what every request needs derived once: which headers to hand to the
/// authenticators, and which to withhold from the upstream.
struct CompiledRouteAuthentication: Sendable {
    let configuration: RouteAuthentication
    /// Lower-cased names of the headers the requirement's authenticators read.
    let headerNames: [String]
    /// Lower-cased names removed from the client's request: every configured principal header (a client
    /// must not be able to claim an identity), and the consumed credentials unless `forward_credentials`.
    let removedHeaders: Set<String>

    init(_ configuration: RouteAuthentication) {
        self.configuration = configuration
        headerNames = configuration.requirement.headerNames
        var removed = Set(configuration.principalHeaders?.lowercasedNames ?? [])
        if !configuration.forwardCredentials { removed.formUnion(headerNames) }
        removedHeaders = removed
    }

    var requirement: AuthenticationRequirement { configuration.requirement }
}
