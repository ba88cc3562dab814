import Foundation

/// A loyalty number derived from the e-mail address: the same address always gets the same number (a
/// retried sign-up does not mint a second one), with no state to keep. Eight decimal digits of the 64-bit
/// FNV-1a hash of the trimmed, lower-cased address — a stable spread of numbers, not a secret (anyone
/// who knows an address can compute its number; a real service would store issued numbers).
enum LoyaltyNumber {
    static let digits = 8

    static func forEmail(_ email: String) -> String {
        let normalized = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in normalized.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let number = String(hash % 100_000_000)
        return String(repeating: "0", count: digits - number.count) + number
    }
}
