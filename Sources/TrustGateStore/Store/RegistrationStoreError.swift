/// Why a store operation failed, as values the CLI and the token service can act on. Texts name identifiers,
/// never secrets.
public struct RegistrationStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        public static let resourceAlreadyExists = Code(description: "resourceAlreadyExists")

        public static let unknownResource = Code(description: "unknownResource")

        public static let clientAlreadyExists = Code(description: "clientAlreadyExists")

        public static let unknownClient = Code(description: "unknownClient")

        /// The role is not one of the resource's app roles.
        public static let unknownRole = Code(description: "unknownRole")

        /// The certificate (same SHA-256) is already registered, for `clientID`.
        public static let certificateAlreadyRegistered = Code(description: "certificateAlreadyRegistered")

        public static let unknownCertificate = Code(description: "unknownCertificate")

        public static let unknownSecret = Code(description: "unknownSecret")

        public static let unknownRule = Code(description: "unknownRule")

        public static let signingKeyAlreadyExists = Code(description: "signingKeyAlreadyExists")

        public static let unknownSigningKey = Code(description: "unknownSigningKey")

        public static let invalidValue = Code(description: "invalidValue")

        /// The store was written by a newer TrustGate (its schema version is above the one this build knows).
        public static let schemaTooNew = Code(description: "schemaTooNew")

        /// No store at the path (read-only commands do not create one).
        public static let storeNotFound = Code(description: "storeNotFound")

        /// The file exists but is not a store (not SQLite, or a database without TrustGate's tables).
        public static let notAStore = Code(description: "notAStore")

        /// The database failed: I/O, a lock held longer than the busy timeout, a full disk.
        public static let storageFailure = Code(description: "storageFailure")

        public static let closed = Code(description: "closed")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func resourceAlreadyExists(_ id: String) -> Self {
        Self(code: .resourceAlreadyExists, message: "a resource '\(id)' already exists")
    }

    public static func unknownResource(_ id: String) -> Self {
        Self(code: .unknownResource, message: "no resource '\(id)'")
    }

    public static func clientAlreadyExists(_ id: String) -> Self {
        Self(code: .clientAlreadyExists, message: "a client '\(id)' already exists")
    }

    public static func unknownClient(_ id: String) -> Self {
        Self(code: .unknownClient, message: "no client '\(id)'")
    }

    public static func unknownRole(role: String, resource: String) -> Self {
        Self(code: .unknownRole, message: "'\(role)' is not an app role of resource '\(resource)'")
    }

    public static func certificateAlreadyRegistered(clientID: String) -> Self {
        Self(
            code: .certificateAlreadyRegistered,
            message: "this certificate is already registered for client '\(clientID)'")
    }

    public static func unknownCertificate(clientID: String) -> Self {
        Self(code: .unknownCertificate, message: "client '\(clientID)' has no such certificate")
    }

    public static func unknownSecret(clientID: String, secretID: String) -> Self {
        Self(code: .unknownSecret, message: "client '\(clientID)' has no secret \(secretID)")
    }

    public static func unknownRule(clientID: String, ruleID: String) -> Self {
        Self(code: .unknownRule, message: "client '\(clientID)' has no subject/issuer rule \(ruleID)")
    }

    public static func signingKeyAlreadyExists(_ kid: String) -> Self {
        Self(code: .signingKeyAlreadyExists, message: "a signing key '\(kid)' already exists")
    }

    public static func unknownSigningKey(_ kid: String) -> Self {
        Self(code: .unknownSigningKey, message: "no signing key '\(kid)'")
    }

    public static func invalidValue(_ value: InvalidRegistrationValue) -> Self {
        Self(code: .invalidValue, message: value.description)
    }

    public static func schemaTooNew(found: Int, supported: Int) -> Self {
        Self(
            code: .schemaTooNew,
            message: "the store has schema version \(found), newer than this trustgate supports (\(supported)); use a newer trustgate")
    }

    public static func storeNotFound(path: String) -> Self {
        Self(code: .storeNotFound, message: "no store at \(path)")
    }

    public static func notAStore(path: String, reason: String) -> Self {
        Self(code: .notAStore, message: "\(path) is not a TrustGate store: \(reason)")
    }

    public static func storageFailure(_ message: String) -> Self {
        Self(code: .storageFailure, message: "store failure: \(message)")
    }

    public static var closed: Self {
        Self(code: .closed, message: "the store is closed")
    }
}
