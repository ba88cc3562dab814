public import Foundation

/// ISO 8601 dates as the PKI commands read and write them.
///
/// Certificates and CRLs hold whole seconds, so every date is truncated to the second before it is used:
/// what is recorded in the CA state is then exactly what is in the certificate.
public enum PKIDate {
    /// Parses `2025-01-31T12:00:00Z`, `2025-01-31T12:00:00.5+02:00`, `2025-01-31 12:00:00Z`,
    /// `2025-01-31T12:00:00` (taken as UTC) and `2025-01-31` (midnight UTC).
    public static func parse(_ text: String) throws(PKIError) -> Date {
        var candidate = text.trimmingCharacters(in: .whitespaces)
        guard !candidate.isEmpty, candidate.count <= 64 else { throw PKIError.invalidDate(text) }
        if candidate.count > 10, candidate[candidate.index(candidate.startIndex, offsetBy: 10)] == " " {
            candidate.replaceSubrange(
                candidate.index(candidate.startIndex, offsetBy: 10)...candidate.index(candidate.startIndex, offsetBy: 10),
                with: "T")
        }
        if candidate.count == 10 {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate]
            formatter.timeZone = TimeZone(identifier: "UTC")
            if let date = formatter.date(from: candidate) { return truncated(date) }
            throw PKIError.invalidDate(text)
        }
        if !hasTimeZone(candidate) { candidate += "Z" }
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: candidate) { return truncated(date) }
        }
        throw PKIError.invalidDate(text)
    }

    /// `2025-01-31T12:00:00Z`.
    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// The date without its fraction of a second.
    public static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970).rounded(.down))
    }

    private static func hasTimeZone(_ text: String) -> Bool {
        if text.hasSuffix("Z") || text.hasSuffix("z") { return true }
        // An offset like +02:00 / -0500 after the time part.
        guard let t = text.firstIndex(of: "T") else { return false }
        return text[t...].contains("+") || text[t...].contains("-")
    }
}
