import Foundation
import Synchronization
import TrustGateStore

/// Writes one audit event per token request: who asked, how they authenticated, for which resource, and — for a
/// refusal — the reason code. Never a secret, an assertion or a token: the event type only holds codes.
///
/// A failing audit write does not fail the request (the token decision is already made); it is counted so an
/// operator can see the log is incomplete.
final class TokenAuditLog: Sendable {
    private let store: any RegistrationStore
    private let failures = Atomic<Int>(0)

    init(store: any RegistrationStore) {
        self.store = store
    }

    /// Audit events that could not be written since the service started.
    var failedWrites: Int { failures.load(ordering: .relaxed) }

    func issued(clientID: String, method: ClientAuthenticationMethod, resource: String, at time: Date) async {
        await append(clientID: clientID, method: method, outcome: .issued, reason: nil, resource: resource, at: time)
    }

    func refused(
        clientID: String?, method: ClientAuthenticationMethod?, reason: TokenRefusalReason, resource: String?, at time: Date
    ) async {
        await append(clientID: clientID, method: method, outcome: .refused, reason: reason.rawValue, resource: resource, at: time)
    }

    private func append(
        clientID: String?, method: ClientAuthenticationMethod?, outcome: AuditEvent.Outcome, reason: String?, resource: String?,
        at time: Date
    ) async {
        do {
            let event = try AuditEvent(time: time, clientID: clientID, method: method, outcome: outcome, reason: reason, resource: resource)
            try await store.appendAuditEvent(event)
        } catch {
            failures.add(1, ordering: .relaxed)
        }
    }
}
