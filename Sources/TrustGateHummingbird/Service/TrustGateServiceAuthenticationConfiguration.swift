import TrustGateAuth
import TrustGateConfiguration
import TrustGateX509

/// The `auth_schemes` / `auth` part of a service configuration, read with the gateway's schemas so a
/// requirement means the same on a gateway route and in a Swift service.
enum TrustGateServiceAuthenticationConfiguration {
    /// nil when `auth` is absent. The built-in `certificate` scheme judges certificates without a verdict
    /// (forwarded by a trusted proxy) with `certificatePolicy`; handshake certificates carry their verdict.
    static func requirement(
        schemes schemesNode: ConfigurationNode?,
        auth authNode: ConfigurationNode?,
        certificatePolicy: CertificatePolicy?,
        owner: ConfigurationNode
    ) throws -> AuthenticationRequirement? {
        let schemes = try AuthenticationSchemesConfiguration.parse(schemesNode, certificatePolicy: certificatePolicy)
        guard let authNode else {
            if let schemesNode { throw schemesNode.error("auth_schemes are defined but no `auth` requirement uses them") }
            return nil
        }
        let requirement = try AuthenticationRequirementConfiguration.parse(authNode, schemes: schemes)
        if requirement.usesClientCertificate, certificatePolicy == nil {
            throw authNode.error("the requirement accepts client certificates, but no certificate_policy is configured to judge them")
        }
        return requirement
    }
}
