import TrustGateStore
import TrustGateX509

/// Named keys from TrustGate's store, opened with the store key (`trustgate keys add-secret`, `add-pfx`).
public struct StoreNamedKeys: NamedKeyProvider {
    public let store: SQLiteRegistrationStore
    private let storeKey: KeyEncryptionKey

    public init(store: SQLiteRegistrationStore, storeKey: KeyEncryptionKey) {
        self.store = store
        self.storeKey = storeKey
    }

    public func secret(named name: String) async throws -> [UInt8] {
        try await key(name).secretValue(using: storeKey)
    }

    public func certificate(named name: String) async throws -> CertificateBundle {
        try await key(name).certificateBundle(using: storeKey)
    }

    private func key(_ name: String) async throws -> NamedKey {
        guard let key = try await store.namedKey(name: name) else { throw NamedKeyError.unknown(name) }
        return key
    }
}
