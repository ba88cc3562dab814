public import TrustGateStore
public import TrustGateTokens

/// The OAuth 2.0 token service the gateway serves itself (`token_service:`): its issuer and tolerances, the
/// registration store, and the key that opens the signing keys.
public struct TokenServiceConfiguration: Sendable {
    public var settings: TokenServiceSettings
    /// The SQLite registration store (created when missing).
    public var storePath: String
    public var storeKey: KeyEncryptionKey
    /// Configured host names whose requests may reach the service's paths; empty: every host.
    public var hosts: [String]
    /// The automatic key rotation schedule (`key_rotation:`); nil: keys rotate only with `trustgate keys rotate`.
    public var keyRotation: SigningKeyRotationSchedule?

    public init(
        settings: TokenServiceSettings, storePath: String, storeKey: KeyEncryptionKey, hosts: [String] = [],
        keyRotation: SigningKeyRotationSchedule? = nil
    ) {
        self.settings = settings
        self.storePath = storePath
        self.storeKey = storeKey
        self.hosts = hosts
        self.keyRotation = keyRotation
    }
}
