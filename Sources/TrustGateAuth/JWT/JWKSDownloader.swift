import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import TrustGateJOSE
import TrustGateX509
import X509

/// Fetches one issuer's JWKS over https: no redirects (a redirect could leave https or the issuer), 5 s for the
/// whole exchange, at most 1 MiB, and, when trust roots are configured, only servers chaining to them.
struct JWKSDownloader: Sendable {
    static let maximumDocumentBytes = 1 << 20
    static let timeout = TimeAmount.seconds(5)

    /// One client for every issuer, made on first use on NIO's process-wide event loops and kept for the life of
    /// the process (like `HTTPClient.shared`, it is never shut down, so nothing leaks per validator or per test).
    static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(connect: timeout, read: timeout))
        configuration.connectionPool.idleTimeout = .seconds(30)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    let url: URL
    private let tlsConfiguration: TLSConfiguration
    private let client: HTTPClient

    init(url: URL, trustRoots: [Certificate], client: HTTPClient? = nil) throws(JWKSLoadError) {
        guard Self.isAllowed(url) else { throw .insecureURL }
        let tls: TLSConfiguration
        do {
            tls = try .trustGateClient(trustRoots: trustRoots.isEmpty ? nil : trustRoots)
        } catch {
            throw .invalidTrustRoot
        }
        self.url = url
        self.tlsConfiguration = tls
        self.client = client ?? Self.sharedClient
    }

    /// https anywhere; plain http only to this machine (a local key server in development or tests).
    static func isAllowed(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(), !host.isEmpty else { return false }
        if scheme == "https" { return true }
        return scheme == "http" && LoopbackHost.contains(host)
    }

    func download() async -> Result<[JSONWebKey], JWKSLoadError> {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/jwk-set+json, application/json")
        request.tlsConfiguration = tlsConfiguration
        let body: ByteBuffer
        do {
            let response = try await client.execute(request, deadline: .now() + Self.timeout)
            guard response.status == .ok else { return .failure(.httpStatus(Int(response.status.code))) }
            do {
                body = try await response.body.collect(upTo: Self.maximumDocumentBytes)
            } catch is NIOTooManyBytesError {
                return .failure(.documentTooLarge(limit: Self.maximumDocumentBytes))
            }
        } catch {
            return .failure(.transport(String(describing: type(of: error)) + ": " + String(describing: error).prefix(200)))
        }
        return JWKSDocument.keys(from: Array(buffer: body))
    }
}
