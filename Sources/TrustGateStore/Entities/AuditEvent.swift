public import Foundation

/// One token request's outcome, for the audit log. It holds who asked, how they authenticated, for what, and
/// why a refusal happened, as a reason code; never a secret, an assertion or a token.
public struct AuditEvent: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable, CaseIterable, Codable {
        case issued
        case refused
    }

    /// Assigned by the store; nil before the event is appended.
    public let sequence: Int64?
    public let time: Date
    /// The client the request named or authenticated as (nil when it named none). Unauthenticated requests may
    /// name any client; the value is cut at 256 characters.
    public let clientID: String?
    public let method: ClientAuthenticationMethod?
    public let outcome: Outcome
    /// A machine-readable code such as `invalid_client.replayed_jti` or `invalid_scope`: lower-case letters,
    /// digits and `_ . : -`, so free text (which could carry a secret) cannot end up in the log.
    public let reason: String?
    /// The resource (`aud`) asked for.
    public let resource: String?

    public static let maximumReasonLength = 80

    public init(
        time: Date = Date(),
        clientID: String?,
        method: ClientAuthenticationMethod?,
        outcome: Outcome,
        reason: String? = nil,
        resource: String? = nil
    ) throws(InvalidRegistrationValue) {
        if let reason {
            try Self.checkReason(reason)
        }
        self.init(
            sequence: nil, time: time, clientID: clientID.map { String($0.prefix(256)) }, method: method, outcome: outcome,
            reason: reason, resource: resource.map { String($0.prefix(512)) })
    }

    init(
        sequence: Int64?, time: Date, clientID: String?, method: ClientAuthenticationMethod?, outcome: Outcome,
        reason: String?, resource: String?
    ) {
        self.sequence = sequence
        self.time = time
        self.clientID = clientID
        self.method = method
        self.outcome = outcome
        self.reason = reason
        self.resource = resource
    }

    static func checkReason(_ reason: String) throws(InvalidRegistrationValue) {
        let allowed = reason.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || "_.:-".unicodeScalars.contains(scalar)
        }
        guard !reason.isEmpty, reason.count <= maximumReasonLength, allowed else {
            throw InvalidRegistrationValue(
                field: "audit reason",
                reason: "a reason is a code of at most \(maximumReasonLength) characters from a-z 0-9 _ . : -")
        }
    }
}
