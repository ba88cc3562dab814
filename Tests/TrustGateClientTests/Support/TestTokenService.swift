import Crypto
import Foundation
import Hummingbird
import HummingbirdCore
import Synchronization
import TrustGateAuth
import TrustGateHummingbird
import TrustGateJOSE
import TrustGateX509
import X509
import _CryptoExtras

/// A minimal OAuth 2.0 token endpoint for the client credentials grant, plus OpenID discovery: clients
/// authenticate with a secret (Basic or post) or a certificate assertion (verified with TrustGateJOSE against
/// the registered certificate, with MSAL's claims checked). Tokens are ES256 JWTs (`typ: at+jwt`) for
/// `audience`, valid for `lifetime` from the shared time. It counts token requests and can answer with an
/// OAuth error instead.
final class TestTokenService: Sendable {
    enum Registration: Sendable {
        case secret(String)
        case certificate(Certificate)
    }

    struct Seen: Sendable {
        var tokenRequests = 0
        var discoveryRequests = 0
        var lastForm: [String: String] = [:]
        var lastAssertion: String?
        var lastAuthenticationMethod: String?
    }

    struct Behaviour: Sendable {
        var lifetime: Int = 3600
        /// Answer every token request with this OAuth error.
        var error: (status: Int, code: String, description: String)?
        /// Issue tokens for another audience (the API then always refuses them).
        var audience: String?
        /// What discovery says the issuer is (nil: the real one).
        var discoveredIssuer: String?
        /// How long a token request takes, so concurrent callers overlap.
        var delay: Duration = .zero
    }

    static let audience = "api://loyalty"
    let time: SharedTime
    let registrations: [String: Registration]
    private let key = P256.Signing.PrivateKey()
    private let state = Mutex<(seen: Seen, behaviour: Behaviour, issuer: String)>((Seen(), Behaviour(), ""))

    init(time: SharedTime, registrations: [String: Registration]) {
        self.time = time
        self.registrations = registrations
    }

    var seen: Seen { state.withLock { $0.seen } }
    var issuer: String { state.withLock { $0.issuer } }
    var tokenEndpoint: String { issuer + "/token" }
    func setIssuer(port: Int) { state.withLock { $0.issuer = "https://127.0.0.1:\(port)" } }
    func configure(_ change: (inout Behaviour) -> Void) { state.withLock { change(&$0.behaviour) } }

    /// The JWKS an API validating these tokens uses.
    func jwksJSON() throws -> String {
        let jwk = try JWSSigningKey.p256(key).publicJWK(keyID: "test-issuer-key", algorithm: .es256)
        return #"{"keys":["# + (try jwk.publicJSON()) + "]}"
    }

    func router() -> Router<TrustGateRequestContext> {
        let router = Router(context: TrustGateRequestContext.self)
        router.get("/.well-known/openid-configuration") { [self] _, _ -> Response in
            let (issuer, published) = state.withLock { state in
                state.seen.discoveryRequests += 1
                return (state.issuer, state.behaviour.discoveredIssuer ?? state.issuer)
            }
            return Self.json(200, ["issuer": .string(published), "token_endpoint": .string(issuer + "/token")])
        }
        router.post("/token") { [self] request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            let form = Self.parseForm(String(buffer: body))
            let authorization = request.headers[.authorization]
            let behaviour = state.withLock { state in
                state.seen.tokenRequests += 1
                state.seen.lastForm = form
                state.seen.lastAssertion = form["client_assertion"]
                return state.behaviour
            }
            if behaviour.delay > .zero { try await Task.sleep(for: behaviour.delay) }
            if let error = behaviour.error {
                return Self.json(error.status, ["error": .string(error.code), "error_description": .string(error.description)])
            }
            guard form["grant_type"] == "client_credentials" else {
                return Self.json(400, ["error": "unsupported_grant_type"])
            }
            let clientID: String
            switch authenticate(form: form, authorization: authorization) {
            case .success(let authenticated): clientID = authenticated
            case .failure(let failure): return Self.json(401, ["error": "invalid_client", "error_description": .string(failure.reason)])
            }
            let now = Int64(time.now.timeIntervalSince1970)
            let claims: JSONObject = [
                "iss": .string(issuer), "aud": .string(behaviour.audience ?? Self.audience), "sub": .string(clientID),
                "client_id": .string(clientID), "iat": .integer(now), "nbf": .integer(now),
                "exp": .integer(now + Int64(behaviour.lifetime)), "jti": .string(UUID().uuidString),
                "scope": .string(form["scope"] ?? ""),
            ]
            let token = try JWSSigner(key: .p256(key)).sign(
                claims: claims, header: JWSHeader(algorithm: .es256, keyID: "test-issuer-key", type: "at+jwt"))
            return Self.json(200, ["access_token": .string(token), "token_type": "Bearer", "expires_in": .integer(Int64(behaviour.lifetime))])
        }
        return router
    }

    struct Refusal: Error { let reason: String }

    private func authenticate(form: [String: String], authorization: String?) -> Result<String, Refusal> {
        if let authorization, authorization.lowercased().hasPrefix("basic ") {
            guard let decoded = Data(base64Encoded: String(authorization.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
                let colon = decoded.firstIndex(of: ":")
            else { return .failure(Refusal(reason: "malformed Basic credentials")) }
            let id = decoded[..<colon].removingPercentEncoding ?? ""
            let secret = decoded[decoded.index(after: colon)...].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            state.withLock { $0.seen.lastAuthenticationMethod = "client_secret_basic" }
            return checkSecret(id, secret)
        }
        guard let id = form["client_id"] else { return .failure(Refusal(reason: "no client_id")) }
        if let secret = form["client_secret"] {
            state.withLock { $0.seen.lastAuthenticationMethod = "client_secret_post" }
            return checkSecret(id, secret)
        }
        guard form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", let assertion = form["client_assertion"],
            case .certificate(let certificate)? = registrations[id]
        else { return .failure(Refusal(reason: "no usable client authentication")) }
        state.withLock { $0.seen.lastAuthenticationMethod = "private_key_jwt" }
        do {
            let jwk = try JSONWebKey(material: try Self.material(of: certificate))
            let verified = try JWSVerifier.verify(assertion, keys: [jwk], allowedAlgorithms: [.ps256, .rs256, .es256])
            guard verified.header.certificateSHA256Thumbprint == CertificateThumbprint.sha256(certificateDER: certificate.derBytes) else {
                return .failure(Refusal(reason: "x5t#S256 does not match the registered certificate"))
            }
            guard let claims = try StrictJSONParser.parseObject(verified.payload),
                claims["iss"]?.stringValue == id, claims["sub"]?.stringValue == id, claims["aud"]?.stringValue == tokenEndpoint,
                let iat = claims["iat"]?.numberValue?.integerValue, let exp = claims["exp"]?.numberValue?.integerValue, exp - iat == 600,
                claims["jti"]?.stringValue != nil
            else { return .failure(Refusal(reason: "assertion claims are not as MSAL writes them")) }
            return .success(id)
        } catch {
            return .failure(Refusal(reason: "assertion does not verify: \(error)"))
        }
    }

    private func checkSecret(_ id: String, _ secret: String) -> Result<String, Refusal> {
        guard case .secret(let expected)? = registrations[id], expected == secret else { return .failure(Refusal(reason: "wrong client secret")) }
        return .success(id)
    }

    static func material(of certificate: Certificate) throws -> JSONWebKey.Material {
        if let rsa = _RSA.Signing.PublicKey(certificate.publicKey) { return .rsa(rsa) }
        guard let p256 = P256.Signing.PublicKey(certificate.publicKey) else { throw Refusal(reason: "unsupported certificate key") }
        return .p256(p256)
    }

    static func parseForm(_ text: String) -> [String: String] {
        var form: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part) }
            form[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return form
    }

    static func json(_ status: Int, _ object: JSONObject) -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: JSONTextEncoder.encode(object: object))))
    }
}
