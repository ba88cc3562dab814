import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// One HTTP request with the retry policy applied: it is sent again only when that cannot do harm twice.
///
/// - A transport failure before the request was sent (`TransportFailure.Phase.connecting`): any method.
/// - A transport failure after that, or a 429 / 503 answer: idempotent methods only (RFC 9110 §9.2.2), so a POST
///   that reached the server is never repeated.
/// - 429 / 503 wait `Retry-After` (capped at `maximumRetryAfter`); everything else waits the jittered
///   exponential backoff. The last answer, whatever it is, is returned.
struct HTTPExchange: Sendable {
    struct Response: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]
        /// How many attempts it took (1 = no retry).
        let attempts: Int
    }

    static let retriedStatuses: Set<Int> = [429, 503]

    let client: HTTPClient
    let timeouts: ConnectorTimeouts
    let retry: RetryPolicy
    let clock: any ConnectorClock

    static func isIdempotent(_ method: HTTPMethod) -> Bool {
        switch method {
        case .GET, .HEAD, .OPTIONS, .PUT, .DELETE, .TRACE: return true
        default: return false
        }
    }

    /// The URL as errors show it: without the query, which may hold claims.
    static func displayURL(_ url: String) -> String {
        String(url.prefix { $0 != "?" && $0 != "#" })
    }

    func perform(
        method: HTTPMethod, url: String, headers: [(name: String, value: String)], body: [UInt8]?, tls: TLSConfiguration?,
        maximumBytes: Int
    ) async throws(TransportFailure) -> Response {
        let idempotent = Self.isIdempotent(method)
        var attempt = 0
        while true {
            attempt += 1
            let canRetry = attempt < retry.maximumAttempts
            do {
                let (status, responseHeaders, responseBody) = try await once(
                    method: method, url: url, headers: headers, body: body, tls: tls, maximumBytes: maximumBytes)
                if canRetry, idempotent, Self.retriedStatuses.contains(status) {
                    let asked = responseHeaders.first(name: "Retry-After").flatMap { RetryAfter.delay($0, now: clock.now()) }
                    try await wait(asked.map { min($0, retry.maximumRetryAfter) } ?? backoff(after: attempt), url: url)
                    continue
                }
                return Response(status: status, headers: responseHeaders, body: responseBody, attempts: attempt)
            } catch let failure {
                guard canRetry, failure.phase == .connecting || idempotent else { throw failure }
                try await wait(backoff(after: attempt), url: url)
            }
        }
    }

    private func backoff(after attempt: Int) -> Double {
        retry.jitteredBackoff(afterAttempt: attempt, random: clock.jitterSample())
    }

    private func wait(_ seconds: Double, url: String) async throws(TransportFailure) {
        do {
            try await clock.sleep(seconds: seconds)
        } catch {
            throw TransportFailure(url: Self.displayURL(url), phase: .exchanging, reason: "cancelled while waiting to retry")
        }
    }

    private func once(
        method: HTTPMethod, url: String, headers: [(name: String, value: String)], body: [UInt8]?, tls: TLSConfiguration?,
        maximumBytes: Int
    ) async throws(TransportFailure) -> (Int, HTTPHeaders, [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let body { request.body = .bytes(body) }
        request.tlsConfiguration = tls
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64((timeouts.request * 1000).rounded(.up))))
            let collected: ByteBuffer
            do {
                collected = try await response.body.collect(upTo: maximumBytes)
            } catch is NIOTooManyBytesError {
                throw TransportFailure(
                    url: Self.displayURL(url), phase: .exchanging, reason: "the response body is larger than \(maximumBytes) bytes")
            }
            return (Int(response.status.code), response.headers, Array(buffer: collected))
        } catch let failure as TransportFailure {
            throw failure
        } catch {
            throw TransportFailure.classify(error, url: Self.displayURL(url))
        }
    }
}
