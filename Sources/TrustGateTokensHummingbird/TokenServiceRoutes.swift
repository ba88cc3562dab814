import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
import TrustGateAuth
public import TrustGateHummingbird
public import TrustGateTokens
import TrustGateX509

/// Serves a ``TokenService`` from a Hummingbird router. Run the application with TrustGateHummingbird's TLS
/// channel (`.trustGateTLS(…)` with `clientCertificateMode: .optional`, MT-4) so each request knows its
/// connection's client certificate; behind a TLS-terminating proxy, name the proxy in `trustedProxies` with the
/// RFC 9440 format and the certificate comes from its `Client-Cert` / `Client-Cert-Chain` headers (MT-5). Those
/// headers from anyone else are never read.
public enum TokenServiceRoutes {
    /// Adds every endpoint of `service` (token, authorization, JWKS, the three discovery paths) to `router`.
    public static func add<Context: RequestContext>(
        _ service: TokenService,
        to router: Router<Context>,
        trustedProxies: TrustedProxies = .none
    ) {
        let reader = RequestReader(trustedProxies: trustedProxies, maximumBodyLength: service.settings.maximumBodyLength)
        for endpoint in TokenServiceEndpoint.allCases {
            let path = RouterPath(endpoint.path(in: service.settings.urls))
            let methods: [HTTPRequest.Method] =
                endpoint == .token || endpoint == .authorization ? [.post, .get, .put, .delete, .patch] : [.get, .head, .post]
            for method in methods {
                router.on(path, method: method) { request, _ -> Response in
                    let tokenRequest = try await reader.read(request, connection: TrustGateConnection.current)
                    let response = await service.handle(tokenRequest, at: endpoint)
                    return Self.response(response, head: request.method == .head)
                }
            }
        }
    }

    static func response(_ response: TokenHTTPResponse, head: Bool) -> Response {
        var fields = HTTPFields()
        for header in response.headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            fields.append(HTTPField(name: name, value: header.value))
        }
        let body = head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: response.body))
        return Response(status: HTTPResponse.Status(code: response.status), headers: fields, body: body)
    }

    /// Collects one Hummingbird request into a ``TokenRequest``.
    struct RequestReader: Sendable {
        let trustedProxies: TrustedProxies
        let maximumBodyLength: Int

        func read(_ request: Request, connection: TrustGateConnection?) async throws -> TokenRequest {
            var body: [UInt8]
            do {
                // One byte over the limit is enough for the endpoint to refuse it with TE-8's 400.
                var buffer = try await request.body.collect(upTo: maximumBodyLength + 1)
                body = buffer.readBytes(length: buffer.readableBytes) ?? []
            } catch {
                body = [UInt8](repeating: 0, count: maximumBodyLength + 1)
            }
            let fromTrustedProxy = trustedProxies.trusts(connection)
            var certificate: ClientCertificateEvidence?
            if fromTrustedProxy, let format = trustedProxies.certificateFormat {
                // Behind a TLS terminator the TLS client is the proxy: the client's certificate is the forwarded one.
                if let chain = try? ForwardedCertificateHeader.chain(format: format, values: { Self.values(of: $0, in: request.headers) }),
                    !chain.isEmpty
                {
                    certificate = ClientCertificateEvidence(
                        chain: PresentedCertificateChain(derCertificates: chain), source: .forwardedHeader(format))
                }
            } else if let record = connection?.clientCertificate {
                certificate = ClientCertificateEvidence(chain: record.chain, source: .tlsConnection)
            }
            let isSecure = (connection?.isTLS ?? false) || (fromTrustedProxy && Self.forwardedProtoIsHTTPS(request.headers))
            return TokenRequest(
                method: request.method.rawValue,
                path: request.uri.path,
                contentType: request.headers[.contentType],
                authorization: request.headers[values: .authorization],
                body: body,
                clientCertificate: certificate,
                isSecureTransport: isSecure)
        }

        static func values(of lowercasedName: String, in headers: HTTPFields) -> [String] {
            headers.filter { $0.name.canonicalName == lowercasedName }.map(\.value)
        }

        /// Every `X-Forwarded-Proto` value and list member is `https`.
        static func forwardedProtoIsHTTPS(_ headers: HTTPFields) -> Bool {
            let values = values(of: "x-forwarded-proto", in: headers)
            guard !values.isEmpty else { return false }
            return values.allSatisfy { value in
                value.split(separator: ",").allSatisfy { $0.trimmingCharacters(in: .whitespaces).lowercased() == "https" }
            }
        }
    }
}
