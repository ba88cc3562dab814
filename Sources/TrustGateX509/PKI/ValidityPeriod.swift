public import Foundation

/// notBefore … notAfter of a certificate, in whole seconds.
///
/// Periods in the past or the future are allowed on purpose: expired and not-yet-valid certificates are what
/// tests and demos of the gateway's `expired` / `not_yet_valid` rejections need.
public struct ValidityPeriod: Sendable, Hashable {
    public let notBefore: Date
    public let notAfter: Date

    /// The longest period `--days` accepts: 100 years.
    public static let maximumDays = 36_500

    public init(notBefore: Date, notAfter: Date) throws(PKIError) {
        let start = PKIDate.truncated(notBefore)
        let end = PKIDate.truncated(notAfter)
        guard end > start else {
            throw PKIError.invalidValidity("notAfter (\(PKIDate.format(end))) must be after notBefore (\(PKIDate.format(start)))")
        }
        self.notBefore = start
        self.notAfter = end
    }

    /// The period from the options users give:
    /// - nothing: `now` … `now + defaultDays`;
    /// - `days`: from `notBefore` (or `now`) for that many days;
    /// - `notBefore` only: `notBefore` … `notBefore + defaultDays`;
    /// - `notAfter` only: `now` … `notAfter`;
    /// - `notBefore` and `notAfter`: exactly that (and `days` is then refused as contradictory).
    public static func resolve(
        days: Int?,
        notBefore: Date?,
        notAfter: Date?,
        defaultDays: Int,
        now: Date
    ) throws(PKIError) -> ValidityPeriod {
        if let days {
            guard (1...maximumDays).contains(days) else {
                throw PKIError.invalidValidity("--days must be between 1 and \(maximumDays), not \(days)")
            }
            guard notAfter == nil else {
                throw PKIError.invalidValidity("give either --days or --not-after, not both")
            }
        }
        let start = notBefore ?? now
        if let notAfter {
            return try ValidityPeriod(notBefore: start, notAfter: notAfter)
        }
        let length = TimeInterval(days ?? defaultDays) * 86_400
        return try ValidityPeriod(notBefore: start, notAfter: start.addingTimeInterval(length))
    }
}
