import Foundation
import Hummingbird
import HummingbirdCore
import Synchronization
import TrustGateAuth
import TrustGateHummingbird

/// The API under test: `/echo` answers with what it received (method, path, raw query, headers, body) and the
/// principal the authentication middleware established; `/scripted` plays back queued answers (for retries)
/// and counts requests per method; `/missing` is a 404.
final class EchoAPI: Sendable {
    struct ScriptedAnswer: Sendable {
        let status: Int
        let retryAfter: String?
    }

    private let script = Mutex<(answers: [String: [ScriptedAnswer]], counts: [String: Int])>(([:], [:]))

    /// Queues answers for `/scripted` requests with `method`; when none is left the answer is 200.
    func enqueue(_ method: String, _ answers: [ScriptedAnswer]) {
        script.withLock { $0.answers[method, default: []] += answers }
    }

    func requestCount(_ method: String) -> Int { script.withLock { $0.counts[method] ?? 0 } }

    func router(_ middleware: AuthenticationMiddleware<TrustGateRequestContext>?) -> Router<TrustGateRequestContext> {
        let router = Router(context: TrustGateRequestContext.self)
        if let middleware { router.add(middleware: middleware) }
        let echo: @Sendable (Request, TrustGateRequestContext) async throws -> Response = { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: [String]] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased(), default: []].append(field.value) }
            var object: [String: Any] = [
                "method": request.method.rawValue,
                "path": request.uri.path,
                "query": request.uri.query ?? "",
                "headers": headers,
                "body": String(buffer: body),
            ]
            if let principal = context.principal {
                object["principal"] = principal.name
                object["methods"] = principal.methods.map(\.rawValue)
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        for method in [HTTPRequest.Method.get, .post, .put, .delete] {
            router.on("/echo", method: method, use: echo)
        }
        let scripted: @Sendable (Request, TrustGateRequestContext) async throws -> Response = { [self] request, _ in
            _ = try await request.body.collect(upTo: 1 << 20)
            let method = request.method.rawValue
            let answer: ScriptedAnswer? = script.withLock { state in
                state.counts[method, default: 0] += 1
                guard var queue = state.answers[method], !queue.isEmpty else { return nil }
                let first = queue.removeFirst()
                state.answers[method] = queue
                return first
            }
            guard let answer else {
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"ok":true}"#)))
            }
            var fields = HTTPFields()
            if let retryAfter = answer.retryAfter { fields[.retryAfter] = retryAfter }
            return Response(status: HTTPResponse.Status(code: answer.status), headers: fields)
        }
        router.on("/scripted", method: .get, use: scripted)
        router.on("/scripted", method: .post, use: scripted)
        return router
    }
}

/// The echo's JSON, read back.
struct Echo {
    let object: [String: Any]

    init(_ bytes: [UInt8]) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw EchoError.notAnObject(String(decoding: bytes, as: UTF8.self))
        }
        self.object = object
    }

    enum EchoError: Error { case notAnObject(String) }

    var method: String? { object["method"] as? String }
    var query: String { object["query"] as? String ?? "" }
    var body: String { object["body"] as? String ?? "" }
    var principal: String? { object["principal"] as? String }
    var methods: [String] { object["methods"] as? [String] ?? [] }
    func header(_ name: String) -> [String] { (object["headers"] as? [String: [String]])?[name.lowercased()] ?? [] }
}
