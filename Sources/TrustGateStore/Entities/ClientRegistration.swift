/// A client with everything registered for it, read in one consistent snapshot: what the token endpoint needs
/// to authenticate a request and what `trustgate client show` prints.
public struct ClientRegistration: Sendable {
    public let client: Client
    public let secrets: [ClientSecret]
    public let certificates: [ClientCertificate]
    public let subjectIssuerRules: [SubjectIssuerRule]
    public let grants: [RoleGrant]

    public init(
        client: Client, secrets: [ClientSecret], certificates: [ClientCertificate], subjectIssuerRules: [SubjectIssuerRule],
        grants: [RoleGrant]
    ) {
        self.client = client
        self.secrets = secrets
        self.certificates = certificates
        self.subjectIssuerRules = subjectIssuerRules
        self.grants = grants
    }

    /// The roles granted on `resource` (empty when none).
    public func roles(on resource: String) -> [String] {
        grants.first { $0.resource == resource }?.roles ?? []
    }
}
