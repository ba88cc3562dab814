import Foundation
import NIOHTTP1
import NIOSSL
import TrustGateJOSE

/// The client's credential at the token endpoint, resolved.
enum ResolvedClientAuthentication: Sendable {
    case secretBasic(String)
    case secretPost(String)
    case assertion(ClientAssertion)
}

/// Gets bearer tokens with the client credentials grant (RFC 6749 §4.4) through the token cache.
struct ClientCredentialsTokenSource: Sendable {
    static let maximumResponseBytes = 1 << 20

    let endpoint: ClientCredentialsSettings.TokenEndpoint
    let clientID: String
    let scope: String?
    let authentication: ResolvedClientAuthentication
    let exchange: HTTPExchange
    let tls: TLSConfiguration
    let allowInsecure: Bool
    let cache: TokenCache
    let discovery: OpenIDDiscovery

    var cacheKey: TokenCacheKey {
        TokenCacheKey(endpoint: endpoint.url.absoluteString, clientID: clientID, scope: scope)
    }

    /// A cached token, or a new one.
    func token() async throws(TokenAcquisitionError) -> AccessToken {
        do {
            return try await cache.token(for: cacheKey, now: exchange.clock.now()) { try await acquire() }
        } catch let error as TokenAcquisitionError {
            throw error
        } catch {
            throw .unexpectedResponse(endpoint: endpoint.url.absoluteString, status: 0, reason: "\(error)")
        }
    }

    /// Forgets `token` (the API said it is invalid) and gets another.
    func refreshedToken(replacing token: AccessToken) async throws(TokenAcquisitionError) -> AccessToken {
        cache.invalidate(token, for: cacheKey)
        return try await self.token()
    }

    func acquire() async throws(TokenAcquisitionError) -> AccessToken {
        let tokenURL: URL
        switch endpoint {
        case .tokenURL(let url): tokenURL = url
        case .issuer(let issuer):
            tokenURL = try await discovery.tokenEndpoint(issuer: issuer, exchange: exchange, tls: tls, allowInsecure: allowInsecure)
        }
        let endpointText = tokenURL.absoluteString
        var form: [(String, String)] = [("grant_type", "client_credentials")]
        if let scope { form.append(("scope", scope)) }
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
        ]
        switch authentication {
        case .secretBasic(let secret):
            // RFC 6749 §2.3.1: both halves form-encoded before base64.
            let pair = FormURLEncoding.encode(clientID) + ":" + FormURLEncoding.encode(secret)
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        case .secretPost(let secret):
            form += [("client_id", clientID), ("client_secret", secret)]
        case .assertion(let assertion):
            let signed: String
            do {
                signed = try assertion.make(audience: endpointText, now: exchange.clock.now())
            } catch {
                throw .unexpectedResponse(endpoint: endpointText, status: 0, reason: error.description)
            }
            form += [("client_id", clientID), ("client_assertion_type", ClientAssertion.assertionType), ("client_assertion", signed)]
        }
        let response: HTTPExchange.Response
        do {
            response = try await exchange.perform(
                method: .POST, url: endpointText, headers: headers, body: Array(FormURLEncoding.encode(form).utf8), tls: tls,
                maximumBytes: Self.maximumResponseBytes)
        } catch {
            throw .transport(error)
        }
        return try Self.readTokenResponse(response, endpoint: endpointText, acquiredAt: exchange.clock.now())
    }

    /// RFC 6749 §5.1 (a token) or §5.2 (an error).
    static func readTokenResponse(_ response: HTTPExchange.Response, endpoint: String, acquiredAt: Date) throws(TokenAcquisitionError) -> AccessToken {
        let object = try? StrictJSONParser.parseObject(response.body)
        guard response.status == 200 else {
            if let error = object?["error"]?.stringValue {
                throw .refused(
                    endpoint: endpoint, status: response.status, error: ServerText.sanitized(error),
                    description: object?["error_description"]?.stringValue.map(ServerText.sanitized))
            }
            throw .unexpectedResponse(endpoint: endpoint, status: response.status, reason: "no OAuth error in the answer")
        }
        guard let object else { throw .unexpectedResponse(endpoint: endpoint, status: 200, reason: "the answer is not a JSON object") }
        guard let token = object["access_token"]?.stringValue, !token.isEmpty else {
            throw .unexpectedResponse(endpoint: endpoint, status: 200, reason: "no access_token")
        }
        guard let type = object["token_type"]?.stringValue, type.lowercased() == "bearer" else {
            throw .unexpectedResponse(endpoint: endpoint, status: 200, reason: "token_type is not Bearer")
        }
        guard HTTPToken.isValidFieldValue(token), !token.contains(" ") else {
            throw .unexpectedResponse(endpoint: endpoint, status: 200, reason: "the access token cannot be sent in a header")
        }
        var expiresIn: TimeInterval?
        switch object["expires_in"] {
        case .number(let number)?: expiresIn = number.doubleValue
        case .string(let text)?: expiresIn = Double(text)  // some servers send it quoted
        default: expiresIn = nil
        }
        if let value = expiresIn, !value.isFinite || value < 0 { expiresIn = nil }
        return AccessToken(value: token, type: type, acquiredAt: acquiredAt, expiresIn: expiresIn)
    }
}
