import Foundation
import Hummingbird
import TrustGateAuth
import TrustGateHummingbird
import TrustGateX509

/// A router behind the authentication middleware whose one route, `/whoami`, answers with the principal the
/// handler received (name, methods, schemes, roles) and the connection's HTTP version.
enum PrincipalEchoRouter {
    static func make(_ middleware: AuthenticationMiddleware<TrustGateRequestContext>) -> Router<TrustGateRequestContext> {
        let router = Router(context: TrustGateRequestContext.self)
        router.add(middleware: middleware)
        let handler: @Sendable (Request, TrustGateRequestContext) async throws -> Response = { request, context in
            var object: [String: Any] = ["protocol": context.connection?.httpProtocol ?? "none"]
            // What a handler that still reads certificate headers itself would find.
            object["certificateHeaders"] = request.headers.filter { ForwardedCertificateFormat.allHeaderNames.contains($0.name.canonicalName) }.count
            if let principal = context.principal {
                object["name"] = principal.name
                object["methods"] = principal.methods.map(\.rawValue)
                object["schemes"] = principal.schemes
                object["roles"] = principal.roles
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/whoami", use: handler)
        router.post("/whoami", use: handler)
        return router
    }
}
