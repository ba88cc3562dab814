import TrustGateJOSE

/// The rule shared by every key source: a parseable JWK Set with at least one usable key.
enum JWKSDocument {
    static func keys(from bytes: [UInt8]) -> Result<[JSONWebKey], JWKSLoadError> {
        let set: JSONWebKeySet
        do {
            set = try JSONWebKeySet(jsonBytes: bytes)
        } catch {
            return .failure(.invalidDocument(error))
        }
        guard !set.keys.isEmpty else { return .failure(.noUsableKey) }
        return .success(set.keys)
    }
}
