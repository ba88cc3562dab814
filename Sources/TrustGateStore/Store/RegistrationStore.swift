public import Foundation

/// The registrations behind the token service: resources, clients and their credentials, role grants, signing
/// keys, the assertion replay store and the audit log.
///
/// Implementations are safe to share between tasks and, for a file or server database, between processes.
/// Every method is one transaction. Failures are `RegistrationStoreError`s (value problems arrive as
/// `.invalidValue`). SQLite implements it today (`SQLiteRegistrationStore`); PostgreSQL will implement the same
/// protocol.
public protocol RegistrationStore: Sendable {
    // MARK: Resources

    /// Adds a resource; `.resourceAlreadyExists` when the identifier is taken.
    func addResource(_ resource: Resource) async throws
    /// Replaces a resource's name, roles, profile and lifetime. Grants of roles no longer listed are dropped.
    func updateResource(_ resource: Resource) async throws
    /// Removes a resource and every grant on it.
    func removeResource(identifier: String) async throws
    func resource(identifier: String) async throws -> Resource?
    /// All resources, by identifier.
    func resources() async throws -> [Resource]

    // MARK: Clients

    /// Adds a client; `.clientAlreadyExists` when the id is taken.
    func addClient(_ client: Client) async throws
    /// Replaces a client's settings (not its credentials or grants); `updatedAt` is set by the store.
    func updateClient(_ client: Client) async throws
    /// Removes a client with its secrets, certificates, rules and grants.
    func removeClient(id: String) async throws
    func client(id: String) async throws -> Client?
    /// All clients, by id.
    func clients() async throws -> [Client]
    /// A client with its credentials and grants, in one snapshot.
    func registration(clientID: String) async throws -> ClientRegistration?

    // MARK: Secrets

    func addSecret(_ secret: ClientSecret) async throws
    func removeSecret(clientID: String, secretID: UUID) async throws
    /// The client's secrets, oldest first (expired ones included: the caller checks `isExpired(at:)`).
    func secrets(clientID: String) async throws -> [ClientSecret]

    // MARK: Certificates

    /// Registers a certificate; `.certificateAlreadyRegistered` when any client has it already, so a thumbprint
    /// always names one client (MT-3).
    func addCertificate(_ certificate: ClientCertificate) async throws
    func removeCertificate(clientID: String, sha256: [UInt8]) async throws
    func certificates(clientID: String) async throws -> [ClientCertificate]
    /// The registered certificate with this thumbprint and its client (CA-15's `x5t#S256` / `x5t` lookup,
    /// MT-2's SHA-256 of a presented certificate).
    func clientCertificate(matching digest: CertificateDigest) async throws -> ClientCertificateMatch?

    // MARK: Subject / issuer rules

    func addSubjectIssuerRule(_ rule: SubjectIssuerRule) async throws
    func removeSubjectIssuerRule(clientID: String, ruleID: UUID) async throws
    func subjectIssuerRules(clientID: String) async throws -> [SubjectIssuerRule]

    // MARK: Role grants

    /// Adds `roles` on `resource` to the client's grant and returns the whole grant. Every role must be one of the
    /// resource's app roles (`.unknownRole`).
    @discardableResult
    func grantRoles(clientID: String, resource: String, roles: [String]) async throws -> RoleGrant
    /// Removes `roles` (nil: all) from the client's grant on `resource`; returns what remains (nil: nothing).
    @discardableResult
    func revokeRoles(clientID: String, resource: String, roles: [String]?) async throws -> RoleGrant?
    func grants(clientID: String) async throws -> [RoleGrant]

    // MARK: Signing keys

    /// All signing keys, oldest first, whatever their state.
    func signingKeys() async throws -> [SigningKey]
    func addSigningKey(_ key: SigningKey) async throws
    /// Sets when the key starts signing (it must be published by then).
    func activateSigningKey(keyID: String, at time: Date) async throws
    /// Sets when the key stops signing and when it leaves the JWKS.
    func retireSigningKey(keyID: String, at time: Date, removeAt removal: Date) async throws
    /// Adds `newKey` and, in the same transaction, retires every key not yet retired at `newKey.activeFrom`
    /// (or now) and schedules its removal `retention` later. Returns the keys it retired.
    @discardableResult
    func rotateSigningKeys(adding newKey: SigningKey, retention: TimeInterval) async throws -> [SigningKey]
    /// The key that signs at `time`: the active key that was activated last; nil when none.
    func currentSigningKey(at time: Date) async throws -> SigningKey?
    /// The keys for the JWKS at `time`: published and not removed.
    func publishedSigningKeys(at time: Date) async throws -> [SigningKey]

    // MARK: Replay

    /// Remembers the assertion's `jti` for `clientID` until `expiresAt`. Atomic put-if-absent across tasks and
    /// processes: true the first time, false while an unexpired record exists (a replay). Expired records are
    /// purged along the way.
    func recordAssertionID(clientID: String, jti: String, expiresAt: Date) async throws -> Bool

    // MARK: Audit

    func appendAuditEvent(_ event: AuditEvent) async throws
    /// The latest `limit` events, newest first, optionally for one client.
    func latestAuditEvents(limit: Int, clientID: String?) async throws -> [AuditEvent]
    /// Deletes events older than `time`; returns how many.
    @discardableResult
    func pruneAuditEvents(before time: Date) async throws -> Int
}

/// A registered certificate found by thumbprint, with the client it belongs to.
public struct ClientCertificateMatch: Sendable {
    public let client: Client
    public let certificate: ClientCertificate

    public init(client: Client, certificate: ClientCertificate) {
        self.client = client
        self.certificate = certificate
    }
}

extension RegistrationStore {
    /// The roles the client holds on `resource` (empty when none).
    public func grantedRoles(clientID: String, resource: String) async throws -> [String] {
        try await grants(clientID: clientID).first { $0.resource == resource }?.roles ?? []
    }
}
