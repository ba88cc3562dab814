import TrustGateClient
import TrustGateStore
import TrustGateX509

/// Named keys from TrustGate's store, opened with the store key (`trustgate keys add-secret`, `add-pfx`): the
/// store-backed ``NamedKeyProvider`` the CLI hands to its connectors.
struct StoreNamedKeys: NamedKeyProvider {
    let store: SQLiteRegistrationStore
    private let storeKey: KeyEncryptionKey

    init(store: SQLiteRegistrationStore, storeKey: KeyEncryptionKey) {
        self.store = store
        self.storeKey = storeKey
    }

    func secret(named name: String) async throws -> [UInt8] {
        try await key(name).secretValue(using: storeKey)
    }

    func certificate(named name: String) async throws -> CertificateBundle {
        try await key(name).certificateBundle(using: storeKey)
    }

    /// A ``NamedKeyError`` names the key itself; the store's other errors follow the reference.
    func describe(_ error: any Error, reference: String) -> String {
        if let named = error as? NamedKeyError { return named.description }
        return "\(reference): \(error)"
    }

    private func key(_ name: String) async throws -> NamedKey {
        guard let key = try await store.namedKey(name: name) else { throw NamedKeyError.unknown(name) }
        return key
    }
}
