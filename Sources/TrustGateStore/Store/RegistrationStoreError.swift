/// Why a store operation failed, as values the CLI and the token service can act on. Texts name identifiers,
/// never secrets.
public enum RegistrationStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case resourceAlreadyExists(String)
    case unknownResource(String)
    case clientAlreadyExists(String)
    case unknownClient(String)
    /// The role is not one of the resource's app roles.
    case unknownRole(role: String, resource: String)
    /// The certificate (same SHA-256) is already registered, for `clientID`.
    case certificateAlreadyRegistered(clientID: String)
    case unknownCertificate(clientID: String)
    case unknownSecret(clientID: String, secretID: String)
    case unknownRule(clientID: String, ruleID: String)
    case signingKeyAlreadyExists(String)
    case unknownSigningKey(String)
    case invalidValue(InvalidRegistrationValue)
    /// The store was written by a newer TrustGate (its schema version is above the one this build knows).
    case schemaTooNew(found: Int, supported: Int)
    /// No store at the path (read-only commands do not create one).
    case storeNotFound(path: String)
    /// The file exists but is not a store (not SQLite, or a database without TrustGate's tables).
    case notAStore(path: String, reason: String)
    /// The database failed: I/O, a lock held longer than the busy timeout, a full disk.
    case storageFailure(String)
    case closed

    public var description: String {
        switch self {
        case .resourceAlreadyExists(let id): return "a resource '\(id)' already exists"
        case .unknownResource(let id): return "no resource '\(id)'"
        case .clientAlreadyExists(let id): return "a client '\(id)' already exists"
        case .unknownClient(let id): return "no client '\(id)'"
        case .unknownRole(let role, let resource): return "'\(role)' is not an app role of resource '\(resource)'"
        case .certificateAlreadyRegistered(let clientID): return "this certificate is already registered for client '\(clientID)'"
        case .unknownCertificate(let clientID): return "client '\(clientID)' has no such certificate"
        case .unknownSecret(let clientID, let secretID): return "client '\(clientID)' has no secret \(secretID)"
        case .unknownRule(let clientID, let ruleID): return "client '\(clientID)' has no subject/issuer rule \(ruleID)"
        case .signingKeyAlreadyExists(let kid): return "a signing key '\(kid)' already exists"
        case .unknownSigningKey(let kid): return "no signing key '\(kid)'"
        case .invalidValue(let value): return value.description
        case .schemaTooNew(let found, let supported):
            return "the store has schema version \(found), newer than this trustgate supports (\(supported)); use a newer trustgate"
        case .storeNotFound(let path): return "no store at \(path)"
        case .notAStore(let path, let reason): return "\(path) is not a TrustGate store: \(reason)"
        case .storageFailure(let message): return "store failure: \(message)"
        case .closed: return "the store is closed"
        }
    }
}
