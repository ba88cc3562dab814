import Synchronization

/// Collects why the harness's own policies refused candidate chains during one evaluation.
///
/// The engine reports a path that no policy accepted as `untrusted_issuer` and drops swift-certificates'
/// per-chain reasons, so without this the context of, say, a hostname mismatch would only say "does not
/// chain to a trusted CA". Shared by the policy copies the engine's verifiers make; one log per testcase.
final class PolicyFailureLog: Sendable {
    private let reasons = Mutex<[String]>([])
    private static let limit = 4

    func record(_ reason: String) {
        reasons.withLock { list in
            if list.count < Self.limit, !list.contains(reason) { list.append(reason) }
        }
    }

    var recorded: [String] { reasons.withLock { $0 } }
}
