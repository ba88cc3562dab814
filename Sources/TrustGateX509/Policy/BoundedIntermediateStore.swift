import Synchronization
import X509

/// The intermediates offered to path building, with a budget on issuer lookups.
///
/// swift-certificates' `Verifier` searches every simple path through the intermediates. A client can
/// send certificates that all share one name and one key, so that each can follow each: the number of
/// paths is then factorial in the number of certificates, each step a signature verification. Every
/// lookup the verifier makes here spends one unit; once the budget is gone no more issuers are offered
/// and the search ends (the chain is then untrusted). Legitimate chains, cross-signed ones included,
/// need a handful of lookups.
struct BoundedIntermediateStore: CustomCertificateStore {
    static let defaultBudget = 24

    private let bySubject: [DistinguishedName: [Certificate]]
    private let budget: LookupBudget

    init(_ certificates: [Certificate], budget: Int = Self.defaultBudget) {
        var bySubject: [DistinguishedName: [Certificate]] = [:]
        for certificate in certificates where !(bySubject[certificate.subject]?.contains(certificate) ?? false) {
            bySubject[certificate.subject, default: []].append(certificate)
        }
        self.bySubject = bySubject
        self.budget = LookupBudget(budget)
    }

    var exhausted: Bool { budget.exhausted }

    subscript(subject: DistinguishedName) -> [Certificate]? {
        get async {
            guard let candidates = bySubject[subject], budget.spend() else { return nil }
            return candidates
        }
    }

    func contains(_ certificate: Certificate) async -> Bool {
        bySubject[certificate.subject]?.contains(certificate) ?? false
    }

    mutating func append(contentsOf certificates: some Sequence<Certificate>) {
        var bySubject = self.bySubject
        for certificate in certificates { bySubject[certificate.subject, default: []].append(certificate) }
        self = BoundedIntermediateStore(bySubject: bySubject, budget: budget)
    }

    private init(bySubject: [DistinguishedName: [Certificate]], budget: LookupBudget) {
        self.bySubject = bySubject
        self.budget = budget
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.budget === rhs.budget && lhs.bySubject == rhs.bySubject
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(budget))
    }
}

/// A shared countdown (the store is a value type; the budget belongs to one evaluation).
final class LookupBudget: Sendable {
    private let remaining: Atomic<Int>

    init(_ units: Int) {
        remaining = Atomic(units)
    }

    /// Spends one unit; false once none is left.
    func spend() -> Bool {
        remaining.subtract(1, ordering: .relaxed).newValue >= 0
    }

    var exhausted: Bool { remaining.load(ordering: .relaxed) < 0 }
}
