import Crypto
import NIOConcurrencyHelpers
import TrustGateX509

/// Remembers, by the leaf's SHA-256, the chains clients presented in full handshakes. A resumed TLS session
/// carries only the leaf, and the policy must judge the same chain the client sent the first time (its
/// intermediates included) — not a leaf alone that would fail for want of an intermediate.
final class PresentedChainMemory: Sendable {
    private struct State {
        var chains: [[UInt8]: PresentedCertificateChain] = [:]
        var order: [[UInt8]] = []
        var head = 0
    }

    private let capacity: Int
    private let state = NIOLockedValueBox(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    func remember(_ chain: PresentedCertificateChain) {
        guard let leaf = chain.derCertificates.first, chain.derCertificates.count > 1 else { return }
        let key = Array(SHA256.hash(data: leaf))
        state.withLockedValue { state in
            if state.chains.updateValue(chain, forKey: key) != nil { return }
            if state.order.count < capacity {
                state.order.append(key)
            } else {
                // Ring buffer: the oldest entry gives way.
                state.chains.removeValue(forKey: state.order[state.head])
                state.order[state.head] = key
                state.head = (state.head + 1) % capacity
            }
        }
    }

    /// The remembered chain for `leaf`, or the leaf alone.
    func chain(forLeaf leaf: [UInt8]) -> PresentedCertificateChain {
        let key = Array(SHA256.hash(data: leaf))
        if let chain = state.withLockedValue({ $0.chains[key] }), chain.derCertificates.first == leaf {
            return chain
        }
        return PresentedCertificateChain(derCertificates: [leaf])
    }
}
