import Foundation
import NIOHTTP1
import NIOSSL
import Synchronization
import TrustGateJOSE

/// Finds an issuer's token endpoint in `{issuer}/.well-known/openid-configuration` (OpenID Connect Discovery
/// §4), checking that the document's `issuer` is the one asked for (§4.3) and that the endpoint is https. Results
/// are kept for an hour per issuer.
final class OpenIDDiscovery: Sendable {
    static let shared = OpenIDDiscovery()
    static let maximumAge: TimeInterval = 3600
    static let maximumDocumentBytes = 1 << 20

    private let documents = Mutex<[String: (tokenEndpoint: URL, fetchedAt: Date)]>([:])

    static func configurationURL(issuer: URL) -> String {
        var text = issuer.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return text + "/.well-known/openid-configuration"
    }

    func tokenEndpoint(
        issuer: URL, exchange: HTTPExchange, tls: TLSConfiguration, allowInsecure: Bool
    ) async throws(TokenAcquisitionError) -> URL {
        let key = issuer.absoluteString
        let now = exchange.clock.now()
        if let known = documents.withLock({ $0[key] }), now.timeIntervalSince(known.fetchedAt) < Self.maximumAge {
            return known.tokenEndpoint
        }
        let url = Self.configurationURL(issuer: issuer)
        let response: HTTPExchange.Response
        do {
            response = try await exchange.perform(
                method: .GET, url: url, headers: [("Accept", "application/json")], body: nil, tls: tls,
                maximumBytes: Self.maximumDocumentBytes)
        } catch {
            throw .discoveryFailed(issuer: key, reason: error.description)
        }
        guard response.status == 200 else { throw .discoveryFailed(issuer: key, reason: "\(url) answered \(response.status)") }
        guard let document = try? StrictJSONParser.parseObject(response.body) else {
            throw .discoveryFailed(issuer: key, reason: "\(url) is not a JSON object")
        }
        guard let published = document["issuer"]?.stringValue, Self.sameIssuer(published, key) else {
            throw .discoveryFailed(issuer: key, reason: "the document names another issuer")
        }
        guard let text = document["token_endpoint"]?.stringValue, let endpoint = URL(string: text),
            let scheme = endpoint.scheme?.lowercased(), endpoint.host?.isEmpty == false
        else {
            throw .discoveryFailed(issuer: key, reason: "the document has no usable token_endpoint")
        }
        guard scheme == "https" || (scheme == "http" && allowInsecure) else {
            throw .discoveryFailed(issuer: key, reason: "the token endpoint \(text) is not https (set allow_insecure_auth to allow it)")
        }
        documents.withLock { $0[key] = (endpoint, now) }
        return endpoint
    }

    /// Exact match, except for one trailing slash (issuers are written both ways in configuration).
    static func sameIssuer(_ published: String, _ configured: String) -> Bool {
        func trimmed(_ text: String) -> Substring { text.hasSuffix("/") ? text.dropLast() : Substring(text) }
        return trimmed(published) == trimmed(configured)
    }

    func removeAll() {
        documents.withLock { $0.removeAll() }
    }
}
