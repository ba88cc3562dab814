import Foundation

/// The RFC 9457 problem+json body of a denial, in the shape the gateway uses for all its own errors:
/// `{"type", "title", "status", "detail", "reason"}`. `detail` is written for the client and never holds a
/// secret.
public struct AuthenticationProblem: Sendable, Equatable {
    public static let contentType = "application/problem+json"

    /// `https://trustgate.dev/problems/<reason with - for _>`, as the gateway's other problems.
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// Stable and machine-readable: `authentication_required`, `invalid_credentials`, `invalid_token`,
    /// `invalid_request`, `insufficient_scope`, `insecure_transport`, or a certificate ``RejectionCode``.
    public var reason: String

    public init(status: Int, title: String, detail: String, reason: String) {
        self.type = "https://trustgate.dev/problems/\(reason.replacingOccurrences(of: "_", with: "-"))"
        self.title = title
        self.status = status
        self.detail = detail
        self.reason = reason
    }

    /// The JSON body, keys sorted, slashes unescaped.
    public var json: [UInt8] {
        let object: [String: Any] = ["type": type, "title": title, "status": status, "detail": detail, "reason": reason]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Array(data)
    }
}
