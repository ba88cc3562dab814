import ArgumentParser
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import SwiftASN1
import TrustGateClient
import TrustGateJOSE
import TrustGateX509
import X509
import _CryptoExtras

/// `trustgate token`: acquires an access token with the client-credentials grant exactly as a client would —
/// discovery, then the token endpoint — building a private_key_jwt assertion itself (as MSAL does), presenting the
/// certificate on the TLS connection (tls_client_auth), or sending a secret.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Acquire an access token (client credentials) from an OAuth 2.0 token service, as a client would.",
        discussion: """
            Reads {issuer}/.well-known/openid-configuration for the token endpoint. Authentication: with --cert/--key \
            or --pfx a client assertion signed with the key (private_key_jwt: RS256 or PS256 for RSA keys, ES256 for \
            P-256; header x5t#S256, and x5c with --x5c); with --mtls the certificate on the TLS connection \
            (tls_client_auth); with --secret or --secret-env the secret as HTTP Basic (or in the form with \
            --method client_secret_post). Prints the access token; --decode prints its header and claims, --json the \
            whole token response. Exit codes: 0 issued, 1 refused by the service (its error on stderr), 2 usage, \
            3 transport (connection, TLS, discovery).
            """
    )

    @Option(help: ArgumentHelp("The issuer URL (https), e.g. https://127.0.0.1:8443/demo.", valueName: "url"))
    var issuer: String

    @Option(name: .customLong("client-id"), help: ArgumentHelp("The client_id.", valueName: "id"))
    var clientID: String

    @Option(help: ArgumentHelp("The scope, e.g. api://demo/.default.", valueName: "scope"))
    var scope: String

    @Option(help: ArgumentHelp("The client certificate (PEM; may also hold the key), leaf first.", valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("The client certificate's private key (PEM or DER).", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("A PKCS#12 / PFX file with the certificate and its key.", valueName: "file"))
    var pfx: String?

    @OptionGroup var password: PasswordOptions

    @Option(help: ArgumentHelp("The client secret. Visible in the process list: prefer --secret-env.", valueName: "secret"))
    var secret: String?

    @Option(name: .customLong("secret-env"), help: ArgumentHelp("Read the client secret from this environment variable.", valueName: "name"))
    var secretEnvironmentVariable: String?

    @Flag(help: "Present the certificate on the TLS connection (tls_client_auth unless --method says otherwise).")
    var mtls = false

    @Option(help: ArgumentHelp(
        "private_key_jwt | tls_client_auth | self_signed_tls_client_auth | client_secret_basic | client_secret_post.",
        valueName: "method"))
    var method: String?

    @Option(help: ArgumentHelp("The assertion's algorithm: RS256 (RSA default) or PS256; ES256/ES384/ES512 follow the EC key.", valueName: "alg"))
    var algorithm: String?

    @Flag(help: "Put the certificate chain in the assertion's x5c header (subject/issuer registrations need it).")
    var x5c = false

    @Option(help: ArgumentHelp("Trust these CA certificates (PEM) for the service's TLS certificate instead of the system's.", valueName: "file"))
    var ca: String?

    @Option(help: ArgumentHelp("Seconds to wait for each request.", valueName: "seconds"))
    var timeout = 30

    @Flag(help: "Print the token's header and claims as JSON instead of the token.")
    var decode = false

    @Flag(help: "Print the whole token response as JSON.")
    var json = false

    static let transportExitCode: Int32 = 3

    func run() async throws {
        let plan = try TokenRequestPlan.make(from: self)
        let tls = try plan.tlsConfiguration(caFile: ca)
        // A refused connection is retried until the connect timeout ends: the same bound as the whole request.
        let seconds = Int64(max(1, timeout))
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                tlsConfiguration: tls, timeout: HTTPClient.Configuration.Timeout(connect: .seconds(seconds), read: .seconds(seconds))))
        let outcome: Result<[String: Any], any Error>
        do {
            outcome = .success(try await acquire(plan: plan, client: client))
        } catch {
            outcome = .failure(error)
        }
        try? await client.shutdown()
        let response = try outcome.get()
        try print(Self.output(for: response, decode: decode, json: json))
    }

    private func acquire(plan: TokenRequestPlan, client: HTTPClient) async throws -> [String: Any] {
        let trimmedIssuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let discoveryURL = trimmedIssuer + "/.well-known/openid-configuration"
        let discovery = try await send(HTTPClientRequest(url: discoveryURL), client: client, what: "discovery at \(discoveryURL)")
        guard discovery.status == .ok else {
            throw CommandFailure(message: "discovery at \(discoveryURL) answered HTTP \(discovery.status.code)", exitCode: Self.transportExitCode)
        }
        guard let document = discovery.object, let advertised = document["token_endpoint"] as? String else {
            throw CommandFailure(message: "discovery at \(discoveryURL) names no token_endpoint", exitCode: Self.transportExitCode)
        }
        // RFC 8705 §5: a service may publish separate endpoints for mutual-TLS clients.
        var tokenEndpoint = advertised
        if plan.presentsCertificate, let aliases = document["mtls_endpoint_aliases"] as? [String: Any],
            let alias = aliases["token_endpoint"] as? String
        {
            tokenEndpoint = alias
        }
        let form = try plan.formParameters(tokenEndpoint: tokenEndpoint)
        var request = HTTPClientRequest(url: tokenEndpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if let authorization = plan.basicAuthorization {
            request.headers.add(name: "Authorization", value: authorization)
        }
        request.body = .bytes(ByteBuffer(string: FormURLEncoding.encode(form)))
        let answer = try await send(request, client: client, what: "the token endpoint \(tokenEndpoint)")
        guard answer.status == .ok else {
            throw CommandFailure.failed(Self.refusal(answer))
        }
        guard let object = answer.object, object["access_token"] is String else {
            throw CommandFailure.failed("the token endpoint answered 200 without an access_token")
        }
        return object
    }

    private struct Answer {
        let status: HTTPResponseStatus
        let body: [UInt8]
        var object: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    private func send(_ request: HTTPClientRequest, client: HTTPClient, what: String) async throws -> Answer {
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(max(1, timeout))))
            let body = try await response.body.collect(upTo: 1 << 20)
            return Answer(status: response.status, body: Array(buffer: body))
        } catch {
            throw CommandFailure(message: "\(what) failed: \(error)", exitCode: Self.transportExitCode)
        }
    }

    /// The service's RFC 6749 §5.2 error and description, never the request's credentials.
    private static func refusal(_ answer: Answer) -> String {
        let object = answer.object
        guard let error = object?["error"] as? String else {
            return "the token endpoint refused the request: HTTP \(answer.status.code)"
        }
        var text = "the token endpoint refused the request: \(error)"
        if let description = object?["error_description"] as? String, !description.isEmpty {
            text += ": \(description)"
        }
        return text + " (HTTP \(answer.status.code))"
    }

    static func output(for response: [String: Any], decode: Bool, json: Bool) throws -> String {
        let token = response["access_token"] as? String ?? ""
        if !decode && !json { return token }
        var document: [String: Any] = [:]
        if decode {
            let parts = token.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3,
                let headerBytes = Base64URL.decode(parts[0]), let claimBytes = Base64URL.decode(parts[1]),
                let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)),
                let claims = try? JSONSerialization.jsonObject(with: Data(claimBytes))
            else {
                throw CommandFailure.failed("the access token is not a JWT; print it without --decode")
            }
            document["header"] = header
            document["claims"] = claims
        }
        if json {
            if decode {
                document["token_response"] = response
            } else {
                document = response
            }
        }
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

/// The client authentication methods `trustgate token` speaks (the `token_endpoint_auth_method` values).
enum TokenClientMethod: String, CaseIterable {
    case privateKeyJWT = "private_key_jwt"
    case tlsClientAuth = "tls_client_auth"
    case selfSignedTLSClientAuth = "self_signed_tls_client_auth"
    case clientSecretBasic = "client_secret_basic"
    case clientSecretPost = "client_secret_post"

    var usesSecret: Bool { self == .clientSecretBasic || self == .clientSecretPost }
    var usesTLSCertificate: Bool { self == .tlsClientAuth || self == .selfSignedTLSClientAuth }
}

/// What one `trustgate token` run sends: the method, the credential, and whether the certificate goes on the
/// TLS connection. Built and checked before any connection is made, so usage errors exit 2 without traffic.
struct TokenRequestPlan {
    let clientID: String
    let scope: String
    let method: TokenClientMethod
    let chain: [Certificate]
    let privateKey: Certificate.PrivateKey?
    let secret: String?
    let presentsCertificate: Bool
    let assertionAlgorithm: JWSAlgorithm?
    let includeChain: Bool

    static func make(from command: TokenCommand) throws -> TokenRequestPlan {
        guard command.issuer.lowercased().hasPrefix("https://") || command.issuer.lowercased().hasPrefix("http://") else {
            throw CommandFailure.input("--issuer must be an http(s) URL")
        }
        guard !command.clientID.isEmpty else { throw CommandFailure.input("--client-id is empty") }
        guard !command.scope.isEmpty else { throw CommandFailure.input("--scope is empty") }

        let secret = try resolveSecret(command)
        let hasCertificate = command.cert != nil || command.pfx != nil
        if command.cert != nil && command.pfx != nil { throw CommandFailure.input("give --cert/--key or --pfx, not both") }
        if command.key != nil && command.cert == nil { throw CommandFailure.input("--key needs --cert") }
        if secret != nil && hasCertificate { throw CommandFailure.input("give a certificate or a secret, not both") }
        guard secret != nil || hasCertificate else {
            throw CommandFailure.input("give a credential: --cert FILE --key FILE, --pfx FILE, --secret or --secret-env (with --mtls for mutual TLS)")
        }
        if command.mtls && !hasCertificate { throw CommandFailure.input("--mtls needs --cert/--key or --pfx") }

        let method: TokenClientMethod
        if let name = command.method {
            guard let chosen = TokenClientMethod(rawValue: name) else {
                throw CommandFailure.input("--method: '\(name)' is not one of \(TokenClientMethod.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            method = chosen
        } else if secret != nil {
            method = .clientSecretBasic
        } else {
            method = command.mtls ? .tlsClientAuth : .privateKeyJWT
        }
        if method.usesSecret && secret == nil { throw CommandFailure.input("--method \(method.rawValue) needs --secret or --secret-env") }
        if !method.usesSecret && !hasCertificate { throw CommandFailure.input("--method \(method.rawValue) needs --cert/--key or --pfx") }

        var chain: [Certificate] = []
        var privateKey: Certificate.PrivateKey?
        if hasCertificate {
            (chain, privateKey) = try loadCertificate(command)
        }
        var algorithm: JWSAlgorithm?
        if method == .privateKeyJWT, let privateKey {
            algorithm = try assertionAlgorithm(for: privateKey, requested: command.algorithm)
        } else if command.algorithm != nil {
            throw CommandFailure.input("--algorithm applies to private_key_jwt only")
        }
        if command.x5c && method != .privateKeyJWT { throw CommandFailure.input("--x5c applies to private_key_jwt only") }
        return TokenRequestPlan(
            clientID: command.clientID, scope: command.scope, method: method, chain: chain, privateKey: privateKey,
            secret: secret, presentsCertificate: hasCertificate && (command.mtls || method.usesTLSCertificate),
            assertionAlgorithm: algorithm, includeChain: command.x5c)
    }

    private static func resolveSecret(_ command: TokenCommand) throws -> String? {
        if command.secret != nil && command.secretEnvironmentVariable != nil {
            throw CommandFailure.input("give --secret or --secret-env, not both")
        }
        if let name = command.secretEnvironmentVariable {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw CommandFailure.input("--secret-env: the environment variable \(name) is not set")
            }
            return value
        }
        return command.secret
    }

    private static func loadCertificate(_ command: TokenCommand) throws -> ([Certificate], Certificate.PrivateKey) {
        let password = try command.password.resolve()
        let file = command.pfx ?? command.cert ?? ""
        let bundle: CertificateBundle
        do {
            bundle = try CertificateBundle.load(contentsOfFile: file, password: password)
        } catch {
            throw CommandFailure.input("cannot read \(file): \(error)")
        }
        guard !bundle.certificates.isEmpty else { throw CommandFailure.input("\(file) holds no certificate") }
        var key = bundle.privateKey
        if let keyFile = command.key {
            do {
                key = try PrivateKeyDecoder.privateKey(contentsOfFile: keyFile, password: password)
            } catch {
                throw CommandFailure.input("cannot read the key \(keyFile): \(error)")
            }
        }
        guard let key else {
            throw CommandFailure.input(command.pfx != nil ? "\(file) holds no private key" : "give the certificate's key with --key")
        }
        guard key.publicKey == bundle.certificates[0].publicKey else {
            throw CommandFailure.input("the private key does not belong to the certificate in \(file)")
        }
        return (bundle.certificates, key)
    }

    /// MSAL's choices: RS256 (PS256 on request) for RSA keys; the curve's ES algorithm for EC keys.
    private static func assertionAlgorithm(for key: Certificate.PrivateKey, requested: String?) throws -> JWSAlgorithm {
        let signingKey = try jwsSigningKey(key)
        let fallback: JWSAlgorithm
        switch signingKey {
        case .rsa: fallback = .rs256
        case .p256: fallback = .es256
        case .p384: fallback = .es384
        case .p521: fallback = .es512
        default: throw CommandFailure.input("client assertions need an RSA or EC (P-256, P-384, P-521) key")
        }
        guard let requested else { return fallback }
        guard let algorithm = JWSAlgorithm(rawValue: requested.uppercased() == "EDDSA" ? "EdDSA" : requested.uppercased()),
            !algorithm.isSymmetric, signingKey.supports(algorithm)
        else {
            throw CommandFailure.input("--algorithm \(requested) does not fit the certificate's key (default \(fallback.rawValue))")
        }
        return algorithm
    }

    private static func jwsSigningKey(_ key: Certificate.PrivateKey) throws -> JWSSigningKey {
        let pem: String
        do {
            pem = try key.serializeAsPEM().pemString
        } catch {
            throw CommandFailure.input("the certificate's private key cannot be used for signing")
        }
        if let rsa = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) { return .rsa(rsa) }
        if let ec = try? P256.Signing.PrivateKey(pemRepresentation: pem) { return .p256(ec) }
        if let ec = try? P384.Signing.PrivateKey(pemRepresentation: pem) { return .p384(ec) }
        if let ec = try? P521.Signing.PrivateKey(pemRepresentation: pem) { return .p521(ec) }
        throw CommandFailure.input("client assertions need an RSA or EC (P-256, P-384, P-521) key")
    }

    /// The client's certificate and key for the TLS handshake, when it presents one; the service's trust roots.
    /// TLS 1.2 at the least, as every TrustGate client (``TLSConfiguration/trustGateClient(trustRoots:identity:applicationProtocols:)``).
    func tlsConfiguration(caFile: String?) throws -> TLSConfiguration {
        var trustRoots: [Certificate]?
        if let caFile {
            do {
                trustRoots = try NIOSSLCertificate.fromPEMFile(caFile).map { try Certificate(derEncoded: $0.toDERBytes()) }
            } catch {
                throw CommandFailure.input("cannot read the CA certificates in \(caFile): \(error)")
            }
        }
        do {
            return try .trustGateClient(
                trustRoots: trustRoots,
                identity: presentsCertificate ? privateKey.map { (chain, $0) } : nil
            )
        } catch {
            throw CommandFailure.input("the client certificate or key cannot be used for TLS: \(error)")
        }
    }

    /// Basic credentials per RFC 6749 §2.3.1: client_id and secret form-encoded before base64.
    var basicAuthorization: String? {
        guard method == .clientSecretBasic, let secret else { return nil }
        let pair = FormURLEncoding.encode(clientID) + ":" + FormURLEncoding.encode(secret)
        return "Basic " + Data(pair.utf8).base64EncodedString()
    }

    func formParameters(tokenEndpoint: String) throws -> [(String, String)] {
        var form = [("grant_type", "client_credentials"), ("scope", scope)]
        switch method {
        case .clientSecretBasic:
            break
        case .clientSecretPost:
            form += [("client_id", clientID), ("client_secret", secret ?? "")]
        case .tlsClientAuth, .selfSignedTLSClientAuth:
            form.append(("client_id", clientID))
        case .privateKeyJWT:
            form += [
                ("client_id", clientID),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", try assertion(audience: tokenEndpoint)),
            ]
        }
        return form
    }

    /// The assertion as MSAL builds it (RFC 7523 §3): iss = sub = client_id, aud = the token endpoint, ten minutes.
    private func assertion(audience: String) throws -> String {
        guard let privateKey, let leaf = chain.first, let algorithm = assertionAlgorithm else {
            throw CommandFailure.input("private_key_jwt needs a certificate and its key")
        }
        let now = Int64(Date().timeIntervalSince1970)
        let claims = JSONObject([
            ("aud", .string(audience)), ("iss", .string(clientID)), ("sub", .string(clientID)),
            ("jti", .string(UUID().uuidString.lowercased())),
            ("iat", .integer(now)), ("nbf", .integer(now)), ("exp", .integer(now + 600)),
        ])
        let header = JWSHeader(
            algorithm: algorithm, type: "JWT",
            certificateSHA256Thumbprint: Base64URL.encode(SHA256.hash(data: leaf.derBytes)),
            certificateChain: includeChain ? chain.map(\.derBytes) : nil)
        do {
            return try JWSSigner(key: try Self.jwsSigningKey(privateKey)).sign(claims: claims, header: header)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.input("cannot sign the client assertion: \(error)")
        }
    }
}
