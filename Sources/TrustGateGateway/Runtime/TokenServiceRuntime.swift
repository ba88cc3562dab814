import TrustGateStore
import TrustGateTokens

/// The token service as a runtime serves it: the service (store opened, signing keys opened on first use) and
/// which hosts route its paths to it.
final class TokenServiceRuntime: Sendable {
    let service: TokenService
    /// Per listener: the host indices that serve it; nil = every host.
    let hostIndices: [Int: Set<Int>]?
    /// The automatic rotation schedule's timer (`key_rotation:`); nil when keys rotate by hand only. Started by
    /// the server once the runtime serves, cancelled when a reload replaces the runtime or the server stops.
    let rotationTimer: SigningKeyRotationTimer?

    init(configuration: TokenServiceConfiguration, listeners: [ListenerRuntime]) throws {
        let store = try SQLiteRegistrationStore(path: configuration.storePath, create: true)
        service = try TokenService(settings: configuration.settings, store: store, storeKey: configuration.storeKey)
        rotationTimer = configuration.keyRotation.map { schedule in
            SigningKeyRotationTimer(
                schedule: schedule, store: store, storeKey: configuration.storeKey,
                algorithm: configuration.settings.accessTokenAlgorithm, jwksCacheTime: configuration.settings.jwksCacheTime)
        }
        if configuration.hosts.isEmpty {
            hostIndices = nil
        } else {
            var map: [Int: Set<Int>] = [:]
            for listener in listeners {
                for host in listener.hosts where host.names.contains(where: configuration.hosts.contains) {
                    map[listener.index, default: []].insert(host.index)
                }
            }
            hostIndices = map
        }
    }

    func serves(listener: Int, host: Int) -> Bool {
        guard let hostIndices else { return true }
        return hostIndices[listener]?.contains(host) ?? false
    }

    /// The first signing key, when the store has none yet (a new store): tokens can be issued at once.
    func ensureSigningKey(storeKey: KeyEncryptionKey) async throws {
        try await TokenSigningKeys.ensureSigningKey(
            in: service.store, algorithm: service.settings.accessTokenAlgorithm, storeKey: storeKey,
            jwksCacheTime: service.settings.jwksCacheTime)
    }
}
