import ArgumentParser
import Foundation
import NIOHTTP1
import TrustGateClient
import TrustGateJOSE
import TrustGateStore

/// `trustgate call`: one call to a protected API, as a connector makes it (B2C's RESTful technical profile on the
/// command line), or a connector file run once.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call an API with none, Basic, client certificate, bearer or API key authentication, or run a connector file.",
        discussion: """
            Prints the status line, the response headers and the body (with --json, one JSON object with \
            them). Redirects are not followed. Credentials never go on the command line: --key NAME names \
            a key stored with `trustgate keys add-secret` / `add-pfx` (the store is opened only when one \
            is named: --store, and --key-file or $TRUSTGATE_STORE_KEY); `env:VARIABLE` and `file:PATH` \
            read a secret from the environment or a file's first line instead.

            --auth and the keys it takes:
              none    no credential (default)
              basic   --key USER_KEY --key PASSWORD_KEY
              cert    --key NAME (a stored PFX), --cert FILE [--cert-key FILE]
                      or --pfx FILE
              bearer  --key TOKEN_KEY (a fixed token), or client credentials:
                      --token-from ISSUER (discovery) or --token-url URL,
                      --client-id ID [--scope S], and --secret-key REF
                      [--client-secret-method basic|post], or a certificate
                      (--key NAME, --cert or --pfx) for an MSAL-style client
                      assertion [--assertion-alg ALG] [--send-x5c]; that
                      certificate is also the TLS client certificate (to the
                      API and the token endpoint), so a route needing the
                      certificate AND the token works; --tls-cert/--tls-pfx
                      present another one
              apikey  --key KEY [--api-key-header NAME] (x-functions-key)
            With the other types, --cert / --pfx is a TLS client certificate. --tls-cert FILE \
            [--tls-cert-key FILE] or --tls-pfx FILE give the TLS client certificate explicitly, for \
            every type but cert. Passwords of PFX files and encrypted keys: --password-env or \
            --password-file (one password for all).

            Claims (--claims JSON or @FILE, an object) go where --send-claims-in says: body (JSON, the \
            default), form, query, or header (one header per claim). The method defaults to POST when \
            claims travel in a body, GET otherwise. Basic, bearer and API keys are refused over http:// \
            unless --allow-insecure-auth.

            Retries: idempotent methods after transport failures and 429 / 503 (Retry-After honoured, \
            at most 30 s); a POST only when the connection could not be made. --attempts 1: no retries.

            --connector FILE runs a connector file instead (see the README); --claims, --header and \
            --json still apply.

            Exit status:
              0  2xx
              1  any other failure
              2  bad usage, configuration or key (missing, undecryptable,
                 credentials over http)
              3  transport error: no response (connection, TLS, timeout),
                 or the token endpoint could not be reached
              4  authentication refused: 401 / 403 (the server's reason on
                 stderr), or the token endpoint refused the client
              5  any other HTTP status outside 2xx

            Examples:
              trustgate call https://api.example.com/health --ca ca.pem
              trustgate call https://loyalty.example.com/validate \\
                --auth basic --key rest-user --key rest-password \\
                --claims '{"email":"emily@example.com"}'
              trustgate call https://loyalty.example.com/validate \\
                --auth cert --key rest-client-cert --ca ca.pem
              trustgate call https://loyalty.example.com/validate \\
                --auth bearer --token-from https://login.example.com/t/v2.0 \\
                --client-id b2c-connector --scope api://loyalty/.default \\
                --secret-key loyalty-secret
              trustgate call --connector loyalty.yaml --claims @claims.json
            """)

    enum AuthenticationArgument: String, ExpressibleByArgument, CaseIterable {
        case none, basic, cert, bearer, apikey
    }

    enum SecretMethodArgument: String, ExpressibleByArgument, CaseIterable {
        case basic, post
    }

    @Argument(help: ArgumentHelp("The API's URL (not with --connector).", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("A connector file to run instead of the options below.", valueName: "file"))
    var connector: String?

    @Option(help: ArgumentHelp("GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS.", valueName: "method"))
    var method: String?

    @Option(help: ArgumentHelp("none (default), basic, cert, bearer or apikey.", valueName: "type"))
    var auth: AuthenticationArgument?

    @Option(name: .customLong("key"), help: ArgumentHelp("A key the authentication uses (repeat for basic): NAME, env:VAR or file:PATH.", valueName: "name"))
    var keys: [String] = []

    @Option(name: .customLong("api-key-header"), help: ArgumentHelp("The API key's header (default x-functions-key).", valueName: "name"))
    var apiKeyHeader: String?

    @Option(help: ArgumentHelp("Claims: a JSON object, or @FILE holding one.", valueName: "json"))
    var claims: String?

    @Option(name: .customLong("send-claims-in"), help: ArgumentHelp("body (default), form, query or header.", valueName: "place"))
    var sendClaimsIn: String?

    @Option(name: .customLong("token-from"), help: ArgumentHelp("Get the bearer token from this issuer (OpenID discovery).", valueName: "issuer"))
    var tokenFrom: String?

    @Option(name: .customLong("token-url"), help: ArgumentHelp("Get the bearer token from this token endpoint.", valueName: "url"))
    var tokenURL: String?

    @Option(name: .customLong("client-id"), help: ArgumentHelp("The client id for the token request.", valueName: "id"))
    var clientID: String?

    @Option(help: ArgumentHelp("The scope to ask for (e.g. api://loyalty/.default).", valueName: "scope"))
    var scope: String?

    @Option(name: .customLong("secret-key"), help: ArgumentHelp("The client secret: NAME, env:VAR or file:PATH.", valueName: "name"))
    var secretKey: String?

    @Option(name: .customLong("client-secret-method"), help: ArgumentHelp("basic (default) or post.", valueName: "method"))
    var clientSecretMethod: SecretMethodArgument = .basic

    @Option(name: .customLong("assertion-alg"), help: ArgumentHelp("PS256 (RSA default), RS256, ES256, ES384, ES512.", valueName: "alg"))
    var assertionAlgorithm: String?

    @Flag(name: .customLong("send-x5c"), help: "Put the certificate chain in the client assertion's x5c.")
    var sendX5C = false

    @Option(help: ArgumentHelp("Trust this CA for the server's certificate (repeatable; replaces the system's).", valueName: "file"))
    var ca: [String] = []

    @Option(help: ArgumentHelp("A client certificate file (PEM, with the key unless --cert-key).", valueName: "file"))
    var cert: String?

    @Option(name: .customLong("cert-key"), help: ArgumentHelp("The private key of --cert.", valueName: "file"))
    var certKey: String?

    @Option(help: ArgumentHelp("A client certificate and key in a PFX / PKCS#12 file.", valueName: "file"))
    var pfx: String?

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("A TLS client certificate (PEM, with the key unless --tls-cert-key), independent of the authentication.", valueName: "file"))
    var tlsCert: String?

    @Option(name: .customLong("tls-cert-key"), help: ArgumentHelp("The private key of --tls-cert.", valueName: "file"))
    var tlsCertKey: String?

    @Option(name: .customLong("tls-pfx"), help: ArgumentHelp("A TLS client certificate and key in a PFX file, independent of the authentication.", valueName: "file"))
    var tlsPFX: String?

    @OptionGroup var password: PasswordOptions

    @Option(name: .customLong("header"), help: ArgumentHelp("An extra request header 'Name: value' (repeatable).", valueName: "header"))
    var headers: [String] = []

    @Flag(name: .customLong("allow-insecure-auth"), help: "Allow Basic, bearer and API keys over http://.")
    var allowInsecureAuth = false

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Connection timeout (default 10s).", valueName: "duration"))
    var connectTimeout: DurationArgument?

    @Option(help: ArgumentHelp("Timeout per attempt (default 30s).", valueName: "duration"))
    var timeout: DurationArgument?

    @Option(help: ArgumentHelp("Attempts in all, retries included (default 3; 1 = no retry).", valueName: "n"))
    var attempts: Int?

    @OptionGroup var store: StoreOptions
    @OptionGroup var storeKey: StoreKeyOptions

    @Flag(help: "Print status, headers and body as one JSON object.")
    var json = false

    func validate() throws {
        if connector != nil {
            guard url == nil else { throw ValidationError("give a URL or --connector, not both") }
            let connectionOptions: [(Bool, String)] = [
                (method != nil, "--method"), (auth != nil, "--auth"), (!keys.isEmpty, "--key"), (sendClaimsIn != nil, "--send-claims-in"),
                (tokenFrom != nil || tokenURL != nil, "--token-from/--token-url"), (!ca.isEmpty, "--ca"),
                (cert != nil || pfx != nil, "--cert/--pfx"), (tlsCert != nil || tlsPFX != nil, "--tls-cert/--tls-pfx"),
                (allowInsecureAuth, "--allow-insecure-auth"),
            ]
            if let given = connectionOptions.first(where: { $0.0 }) {
                throw ValidationError("\(given.1) belongs in the connector file when --connector is given")
            }
        } else if url == nil {
            throw ValidationError("give the API's URL, or --connector FILE")
        }
        if let attempts, !(1...10).contains(attempts) { throw ValidationError("--attempts must be between 1 and 10") }
        if cert != nil, pfx != nil { throw ValidationError("give only one of --cert and --pfx") }
        if certKey != nil, cert == nil { throw ValidationError("--cert-key goes with --cert") }
        if tlsCert != nil, tlsPFX != nil { throw ValidationError("give only one of --tls-cert and --tls-pfx") }
        if tlsCertKey != nil, tlsCert == nil { throw ValidationError("--tls-cert-key goes with --tls-cert") }
        if auth == .cert, tlsCert != nil || tlsPFX != nil {
            throw ValidationError("--auth cert presents its own certificate (--key, --cert or --pfx); --tls-cert/--tls-pfx are for the other types")
        }
        if tokenFrom != nil, tokenURL != nil { throw ValidationError("give only one of --token-from and --token-url") }
    }

    func run() async throws {
        var configuration: ConnectorConfiguration
        if let connector {
            do {
                configuration = try ConnectorConfiguration.load(contentsOfFile: connector)
            } catch {
                throw CommandFailure.input("\(error)")
            }
        } else {
            configuration = try makeConfiguration()
        }
        let claimsObject = try readClaims()
        if connector == nil, method == nil {
            let inBody = configuration.claimsPlacement == .body || configuration.claimsPlacement == .form
            configuration.method = inBody && !claimsObject.isEmpty ? .POST : .GET
        }
        let extraHeaders = try headers.map(Self.header)

        var keyProvider: (any NamedKeyProvider)?
        if !configuration.namedKeyNames.isEmpty {
            keyProvider = StoreNamedKeys(store: try store.open(create: false), storeKey: try storeKey.resolve())
        }
        let response: ConnectorResponse
        do {
            let client = try await Connector(configuration: configuration, keys: keyProvider)
            response = try await client.call(claims: claimsObject, headers: extraHeaders)
        } catch {
            if json { try StoreCommand.printJSON(CallFailureView(error)) }
            throw CallExit.failure(for: error)
        }
        if json {
            try StoreCommand.printJSON(CallResponseView(response))
        } else {
            // One write: print's buffer and a direct write of the body would interleave out of order.
            var output = "HTTP \(response.status) \(HTTPResponseStatus(statusCode: response.status).reasonPhrase)\n"
            for (name, value) in response.headers { output += "\(name): \(value)\n" }
            output += "\n"
            var bytes = Array(output.utf8) + response.body
            if let last = response.body.last, last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
            // write(contentsOf:) throws on a closed pipe (`| head`); the legacy write(_:) traps.
            try? FileHandle.standardOutput.write(contentsOf: Data(bytes))
        }
        switch response.outcome {
        case .success:
            return
        case .authenticationRefused(let refusal):
            throw CommandFailure(message: "authentication refused (\(refusal))", exitCode: CallExit.authenticationRefused)
        case .httpError:
            throw CommandFailure(message: "the API answered \(response.status)", exitCode: CallExit.httpError)
        }
    }

    // MARK: - Configuration from options

    private func makeConfiguration() throws -> ConnectorConfiguration {
        guard let url, let serviceURL = URL(string: url) else { throw CommandFailure.input("'\(url ?? "")' is not a URL") }
        var configuration = ConnectorConfiguration(serviceURL: serviceURL)
        if let method {
            guard let parsed = Self.methods[method.uppercased()] else {
                throw CommandFailure.input("--method: expected one of \(Self.methods.keys.sorted().joined(separator: ", "))")
            }
            configuration.method = parsed
        }
        if let sendClaimsIn {
            guard let placement = ClaimsPlacement(rawValue: sendClaimsIn.lowercased()) else {
                throw CommandFailure.input("--send-claims-in: expected body, form, query or header")
            }
            configuration.claimsPlacement = placement
        }
        configuration.tls.trustedCAFiles = ca
        configuration.allowInsecureAuthentication = allowInsecureAuth
        configuration.timeouts = ConnectorTimeouts(
            connect: connectTimeout?.timeInterval ?? ConnectorTimeouts().connect, request: timeout?.timeInterval ?? ConnectorTimeouts().request)
        if let attempts { configuration.retry.maximumAttempts = attempts }

        let passwordReference = try password.resolve().map { SecretReference.value(SecretValue($0)) }
        var fileIdentity: ClientIdentitySource?
        if let cert { fileIdentity = .pemFiles(certificate: cert, privateKey: certKey, password: passwordReference) }
        if let pfx { fileIdentity = .pfxFile(path: pfx, password: passwordReference) }
        let usesTokenEndpoint = tokenFrom != nil || tokenURL != nil

        func requireKeys(_ count: Int, _ what: String) throws {
            guard keys.count == count else { throw CommandFailure.input("--auth \(auth?.rawValue ?? "none") takes \(what)") }
        }
        switch auth ?? .none {
        case .none:
            try requireKeys(0, "no --key")
            configuration.authentication = .none
        case .basic:
            try requireKeys(2, "two --key options: the username's key, then the password's")
            configuration.authentication = .basic(username: Self.reference(keys[0]), password: Self.reference(keys[1]))
        case .apikey:
            try requireKeys(1, "one --key: the API key")
            configuration.authentication = .apiKey(header: apiKeyHeader ?? ConnectorAuthentication.defaultAPIKeyHeader, key: Self.reference(keys[0]))
        case .cert:
            switch (keys.count, fileIdentity) {
            case (1, nil): configuration.authentication = .clientCertificate(.namedKey(keys[0]))
            case (0, let identity?): configuration.authentication = .clientCertificate(identity)
                fileIdentity = nil
            default: throw CommandFailure.input("--auth cert takes one certificate: --key NAME, --cert FILE or --pfx FILE")
            }
        case .bearer:
            if usesTokenEndpoint {
                configuration.authentication = .bearer(.clientCredentials(try clientCredentials(fileIdentity: &fileIdentity)))
            } else {
                try requireKeys(1, "one --key (a fixed token), or --token-from / --token-url with client credentials")
                configuration.authentication = .bearer(.fixed(Self.reference(keys[0])))
            }
        }
        if usesTokenEndpoint, auth != .bearer { throw CommandFailure.input("--token-from / --token-url go with --auth bearer") }
        if let tlsCert { fileIdentity = .pemFiles(certificate: tlsCert, privateKey: tlsCertKey, password: passwordReference) }
        if let tlsPFX { fileIdentity = .pfxFile(path: tlsPFX, password: passwordReference) }
        configuration.tls.clientCertificate = fileIdentity
        do {
            try configuration.validate()
        } catch {
            throw CommandFailure.input(error.description)
        }
        return configuration
    }

    private func clientCredentials(fileIdentity: inout ClientIdentitySource?) throws -> ClientCredentialsSettings {
        guard let clientID, !clientID.isEmpty else { throw CommandFailure.input("--client-id is required with --token-from / --token-url") }
        let endpointText = tokenFrom ?? tokenURL ?? ""
        guard let endpointURL = URL(string: endpointText), endpointURL.host?.isEmpty == false else {
            throw CommandFailure.input("'\(endpointText)' is not a URL")
        }
        let endpoint: ClientCredentialsSettings.TokenEndpoint = tokenFrom != nil ? .issuer(endpointURL) : .tokenURL(endpointURL)
        let authentication: ClientCredentialsSettings.ClientAuthentication
        if let secretKey {
            guard keys.isEmpty else { throw CommandFailure.input("--secret-key gives the client secret; --key is not used with it") }
            authentication = clientSecretMethod == .basic ? .secretBasic(Self.reference(secretKey)) : .secretPost(Self.reference(secretKey))
        } else {
            let certificate: ClientIdentitySource
            switch (keys.count, fileIdentity) {
            // The assertion's certificate is the TLS client certificate too (unless --tls-cert/--tls-pfx replace it):
            // routes that need the certificate AND the token (certificate-bound tokens, seed 004) then work.
            case (1, nil):
                certificate = .namedKey(keys[0])
                fileIdentity = certificate
            case (0, let identity?):
                certificate = identity
            default:
                throw CommandFailure.input("the token request needs --secret-key, or one certificate (--key NAME, --cert or --pfx) for a client assertion")
            }
            var settings = CertificateAssertionSettings(certificate: certificate, includeCertificateChain: sendX5C)
            if let assertionAlgorithm {
                guard let algorithm = JWSAlgorithm(rawValue: assertionAlgorithm.uppercased()), ClientAssertion.supportedAlgorithms.contains(algorithm) else {
                    throw CommandFailure.input("--assertion-alg: expected PS256, RS256, ES256, ES384 or ES512")
                }
                settings.algorithm = algorithm
            }
            authentication = .certificateAssertion(settings)
        }
        return ClientCredentialsSettings(
            endpoint: endpoint, clientID: clientID, scope: scope, clientAuthentication: authentication,
            trustedCAFiles: ca.isEmpty ? nil : ca)
    }

    static let methods: [String: HTTPMethod] = [
        "GET": .GET, "POST": .POST, "PUT": .PUT, "PATCH": .PATCH, "DELETE": .DELETE, "HEAD": .HEAD, "OPTIONS": .OPTIONS,
    ]

    /// `env:VARIABLE`, `file:PATH`, or a named key.
    static func reference(_ text: String) -> SecretReference {
        if text.hasPrefix("env:") { return .environment(String(text.dropFirst(4))) }
        if text.hasPrefix("file:") { return .file(String(text.dropFirst(5))) }
        return .namedKey(text)
    }

    static func header(_ text: String) throws -> (name: String, value: String) {
        guard let colon = text.firstIndex(of: ":") else { throw CommandFailure.input("--header '\(text)': expected 'Name: value'") }
        let name = text[..<colon].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw CommandFailure.input("--header '\(text)': the name is empty") }
        return (name, value)
    }

    private func readClaims() throws -> JSONObject {
        guard let claims else { return JSONObject() }
        let bytes: [UInt8]
        if claims.hasPrefix("@") {
            bytes = try StoreCommand.readFile(String(claims.dropFirst()), option: "--claims")
        } else {
            bytes = Array(claims.utf8)
        }
        let parsed: JSONObject?
        do {
            parsed = try StrictJSONParser.parseObject(bytes)
        } catch {
            throw CommandFailure.input("--claims: not JSON (\(error))")
        }
        guard let parsed else { throw CommandFailure.input("--claims: expected a JSON object") }
        return parsed
    }
}

/// The exit codes of `trustgate call` (see its --help).
enum CallExit {
    static let transport: Int32 = 3
    static let authenticationRefused: Int32 = 4
    static let httpError: Int32 = 5

    static func failure(for error: ConnectorError) -> CommandFailure {
        // Codes a newer TrustGateClient may add fall to the generic failure (exit 1).
        switch error.code {
        case .configuration, .invalidClaims:
            return CommandFailure.input(error.description)
        case .transport:
            return CommandFailure(message: error.description, exitCode: transport)
        case .tokenAcquisition:
            switch error.tokenAcquisitionError?.code {
            case .refused: return CommandFailure(message: error.description, exitCode: authenticationRefused)
            case .transport: return CommandFailure(message: error.description, exitCode: transport)
            default: return CommandFailure.failed(error.description)
            }
        case .authenticationRefused:
            return CommandFailure(message: error.description, exitCode: authenticationRefused)
        case .httpStatus:
            return CommandFailure(message: error.description, exitCode: httpError)
        default:
            return CommandFailure.failed(error.description)
        }
    }
}

/// `trustgate call --json` for an answer.
struct CallResponseView: Encodable {
    let outcome: String
    let status: Int
    let headers: [[String]]
    let body: String?
    let bodyBase64: String?
    let attempts: Int
    let reason: String?
    let detail: String?

    init(_ response: ConnectorResponse) {
        status = response.status
        headers = response.headers.map { [$0.name, $0.value] }
        body = response.bodyText
        bodyBase64 = response.bodyText == nil ? Data(response.body).base64EncodedString() : nil
        attempts = response.attempts
        switch response.outcome {
        case .success:
            outcome = "success"
            reason = nil
            detail = nil
        case .authenticationRefused(let refusal):
            outcome = "authentication_refused"
            reason = refusal.reason
            detail = refusal.detail
        case .httpError:
            outcome = "http_error"
            reason = nil
            detail = nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case outcome, status, headers, body, attempts, reason, detail
        case bodyBase64 = "body_base64"
    }
}

/// `trustgate call --json` when there was no answer to print.
struct CallFailureView: Encodable {
    let outcome: String
    let message: String

    init(_ error: ConnectorError) {
        switch error.code {
        case .configuration, .invalidClaims: outcome = "configuration_error"
        case .transport: outcome = "transport_error"
        case .tokenAcquisition: outcome = "token_error"
        case .authenticationRefused: outcome = "authentication_refused"
        case .httpStatus: outcome = "http_error"
        default: outcome = "error"
        }
        message = error.description
    }
}
