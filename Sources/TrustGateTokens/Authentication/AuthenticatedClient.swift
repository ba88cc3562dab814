import Foundation
import TrustGateStore

/// A client whose credentials verified, with what the rest of the request needs to know about how.
struct AuthenticatedClient: Sendable {
    let registration: ClientRegistration
    let method: ClientAuthenticationMethod
    /// The assertion's `jti` to record once the request is otherwise valid (CA-10); nil for other methods and
    /// for clients allowed to reuse assertions.
    let pendingAssertionID: PendingAssertionID?

    var client: Client { registration.client }
}

/// A verified assertion's `jti` and how long it must be remembered: until min(exp, iat + max age) + skew.
struct PendingAssertionID: Sendable, Hashable {
    let jti: String
    let expiresAt: Date
}
