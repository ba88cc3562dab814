import Foundation
import Hummingbird
import Logging
import TrustGateAuth
import TrustGateHummingbird

/// `POST /api/loyalty` (the API connector's endpoint, behind the authentication middleware when one is
/// configured) and `GET /health` (for load balancers; never authenticated).
enum LoyaltyRoutes {
    /// Claims documents are small; anything larger is not an API connector's request.
    static let maxBodySize = 64 * 1024

    static func router(authentication: AuthenticationMiddleware<TrustGateRequestContext>?) -> Router<TrustGateRequestContext> {
        let router = Router(context: TrustGateRequestContext.self)
        router.get("/health") { _, _ in "ok" }
        let api = router.group("/api")
        if let authentication { api.add(middleware: authentication) }
        api.post("/loyalty") { request, context -> Response in
            let body = try await request.body.collect(upTo: maxBodySize)
            let answer = LoyaltyConnector.respond(toBody: Data(body.readableBytesView))
            // Who called (never how: no credential is logged), and what they were told.
            let caller: String
            if let principal = context.principal {
                caller = "\(principal.name) (\(principal.methods.map(\.rawValue).joined(separator: "+")))"
            } else if let forwarded = request.headers.first(where: { $0.name.canonicalName == "x-trustgate-principal" }) {
                caller = "\(forwarded.value) (from the gateway)"
            } else {
                caller = "anonymous"
            }
            context.logger.info("sign-up claims", metadata: [
                "action": "\(answer.httpStatus == 200 ? "Continue" : "ValidationError")",
                "principal": "\(caller)",
            ])
            return try json(answer)
        }
        return router
    }

    static func json(_ answer: ConnectorResponse) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(answer)
        return Response(
            status: HTTPResponse.Status(code: answer.httpStatus),
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
