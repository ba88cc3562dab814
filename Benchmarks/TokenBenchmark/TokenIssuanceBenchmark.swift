import Crypto
import Foundation
import SwiftASN1
import TrustGateAuth
import TrustGateJOSE
public import TrustGateStore
@_spi(Benchmarks) import TrustGateTokens
import TrustGateX509
import X509
import _CryptoExtras

/// Times token issuance end to end through ``TokenEndpoint/handle(_:)`` — form parsing, client authentication,
/// store reads, replay record, signing, audit — or the signing step alone, against a fresh SQLite store in
/// `directory`. Requests run one after another, so the rate is what one request stream gets; pin the process to
/// one CPU (`taskset -c 0`) for the "per core" figure. Assertions for `private_key_jwt` are made before the clock
/// starts (making them is the client's cost, not the server's).
public enum TokenIssuanceBenchmark {
    public enum Scenario: String, Sendable, CaseIterable {
        /// Claims and signature only: the cost of minting, without HTTP parsing or store round trips.
        case signingOnly = "signing-only"
        /// `client_secret_basic` (the secret's slow hash runs once, then the verified-secret cache answers).
        case clientSecretBasic = "client_secret_basic"
        /// `private_key_jwt` with an RS256 assertion from a registered RSA-2048 certificate, replay record included.
        case privateKeyJWT = "private_key_jwt"
        /// `tls_client_auth`: the connection's chain validated to the client's CA (verdict cached) and the subject matched.
        case tlsClientAuth = "tls_client_auth"
        /// `self_signed_tls_client_auth`: the connection's certificate matched against the registered one.
        case selfSignedTLSClientAuth = "self_signed_tls_client_auth"
    }

    public struct Result: Sendable, CustomStringConvertible {
        public let scenario: Scenario
        public let tokenAlgorithm: SigningKeyAlgorithm
        public let iterations: Int
        /// Wall-clock time of the timed loop.
        public let seconds: Double
        /// CPU time (user + system, every thread) the process spent in the timed loop: on a shared machine this,
        /// not the wall time, says what one core can do.
        public let cpuSeconds: Double
        public var tokensPerSecond: Double { seconds > 0 ? Double(iterations) / seconds : 0 }
        public var tokensPerCPUSecond: Double { cpuSeconds > 0 ? Double(iterations) / cpuSeconds : 0 }

        public var description: String {
            "\(scenario.rawValue) \(tokenAlgorithm.rawValue): \(iterations) tokens in \(String(format: "%.3f", seconds)) s wall = "
                + "\(String(format: "%.0f", tokensPerSecond)) tokens/s; \(String(format: "%.0f", tokensPerCPUSecond)) tokens per CPU-second"
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case requestRefused(status: Int, body: String)
        public var description: String {
            switch self {
            case .requestRefused(let status, let body): return "a benchmark request was refused (\(status)): \(body)"
            }
        }
    }

    /// Runs `iterations` issuances (after a few warm-up requests) and returns the rate.
    public static func run(scenario: Scenario, tokenAlgorithm: SigningKeyAlgorithm, iterations: Int, directory: String) async throws -> Result {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try SQLiteRegistrationStore(path: directory + "/bench-\(UUID().uuidString).sqlite")
        let storeKey = KeyEncryptionKey.generate()
        try await TokenSigningKeys.ensureSigningKey(in: store, algorithm: tokenAlgorithm, storeKey: storeKey)
        var settings = try TokenServiceSettings(issuer: "https://127.0.0.1:8443/bench")
        settings.accessTokenAlgorithm = tokenAlgorithm
        settings.signingKeyRefreshInterval = 60
        let service = try TokenService(settings: settings, store: store, storeKey: storeKey)
        let resource = try Resource(identifier: "api://bench", name: "Benchmark API", appRoles: ["bench.read"], tokenProfile: .entra)
        try await store.addResource(resource)

        let makeRequest: @Sendable (Int) -> TokenRequest
        let warmUp = 20
        let total = iterations + warmUp
        switch scenario {
        case .signingOnly, .clientSecretBasic:
            let client = try Client(id: "bench-secret", name: "bench", authenticationMethods: [.clientSecretBasic])
            try await store.addClient(client)
            let secret = try ClientSecret.generate(for: client.id)
            try await store.addSecret(secret.record)
            try await store.grantRoles(clientID: client.id, resource: resource.identifier, roles: ["bench.read"])
            let basic = "Basic " + Data("\(client.id):\(secret.value)".utf8).base64EncodedString()
            makeRequest = { _ in
                form(service, body: "grant_type=client_credentials&scope=api%3A%2F%2Fbench%2F.default", authorization: [basic])
            }
            if scenario == .signingOnly {
                return try await signingOnly(service: service, store: store, clientID: client.id, resource: resource, tokenAlgorithm: tokenAlgorithm, iterations: iterations, warmUp: warmUp)
            }
        case .privateKeyJWT:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            let certificate = try selfSigned(Certificate.PrivateKey(key), commonName: "bench-jwt")
            let client = try Client(id: "bench-jwt", name: "bench", authenticationMethods: [.privateKeyJWT])
            try await store.addClient(client)
            try await store.addCertificate(try ClientCertificate(clientID: client.id, derBytes: certificate.derBytes))
            try await store.grantRoles(clientID: client.id, resource: resource.identifier, roles: ["bench.read"])
            let signer = JWSSigner(key: .rsa(key))
            let thumbprint = CertificateThumbprint.sha256(certificateDER: certificate.derBytes)
            let now = Int64(Date().timeIntervalSince1970)
            var assertions: [String] = []
            assertions.reserveCapacity(total)
            for index in 0..<total {
                let claims: JSONObject = [
                    "iss": .string(client.id), "sub": .string(client.id), "aud": .string(settings.urls.tokenEndpoint),
                    "iat": .integer(now), "exp": .integer(now + 600), "jti": .string("bench-\(index)-\(UUID().uuidString)"),
                ]
                assertions.append(try signer.sign(claims: claims, header: JWSHeader(algorithm: .rs256, type: "JWT", certificateSHA256Thumbprint: thumbprint)))
            }
            let prepared = assertions
            makeRequest = { index in
                form(service, body: "grant_type=client_credentials&scope=api%3A%2F%2Fbench%2F.default&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=" + prepared[index])
            }
        case .tlsClientAuth:
            let rootKey = P256.Signing.PrivateKey()
            let root = try selfSigned(Certificate.PrivateKey(rootKey), commonName: "bench-root", isCA: true)
            let leafKey = P256.Signing.PrivateKey()
            let leaf = try issue(subjectKey: Certificate.PrivateKey(leafKey), commonName: "bench-mtls", issuer: root, issuerKey: Certificate.PrivateKey(rootKey))
            let client = try Client(id: "bench-mtls", name: "bench", authenticationMethods: [.tlsClientAuth])
            try await store.addClient(client)
            try await store.addSubjectIssuerRule(try SubjectIssuerRule(
                clientID: client.id, trustAnchors: [root], subject: leaf.subject, alternativeNames: SubjectAlternativeNameMatchers()))
            try await store.grantRoles(clientID: client.id, resource: resource.identifier, roles: ["bench.read"])
            let evidence = ClientCertificateEvidence(chain: PresentedCertificateChain(derCertificates: [leaf.derBytes]), source: .tlsConnection)
            makeRequest = { _ in
                form(service, body: "grant_type=client_credentials&client_id=bench-mtls&scope=api%3A%2F%2Fbench%2F.default", certificate: evidence)
            }
        case .selfSignedTLSClientAuth:
            let key = P256.Signing.PrivateKey()
            let certificate = try selfSigned(Certificate.PrivateKey(key), commonName: "bench-self-signed")
            let client = try Client(id: "bench-self", name: "bench", authenticationMethods: [.selfSignedTLSClientAuth])
            try await store.addClient(client)
            try await store.addCertificate(try ClientCertificate(clientID: client.id, derBytes: certificate.derBytes))
            try await store.grantRoles(clientID: client.id, resource: resource.identifier, roles: ["bench.read"])
            let evidence = ClientCertificateEvidence(chain: PresentedCertificateChain(derCertificates: [certificate.derBytes]), source: .tlsConnection)
            makeRequest = { _ in
                form(service, body: "grant_type=client_credentials&client_id=bench-self&scope=api%3A%2F%2Fbench%2F.default", certificate: evidence)
            }
        }

        for index in 0..<warmUp { try await expectToken(service.handle(makeRequest(index))) }
        let start = ContinuousClock.now
        let cpuStart = processCPUSeconds()
        for index in warmUp..<total { try await expectToken(service.handle(makeRequest(index))) }
        let cpu = processCPUSeconds() - cpuStart
        let elapsed = ContinuousClock.now - start
        await store.close()
        return Result(scenario: scenario, tokenAlgorithm: tokenAlgorithm, iterations: iterations, seconds: seconds(elapsed), cpuSeconds: cpu)
    }

    private static func signingOnly(
        service: TokenService, store: SQLiteRegistrationStore, clientID: String, resource: Resource, tokenAlgorithm: SigningKeyAlgorithm,
        iterations: Int, warmUp: Int
    ) async throws -> Result {
        guard let registration = try await store.registration(clientID: clientID) else { throw Failure.requestRefused(status: 0, body: "no client") }
        let sign = service.tokenEndpoint.signingStep(registration: registration, resource: resource)
        for _ in 0..<warmUp { try await sign(Date()) }
        let start = ContinuousClock.now
        let cpuStart = processCPUSeconds()
        for _ in 0..<iterations { try await sign(Date()) }
        let cpu = processCPUSeconds() - cpuStart
        let elapsed = ContinuousClock.now - start
        await store.close()
        return Result(scenario: .signingOnly, tokenAlgorithm: tokenAlgorithm, iterations: iterations, seconds: seconds(elapsed), cpuSeconds: cpu)
    }

    #if canImport(Glibc)
    private static let selfUsage = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
    private static let selfUsage = RUSAGE_SELF
    #endif

    /// User + system CPU time of the whole process so far.
    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(selfUsage, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func expectToken(_ response: TokenHTTPResponse) throws {
        guard response.status == 200 else {
            throw Failure.requestRefused(status: response.status, body: String(decoding: response.body, as: UTF8.self))
        }
    }

    private static func form(
        _ service: TokenService, body: String, authorization: [String] = [], certificate: ClientCertificateEvidence? = nil
    ) -> TokenRequest {
        TokenRequest(
            method: "POST", path: service.settings.urls.tokenPath, contentType: "application/x-www-form-urlencoded",
            authorization: authorization, body: Array(body.utf8), clientCertificate: certificate, isSecureTransport: true)
    }

    private static func selfSigned(_ key: Certificate.PrivateKey, commonName: String, isCA: Bool = false) throws -> Certificate {
        let name = try DistinguishedName { CommonName(commonName) }
        let now = Date()
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86_400),
            issuer: name, subject: name, signatureAlgorithm: try KeyAlgorithm.signatureAlgorithm(forIssuerKey: key.publicKey),
            extensions: try Certificate.Extensions {
                if isCA {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    SubjectKeyIdentifier(hash: key.publicKey)
                } else {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                }
            },
            issuerPrivateKey: key)
    }

    private static func issue(subjectKey: Certificate.PrivateKey, commonName: String, issuer: Certificate, issuerKey: Certificate.PrivateKey) throws -> Certificate {
        let now = Date()
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: subjectKey.publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(43_200),
            issuer: issuer.subject, subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: try KeyAlgorithm.signatureAlgorithm(forIssuerKey: issuerKey.publicKey),
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: issuerKey.publicKey).keyIdentifier)
                SubjectKeyIdentifier(hash: subjectKey.publicKey)
            },
            issuerPrivateKey: issuerKey)
    }
}
