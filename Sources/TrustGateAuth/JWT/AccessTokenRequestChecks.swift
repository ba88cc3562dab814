import Crypto
import Foundation
import TrustGateJOSE
import TrustGateX509

/// The checks that depend on the request rather than on the token alone, so they run again for every use of a
/// cached token: the validity window against this request's time (RS-6) and the certificate binding against
/// this request's certificate (RS-8).
enum AccessTokenRequestChecks {
    /// RS-6 allows at most 60 s of skew, whatever the settings say.
    static func effectiveSkew(_ configured: TimeInterval) -> TimeInterval {
        min(max(configured, 0), 60)
    }

    static func check(
        _ claims: AccessTokenClaims, clockSkew: TimeInterval, presentedCertificateLeafDER: [UInt8]?, now: Date
    ) -> TokenRejection? {
        let skew = effectiveSkew(clockSkew)
        if now >= claims.expiresAt.addingTimeInterval(skew) { return .expired }
        if let notBefore = claims.notBefore, notBefore.addingTimeInterval(-skew) > now { return .notYetValid }
        if let issuedAt = claims.issuedAt, issuedAt.addingTimeInterval(-skew) > now { return .issuedInFuture }
        return bindingProblem(thumbprint: claims.certificateThumbprintSHA256, leafDER: presentedCertificateLeafDER)
    }

    /// `cnf.x5t#S256` must be the SHA-256 of this connection's leaf certificate, compared in constant time.
    static func bindingProblem(thumbprint: String?, leafDER: [UInt8]?) -> TokenRejection? {
        guard let thumbprint else { return nil }
        guard let leafDER, !leafDER.isEmpty else { return .certificateRequired }
        guard let expected = Base64URL.decode(thumbprint) else { return .certificateMismatch }
        let actual = Array(SHA256.hash(data: leafDER))
        return ConstantTime.equal(expected, actual) ? nil : .certificateMismatch
    }
}
