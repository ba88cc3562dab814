import Foundation
import Synchronization

/// A bounded (LRU) cache of verdicts keyed by the presented chain and the policy generation.
///
/// An entry expires at the earliest of: the TTL, the next validity boundary of any certificate in the
/// chain (notBefore / notAfter with skew) and the next nextUpdate of a CRL that was consulted. An entry
/// made under another policy generation is never returned: reloading trust or revocation data makes
/// every older verdict unusable at once. One cache may be shared by successive policies (reload).
public final class VerdictCache: Sendable {
    public let capacity: Int
    private let state: Mutex<LRUState>

    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
        self.state = Mutex(LRUState(capacity: max(1, capacity)))
    }

    struct Entry {
        let verdict: CertificateVerdict
        let generation: UInt64
        let expiresAt: Date
    }

    func lookup(_ key: PresentedCertificateChain, generation: UInt64, now: Date) -> CertificateVerdict? {
        state.withLock { lru in
            guard let entry = lru.get(key) else {
                lru.misses += 1
                return nil
            }
            guard entry.generation == generation, entry.expiresAt > now else {
                lru.remove(key)
                lru.misses += 1
                return nil
            }
            lru.hits += 1
            return entry.verdict
        }
    }

    func store(_ key: PresentedCertificateChain, verdict: CertificateVerdict, generation: UInt64, expiresAt: Date) {
        state.withLock { $0.set(key, Entry(verdict: verdict, generation: generation, expiresAt: expiresAt)) }
    }

    public var count: Int { state.withLock { $0.count } }
    public var hits: Int { state.withLock { $0.hits } }
    public var misses: Int { state.withLock { $0.misses } }

    public func removeAll() {
        state.withLock { $0 = LRUState(capacity: capacity) }
    }
}

/// A classic LRU: a dictionary into a doubly linked list kept in arrays (no per-entry allocation).
struct LRUState {
    private struct Node {
        var key: PresentedCertificateChain
        var value: VerdictCache.Entry
        var previous: Int
        var next: Int
    }

    private let capacity: Int
    private var nodes: [Node] = []
    private var indexByKey: [PresentedCertificateChain: Int] = [:]
    private var head = -1  // most recently used
    private var tail = -1  // least recently used
    private var free: [Int] = []
    var hits = 0
    var misses = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { indexByKey.count }

    mutating func get(_ key: PresentedCertificateChain) -> VerdictCache.Entry? {
        guard let index = indexByKey[key] else { return nil }
        moveToFront(index)
        return nodes[index].value
    }

    mutating func set(_ key: PresentedCertificateChain, _ value: VerdictCache.Entry) {
        if let index = indexByKey[key] {
            nodes[index].value = value
            moveToFront(index)
            return
        }
        if indexByKey.count >= capacity, tail >= 0 {
            remove(nodes[tail].key)
        }
        let node = Node(key: key, value: value, previous: -1, next: head)
        let index: Int
        if let reused = free.popLast() {
            nodes[reused] = node
            index = reused
        } else {
            nodes.append(node)
            index = nodes.count - 1
        }
        if head >= 0 { nodes[head].previous = index }
        head = index
        if tail < 0 { tail = index }
        indexByKey[key] = index
    }

    mutating func remove(_ key: PresentedCertificateChain) {
        guard let index = indexByKey.removeValue(forKey: key) else { return }
        unlink(index)
        free.append(index)
    }

    private mutating func unlink(_ index: Int) {
        let previous = nodes[index].previous
        let next = nodes[index].next
        if previous >= 0 { nodes[previous].next = next } else { head = next }
        if next >= 0 { nodes[next].previous = previous } else { tail = previous }
        nodes[index].previous = -1
        nodes[index].next = -1
    }

    private mutating func moveToFront(_ index: Int) {
        guard head != index else { return }
        unlink(index)
        nodes[index].next = head
        if head >= 0 { nodes[head].previous = index }
        head = index
        if tail < 0 { tail = index }
    }
}
