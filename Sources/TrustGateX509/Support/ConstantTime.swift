/// Comparison of secrets and digests whose running time does not depend on where the inputs differ, so a
/// network peer cannot learn a MAC, pin or key byte by byte from response timing.
public enum ConstantTime {
    /// Equal length and equal bytes. The length itself is not secret (digests have fixed sizes).
    public static func equal(_ left: some Collection<UInt8>, _ right: some Collection<UInt8>) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }
}
