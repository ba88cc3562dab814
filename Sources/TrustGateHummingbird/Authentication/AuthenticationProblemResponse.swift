import Hummingbird
import NIOCore
import TrustGateAuth

/// Denials as HTTP responses: the status, one `WWW-Authenticate` field per challenge, and the
/// `application/problem+json` body `{type, title, status, detail, reason}` — the gateway's shape.
enum AuthenticationProblemResponse {
    static func response(for denial: AuthenticationDenial) -> Response {
        response(problem: denial.problem, challenges: denial.wwwAuthenticateValues)
    }

    static func response(problem: AuthenticationProblem, challenges: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = AuthenticationProblem.contentType
        if !challenges.isEmpty {
            headers[values: .wwwAuthenticate] = challenges  // one field per challenge
        }
        let body = problem.json
        return Response(
            status: HTTPResponse.Status(code: problem.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A trusted proxy's certificate header that cannot be decoded: 400, as the gateway answers it.
    static func unreadableForwardedCertificate(_ description: String) -> Response {
        response(problem: AuthenticationProblem(
            status: 400, title: "Bad Request",
            detail: "The forwarded client certificate cannot be read: \(description).",
            reason: "invalid_forwarded_certificate"))
    }
}
