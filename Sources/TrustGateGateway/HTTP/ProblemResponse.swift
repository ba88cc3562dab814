import Foundation
import NIOCore
import NIOHTTP1
import TrustGateAuth

/// An RFC 9457 problem+json answer made by the gateway itself (never an upstream's error, which passes
/// through unchanged). Details are written for the client: no file paths, no internal errors.
struct ProblemResponse: Sendable {
    let status: HTTPResponseStatus
    let title: String
    let detail: String
    /// A stable machine-readable reason (a ``RejectionCode`` raw value for certificate denials).
    let reason: String?
    var extraHeaders: [(String, String)] = []

    var type: String {
        guard let reason else { return "about:blank" }
        return "https://trustgate.dev/problems/\(reason.replacingOccurrences(of: "_", with: "-"))"
    }

    func body() -> [UInt8] {
        var object: [String: Any] = ["type": type, "title": title, "status": Int(status.code), "detail": detail]
        if let reason { object["reason"] = reason }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Array(data)
    }

    static func certificateDenied(reason: String, detail: String) -> ProblemResponse {
        ProblemResponse(status: .forbidden, title: "Invalid client certificate", detail: detail, reason: reason)
    }

    static func badRequest(_ detail: String, reason: String = "bad_request") -> ProblemResponse {
        ProblemResponse(status: .badRequest, title: "Bad Request", detail: detail, reason: reason)
    }

    static func misdirected(host: String) -> ProblemResponse {
        ProblemResponse(
            status: .misdirectedRequest, title: "Misdirected Request",
            detail: "The Host of this request selects a different site than the TLS connection was made for (SNI); open a new connection for it.",
            reason: "sni_host_mismatch")
    }

    static let notFound = ProblemResponse(status: .notFound, title: "Not Found", detail: "No route matches this request.", reason: "no_route")

    static func methodNotAllowed(allowed: [String]) -> ProblemResponse {
        var problem = ProblemResponse(status: .methodNotAllowed, title: "Method Not Allowed", detail: "This route does not accept the method.", reason: "method_not_allowed")
        problem.extraHeaders = [("Allow", allowed.joined(separator: ", "))]
        return problem
    }

    /// A route's `auth` refused the request: 400, 401 (with `WWW-Authenticate`) or 403.
    static func authenticationDenied(_ denial: AuthenticationDenial) -> ProblemResponse {
        var problem = ProblemResponse(
            status: HTTPResponseStatus(statusCode: denial.status), title: denial.problem.title,
            detail: denial.problem.detail, reason: denial.problem.reason)
        problem.extraHeaders = denial.wwwAuthenticateValues.map { ("WWW-Authenticate", $0) }
        return problem
    }

    static let badGateway = ProblemResponse(status: .badGateway, title: "Bad Gateway", detail: "The upstream service could not be reached or closed the connection.", reason: "upstream_unavailable")
    static let gatewayTimeout = ProblemResponse(status: .gatewayTimeout, title: "Gateway Timeout", detail: "The upstream service did not answer in time.", reason: "upstream_timeout")
}
