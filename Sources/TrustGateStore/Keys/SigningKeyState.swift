/// Where a signing key is in its life at a given time. Published keys are in the JWKS before they sign, retired
/// keys stay there after they stop (JK-3), so resource servers with a cached JWKS never see an unknown `kid`.
public enum SigningKeyState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Published later (not yet in the JWKS).
    case scheduled
    /// In the JWKS, not yet signing.
    case published
    /// Signing (and in the JWKS).
    case active
    /// No longer signing, still in the JWKS for tokens it signed.
    case retired
    /// Gone from the JWKS.
    case removed
}
