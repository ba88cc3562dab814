/// The reason a certificate was revoked: the `CRLReason` of RFC 5280 §5.3.1.
///
/// The raw values are the ASN.1 ENUMERATED values of the `reasonCode` entry extension. Value 7 is unassigned
/// in RFC 5280 and is therefore not a case.
public enum CRLReason: Int, Sendable, Codable, CaseIterable {
    case unspecified = 0
    case keyCompromise = 1
    case cACompromise = 2
    case affiliationChanged = 3
    case superseded = 4
    case cessationOfOperation = 5
    case certificateHold = 6
    case removeFromCRL = 8
    case privilegeWithdrawn = 9
    case aACompromise = 10

    /// The name RFC 5280 gives the reason, e.g. `"keyCompromise"`.
    public var name: String {
        switch self {
        case .unspecified: return "unspecified"
        case .keyCompromise: return "keyCompromise"
        case .cACompromise: return "cACompromise"
        case .affiliationChanged: return "affiliationChanged"
        case .superseded: return "superseded"
        case .cessationOfOperation: return "cessationOfOperation"
        case .certificateHold: return "certificateHold"
        case .removeFromCRL: return "removeFromCRL"
        case .privilegeWithdrawn: return "privilegeWithdrawn"
        case .aACompromise: return "aACompromise"
        }
    }

    /// Looks a reason up by name, ignoring case, `-`, `_` and spaces, so that configuration can say
    /// `keyCompromise`, `key-compromise`, `KEY_COMPROMISE` or (as `openssl crl -text` prints it) `Key Compromise`.
    public init?(name: String) {
        let wanted = Self.foldedName(name)
        guard !wanted.isEmpty, let match = Self.allCases.first(where: { Self.foldedName($0.name) == wanted }) else {
            return nil
        }
        self = match
    }

    private static func foldedName(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " })
    }
}

extension CRLReason: CustomStringConvertible {
    public var description: String { self.name }
}
