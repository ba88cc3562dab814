/// A map bounded to `capacity` entries that drops the least recently used one to make room: a dictionary into a
/// doubly linked list kept in arrays, so an entry costs no allocation of its own.
///
/// Not synchronised: each owner keeps it behind its own lock. `package`, not `public`: it is how the verdict
/// cache (here) and TrustGateAuth's verified-secret cache bound themselves, not API for users of the module.
package struct LRUCache<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value
        var previous: Int
        var next: Int
    }

    package let capacity: Int
    private var nodes: [Node] = []
    private var indexByKey: [Key: Int] = [:]
    private var head = -1  // most recently used
    private var tail = -1  // least recently used
    private var free: [Int] = []

    /// At least one entry, whatever `capacity` says.
    package init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    package var count: Int { indexByKey.count }

    /// The value for `key`, which becomes the most recently used.
    package mutating func get(_ key: Key) -> Value? {
        guard let index = indexByKey[key] else { return nil }
        moveToFront(index)
        return nodes[index].value
    }

    /// Stores `value` as the most recently used, dropping the least recently used entry when full.
    package mutating func set(_ key: Key, _ value: Value) {
        if let index = indexByKey[key] {
            nodes[index].value = value
            moveToFront(index)
            return
        }
        if indexByKey.count >= capacity, tail >= 0 {
            remove(nodes[tail].key)
        }
        let node = Node(key: key, value: value, previous: -1, next: -1)
        let index: Int
        if let reused = free.popLast() {
            nodes[reused] = node
            index = reused
        } else {
            nodes.append(node)
            index = nodes.count - 1
        }
        indexByKey[key] = index
        pushFront(index)
    }

    package mutating func remove(_ key: Key) {
        guard let index = indexByKey.removeValue(forKey: key) else { return }
        unlink(index)
        free.append(index)
    }

    private mutating func moveToFront(_ index: Int) {
        guard head != index else { return }
        unlink(index)
        pushFront(index)
    }

    private mutating func unlink(_ index: Int) {
        let previous = nodes[index].previous
        let next = nodes[index].next
        if previous >= 0 { nodes[previous].next = next } else { head = next }
        if next >= 0 { nodes[next].previous = previous } else { tail = previous }
        nodes[index].previous = -1
        nodes[index].next = -1
    }

    private mutating func pushFront(_ index: Int) {
        nodes[index].next = head
        nodes[index].previous = -1
        if head >= 0 { nodes[head].previous = index }
        head = index
        if tail < 0 { tail = index }
    }
}
