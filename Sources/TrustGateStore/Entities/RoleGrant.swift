/// The app roles a client holds on one resource (what `{resource}/.default` puts in the token's `roles`). Every
/// role is one of the resource's app roles; the store refuses others.
public struct RoleGrant: Sendable, Hashable {
    public let clientID: String
    public let resource: String
    /// Sorted, without duplicates.
    public let roles: [String]

    public init(clientID: String, resource: String, roles: [String]) {
        self.clientID = clientID
        self.resource = resource
        self.roles = Array(Set(roles)).sorted()
    }
}
