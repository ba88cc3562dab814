public import AsyncHTTPClient
public import Foundation
import NIOHTTP1
import NIOSSL
public import TrustGateJOSE
import TrustGateX509
import X509

/// Calls one API as its ``ConnectorConfiguration`` says: the B2C RESTful technical profile as a Swift value.
///
/// Creating a connector validates the configuration and reads every key it names (named keys through `keys`,
/// environment variables, files, certificates), so a missing or wrong key fails here, not on the first call.
/// `call(claims:)` then places the claims, authenticates, applies the retry policy, and for acquired bearer tokens
/// refreshes the token once and repeats the call once when the API answers 401 `invalid_token`.
///
/// ```swift
/// let connector = try await Connector(
///     configuration: ConnectorConfiguration.load(contentsOfFile: "loyalty.yaml"),
///     keys: namedKeys)  // any NamedKeyProvider; `trustgate call` passes the store's
/// let response = try await connector.call(claims: ["email": "emily@example.com"])
/// switch response.outcome { … }
/// ```
public final class Connector: Sendable {
    public let configuration: ConnectorConfiguration
    private let credential: ResolvedCredential
    private let exchange: HTTPExchange
    private let tls: TLSConfiguration

    /// - Parameters:
    ///   - keys: where named keys come from; needed only when the configuration names one.
    ///   - httpClient: an AsyncHTTPClient the caller owns; by default a process-wide one configured for
    ///     credentials (no redirects, no connection retries of its own; see `SharedHTTPClients`).
    ///   - tokenCache: where acquired bearer tokens are kept; by default shared by the whole process.
    ///   - clock: time, sleeping between retries, jitter (tests inject one).
    ///   - environment: for `env` key references.
    public init(
        configuration: ConnectorConfiguration,
        keys: (any NamedKeyProvider)? = nil,
        httpClient: HTTPClient? = nil,
        tokenCache: TokenCache = .shared,
        clock: any ConnectorClock = SystemConnectorClock(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(ConnectorError) {
        do {
            try configuration.validate()
        } catch {
            throw error.connectorError
        }
        let resolver = CredentialResolver(keys: keys, environment: environment)
        let exchange = HTTPExchange(
            client: httpClient ?? SharedHTTPClients.client(connectTimeout: configuration.timeouts.connect),
            timeouts: configuration.timeouts, retry: configuration.retry, clock: clock)
        let identity = try await configuration.effectiveClientCertificate.asyncMap { source async throws(ConnectorError) in
            try await resolver.identity(source)
        }
        let anchors = try Self.anchors(files: configuration.tls.trustedCAFiles, given: configuration.tls.trustedCertificates)
        self.tls = try Self.tlsConfiguration(anchors: anchors, identity: identity)
        self.configuration = configuration
        self.exchange = exchange

        switch configuration.authentication {
        case .none, .clientCertificate:
            credential = .none
        case .basic(let usernameReference, let passwordReference):
            let username = try await resolver.secret(usernameReference)
            guard !username.contains(UInt8(ascii: ":")) else { throw .configuration("\(usernameReference): a Basic username cannot contain ':'") }
            let password = try await resolver.secret(passwordReference)
            credential = .header(name: "Authorization", value: "Basic " + Data(username + [UInt8(ascii: ":")] + password).base64EncodedString())
        case .apiKey(let header, let keyReference):
            credential = .header(name: header, value: try Self.headerValue(try await resolver.secret(keyReference), reference: keyReference))
        case .bearer(.fixed(let tokenReference)):
            let token = try Self.headerValue(try await resolver.secret(tokenReference), reference: tokenReference)
            credential = .header(name: "Authorization", value: "Bearer " + token)
        case .bearer(.clientCredentials(let settings)):
            let authentication: ResolvedClientAuthentication
            switch settings.clientAuthentication {
            case .secretBasic(let reference):
                authentication = .secretBasic(try Self.text(try await resolver.secret(reference), reference: reference))
            case .secretPost(let reference):
                authentication = .secretPost(try Self.text(try await resolver.secret(reference), reference: reference))
            case .certificateAssertion(let assertion):
                let assertionIdentity = try await resolver.identity(assertion.certificate)
                authentication = .assertion(try ClientAssertion(clientID: settings.clientID, identity: assertionIdentity, settings: assertion))
            }
            var tokenAnchors = anchors
            if let files = settings.trustedCAFiles { tokenAnchors = try Self.anchors(files: files, given: []) }
            credential = .acquiredBearer(ClientCredentialsTokenSource(
                endpoint: settings.endpoint, clientID: settings.clientID, scope: settings.scope, authentication: authentication,
                // The connector's TLS client certificate is offered to the token endpoint too (only sent when the
                // server asks): it can then bind the token to it, or accept it as tls_client_auth.
                exchange: exchange, tls: try Self.tlsConfiguration(anchors: tokenAnchors, identity: identity),
                allowInsecure: configuration.allowInsecureAuthentication, cache: tokenCache, discovery: .shared))
        }
    }

    /// Calls the API once (with the retries the policy allows) and returns its answer, whatever the status.
    /// - Parameters:
    ///   - claims: merged over the configuration's default claims (these win).
    ///   - headers: extra headers for this call; they may not set the header the authentication writes.
    /// - Throws: `.transport`, `.tokenAcquisition`, `.invalidClaims`, `.configuration`. HTTP errors are answers:
    ///   see `ConnectorResponse.outcome` and `requireSuccess()`.
    public func call(
        claims: JSONObject = JSONObject(), headers extraHeaders: [(name: String, value: String)] = []
    ) async throws(ConnectorError) -> ConnectorResponse {
        var merged = configuration.defaultClaims
        for member in claims.members { merged[member.name] = member.value }
        let placed = try ClaimsEncoding.place(
            merged, placement: configuration.claimsPlacement, method: configuration.method, url: configuration.serviceURL)

        var headers = configuration.headers + placed.headers
        for header in extraHeaders {
            guard HTTPToken.isValid(header.name), HTTPToken.isValidFieldValue(header.value) else {
                throw .configuration("the header '\(header.name)' is not a valid header")
            }
            headers.append(header)
        }
        if let owned = credential.headerName, headers.contains(where: { $0.name.lowercased() == owned.lowercased() }) {
            throw .configuration("the \(owned) header is written by \(configuration.authentication.typeName) authentication; do not set it too")
        }
        if !headers.contains(where: { $0.name.lowercased() == "accept" }) {
            headers.append(("Accept", "application/json"))
        }

        switch credential {
        case .none:
            return try await send(url: placed.url, headers: headers, body: placed.body)
        case .header(let name, let value):
            return try await send(url: placed.url, headers: headers + [(name, value)], body: placed.body)
        case .acquiredBearer(let source):
            let token: AccessToken
            do {
                token = try await source.token()
            } catch {
                throw .tokenAcquisition(error)
            }
            let first = try await send(url: placed.url, headers: headers + [("Authorization", "Bearer " + token.value)], body: placed.body)
            guard case .authenticationRefused(let refusal) = first.outcome, refusal.isInvalidToken else { return first }
            // The token expired early or was revoked: one new token, one more call.
            let fresh: AccessToken
            do {
                fresh = try await source.refreshedToken(replacing: token)
            } catch {
                throw .tokenAcquisition(error)
            }
            let second = try await send(url: placed.url, headers: headers + [("Authorization", "Bearer " + fresh.value)], body: placed.body)
            return ConnectorResponse(
                status: second.status, headers: second.headers, body: second.body, attempts: first.attempts + second.attempts,
                refreshedToken: true)
        }
    }

    private func send(url: String, headers: [(name: String, value: String)], body: [UInt8]?) async throws(ConnectorError) -> ConnectorResponse {
        do {
            let response = try await exchange.perform(
                method: configuration.method, url: url, headers: headers, body: body, tls: tls,
                maximumBytes: configuration.maximumResponseBytes)
            return ConnectorResponse(status: response.status, headers: response.headers, body: response.body, attempts: response.attempts)
        } catch {
            throw .transport(error)
        }
    }

    // MARK: - Building blocks

    static func anchors(files: [String], given: [Certificate]) throws(ConnectorError) -> [Certificate] {
        var anchors = given
        for file in files {
            do {
                anchors += try CertificateDecoder.certificates(contentsOfFile: file)
            } catch {
                throw .configuration("trusted CA \(file): \(error)")
            }
        }
        return anchors
    }

    static func tlsConfiguration(anchors: [Certificate], identity: ClientIdentity?) throws(ConnectorError) -> TLSConfiguration {
        do {
            return try .trustGateClient(
                trustRoots: anchors.isEmpty ? nil : anchors,
                identity: identity.map { ($0.certificates, $0.privateKey) }
            )
        } catch {
            throw .configuration("the TLS settings cannot be used: \(error)")
        }
    }

    /// A secret that goes into a header as it is: no control characters (no header injection from a key file).
    static func headerValue(_ bytes: [UInt8], reference: SecretReference) throws(ConnectorError) -> String {
        let text = try self.text(bytes, reference: reference)
        guard HTTPToken.isValidFieldValue(text) else { throw .configuration("\(reference) contains characters a header cannot carry") }
        return text
    }

    static func text(_ bytes: [UInt8], reference: SecretReference) throws(ConnectorError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .configuration("\(reference) is not UTF-8 text") }
        return text
    }
}

extension Optional {
    func asyncMap<Result, Failure: Error>(_ transform: (Wrapped) async throws(Failure) -> Result) async throws(Failure) -> Result? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
