public import Foundation
public import TrustGateStore

extension TokenEndpoint {
    /// The signing step alone, as a `client_secret_basic` request for `registration` on `resource` reaches it (claims
    /// and signature, no HTTP parsing or store round trips): what Benchmarks/TokenBenchmark times as "signing-only".
    /// SPI, not API: the authenticated client and the grant are the endpoint's own business.
    @_spi(Benchmarks)
    public func signingStep(registration: ClientRegistration, resource: Resource) -> @Sendable (Date) async throws -> Void {
        let client = AuthenticatedClient(registration: registration, method: .clientSecretBasic, pendingAssertionID: nil)
        let access = GrantedAccess(resource: resource, roles: registration.roles(on: resource.identifier), scope: resource.defaultScope)
        let issuer = accessTokenIssuer
        return { now in _ = try await issuer.issue(to: client, access: access, certificateThumbprint: nil, at: now) }
    }
}
