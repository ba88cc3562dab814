import TrustGateStore

/// What a client-credentials request is granted: one resource (the token's `aud`), the app roles the client
/// holds on it, and the scope string to report.
struct GrantedAccess: Sendable {
    let resource: Resource
    /// Sorted; empty when the client holds no role on the resource (the token then carries no `roles`).
    let roles: [String]
    /// `{resource}/.default`: what the response's and the token's `scope` say was granted.
    let scope: String
}
