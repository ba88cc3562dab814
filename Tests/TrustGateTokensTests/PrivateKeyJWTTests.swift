import Crypto
import Foundation
import TrustGateJOSE
import TrustGateStore
import TrustGateTokens
import TrustGateX509
import X509
import XCTest
import _CryptoExtras

/// private_key_jwt with registered certificates: CA-1 … CA-16, CA-18, CA-19 and the client quirks of §0.
final class PrivateKeyJWTTests: XCTestCase {
    private var environment: TokenTestEnvironment!
    private var credentials: SharedCredentials!

    override func setUp() async throws {
        credentials = try SharedCredentials.get()
        environment = try await TokenTestEnvironment()
        try await environment.addClient("jwt-client", methods: [.privateKeyJWT])
        try await environment.addCertificate("jwt-client", credentials.rsa)
    }

    override func tearDown() async throws {
        await environment?.close()
    }

    private var rsa: TokenTestPKI.Credential { credentials.rsa }
    private var issuer: String { environment.settings.urls.issuer }
    private var tokenEndpoint: String { environment.settings.urls.tokenEndpoint }
    private var now: Double { Date().timeIntervalSince1970.rounded(.down) }

    private func standard() -> AssertionBuilder { environment.assertion(for: "jwt-client", rsa) }

    private func expectAccepted(_ builder: AssertionBuilder, file: StaticString = #filePath, line: UInt = #line) async throws {
        let response = await environment.postAssertion(try builder.build())
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self), file: file, line: line)
    }

    private func expectRefused(
        _ builder: AssertionBuilder, _ reason: TokenRefusalReason, file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        try await expectRefused(try builder.build(), reason, file: file, line: line)
    }

    private func expectRefused(_ assertion: String, _ reason: TokenRefusalReason, file: StaticString = #filePath, line: UInt = #line) async throws {
        let response = await environment.postAssertion(assertion)
        TokenTestEnvironment.assertError(response, "invalid_client", file: file, line: line)
        // CA-18: the client learns nothing about which check failed.
        XCTAssertEqual(try TokenTestEnvironment.json(response)["error_description"]?.stringValue, "client authentication failed", file: file, line: line)
        let logged = try await environment.lastAuditReason()
        XCTAssertEqual(logged, reason.rawValue, file: file, line: line)
    }

    // MARK: - Token contents for a certificate client

    func testIssuedTokenForAssertionClient() async throws {
        let response = await environment.postAssertion(try standard().build())
        let (header, claims) = try await environment.verifiedToken(response)
        XCTAssertEqual(header.type, "at+jwt")
        XCTAssertEqual(claims["sub"]?.stringValue, "jwt-client")
        XCTAssertEqual(claims["client_id"]?.stringValue, "jwt-client")
        XCTAssertEqual(claims["roles"], ["orders.read"])
        let event = try await environment.lastAudit()
        XCTAssertEqual(event?.outcome, .issued)
        XCTAssertEqual(event?.method, .privateKeyJWT)
        XCTAssertEqual(event?.resource, TokenTestEnvironment.resourceID)
    }

    // MARK: CA-1

    func testCA1IssuerAndSubjectMustBeTheClient() async throws {
        var differentIssuer = standard()
        differentIssuer[claim: "iss"] = "someone-else"
        try await expectRefused(differentIssuer, .assertionIssuerSubject)
        var unknownClient = standard()
        unknownClient[claim: "iss"] = "ghost"
        unknownClient[claim: "sub"] = "ghost"
        try await expectRefused(unknownClient, .unknownClient)
        var numericSubject = standard()
        numericSubject[claim: "sub"] = 42
        try await expectRefused(numericSubject, .assertionIssuerSubject)
    }

    // MARK: CA-2

    func testCA2AudienceIsIssuerOrTokenEndpoint() async throws {
        var toIssuer = standard()
        toIssuer[claim: "aud"] = .string(issuer)
        try await expectAccepted(toIssuer)
        var toEndpoint = standard()
        toEndpoint[claim: "aud"] = .string(tokenEndpoint)
        try await expectAccepted(toEndpoint)
        var elsewhere = standard()
        elsewhere[claim: "aud"] = "https://login.microsoftonline.com/tenant/oauth2/v2.0/token"
        try await expectRefused(elsewhere, .assertionAudience)
        var trailingSlash = standard()
        trailingSlash[claim: "aud"] = .string(issuer + "/")
        try await expectRefused(trailingSlash, .assertionAudience)
        var missing = standard()
        missing[claim: "aud"] = nil
        try await expectRefused(missing, .assertionAudience)
    }

    func testCA2StrictAudienceAcceptsTheIssuerOnly() async throws {
        let strict = try await TokenTestEnvironment { $0.strictAssertionAudience = true }
        defer { Task { await strict.close() } }
        try await strict.addClient("jwt-client", methods: [.privateKeyJWT])
        try await strict.addCertificate("jwt-client", rsa)
        var toIssuer = strict.assertion(for: "jwt-client", rsa)
        toIssuer[claim: "aud"] = .string(strict.settings.urls.issuer)
        let accepted = await strict.postAssertion(try toIssuer.build())
        XCTAssertEqual(accepted.status, 200)
        let toEndpoint = strict.assertion(for: "jwt-client", rsa)
        let refused = await strict.postAssertion(try toEndpoint.build())
        TokenTestEnvironment.assertError(refused, "invalid_client")
    }

    // MARK: CA-3

    func testCA3SingleValueAudienceArrayOnly() async throws {
        var single = standard()
        single[claim: "aud"] = [.string(tokenEndpoint)]
        try await expectAccepted(single)
        var injected = standard()
        injected[claim: "aud"] = [.string(tokenEndpoint), "https://attacker.example/token"]
        try await expectRefused(injected, .assertionMultipleAudiences)
    }

    // MARK: CA-4

    func testCA4ExplicitTypeNeedsTheIssuerAsAString() async throws {
        var explicit = standard()
        explicit[header: "typ"] = "client-authentication+jwt"
        explicit[claim: "aud"] = .string(issuer)
        try await expectAccepted(explicit)
        var withMediaType = standard()
        withMediaType[header: "typ"] = "application/client-authentication+jwt"
        withMediaType[claim: "aud"] = .string(issuer)
        try await expectAccepted(withMediaType)
        var toEndpoint = standard()
        toEndpoint[header: "typ"] = "client-authentication+jwt"
        try await expectRefused(toEndpoint, .assertionExplicitTypeAudience)
        var asArray = standard()
        asArray[header: "typ"] = "client-authentication+jwt"
        asArray[claim: "aud"] = [.string(issuer)]
        try await expectRefused(asArray, .assertionExplicitTypeAudience)
    }

    func testCA4OtherExplicitTypesAreRefused() async throws {
        for type in ["at+jwt", "dpop+jwt", "oauth-authz-req+jwt", "application/at+jwt"] {
            var builder = standard()
            builder[header: "typ"] = .string(type)
            try await expectRefused(builder, .assertionType)
        }
        var noType = standard()
        noType[header: "typ"] = nil
        try await expectAccepted(noType)
    }

    // MARK: CA-5

    func testCA5ExpiryRequiredAndEnforcedWithSkew() async throws {
        var noExpiry = standard()
        noExpiry[claim: "exp"] = nil
        try await expectRefused(noExpiry, .assertionMissingExpiry)
        var expired = standard()
        expired[claim: "iat"] = .double(now - 200)
        expired[claim: "exp"] = .double(now - 61)
        try await expectRefused(expired, .assertionExpired)
        var withinSkew = standard()
        withinSkew[claim: "iat"] = .double(now - 200)
        withinSkew[claim: "exp"] = .double(now - 30)
        try await expectAccepted(withinSkew)
    }

    // MARK: CA-6

    func testCA6FutureNotBeforeAndIssuedAt() async throws {
        var nbfSoon = standard()
        nbfSoon[claim: "nbf"] = .double(now + 10)
        try await expectAccepted(nbfSoon)
        var nbfLate = standard()
        nbfLate[claim: "nbf"] = .double(now + 61)
        try await expectRefused(nbfLate, .assertionNotYetValid)
        var iatSoon = standard()
        iatSoon[claim: "iat"] = .double(now + 8)
        try await expectAccepted(iatSoon)
        var iatLate = standard()
        iatLate[claim: "iat"] = .double(now + 61)
        iatLate[claim: "exp"] = .double(now + 600)
        try await expectRefused(iatLate, .assertionIssuedInFuture)
    }

    // MARK: CA-7

    func testCA7AuthlibOneHourAssertionWithFreshIssuedAt() async throws {
        // Authlib PrivateKeyJWT: RS256, no kid, iat = now, exp = iat + 3600, a 36-character jti.
        var authlib = AssertionBuilder(clientID: "jwt-client", audience: tokenEndpoint, key: rsa.signingKey, algorithm: .rs256)
        authlib[claim: "exp"] = .double(now + 3600)
        try await expectAccepted(authlib)
    }

    func testCA7OldIssuedAtIsRefused() async throws {
        var stale = standard()
        stale[claim: "iat"] = .double(now - 700)
        stale[claim: "exp"] = .double(now + 3000)
        try await expectRefused(stale, .assertionTooOld)
    }

    func testCA7WithoutIssuedAtExpiryMustBeNear() async throws {
        var msalNet = standard()
        msalNet[claim: "iat"] = nil
        msalNet[claim: "nbf"] = .double(now)
        msalNet[claim: "exp"] = .double(now + 600)
        try await expectAccepted(msalNet)
        var far = standard()
        far[claim: "iat"] = nil
        far[claim: "exp"] = .double(now + 3600)
        try await expectRefused(far, .assertionLifetimeTooLong)
    }

    // MARK: CA-8 and the §0 quirks

    func testCA8MSALPythonFloatTimesPaddedThumbprintAndWrappedX5C() async throws {
        // MSAL Python: PS256, x5t#S256 with "=" padding, x5c lines of 64 characters, float iat/exp, exp = iat + 600.
        var msal = AssertionBuilder(clientID: "jwt-client", audience: tokenEndpoint, key: rsa.signingKey, algorithm: .ps256)
        let issuedAt = Date().timeIntervalSince1970 + 0.86
        msal[claim: "iat"] = .double(issuedAt)
        msal[claim: "exp"] = .double(issuedAt + 600)
        msal[header: "x5t#S256"] = .string(AssertionBuilder.padded(rsa.x5tS256))
        msal[header: "x5c"] = [.string(AssertionBuilder.wrapped(rsa.der))]
        XCTAssertTrue(AssertionBuilder.padded(rsa.x5tS256).hasSuffix("="), "the SHA-256 thumbprint has 43 characters: padded to 44")
        let response = await environment.postAssertion(try msal.build(), extra: [("client_id", "jwt-client"), ("client_info", "1")])
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
    }

    func testCA8MSALDotNetStringDatesBareX5CAndSHA1Thumbprint() async throws {
        // MSAL.NET with a generic authority: RS256 + x5t (SHA-1), x5c as one string, nbf/exp as digit strings, no iat.
        var msal = AssertionBuilder(clientID: "jwt-client", audience: tokenEndpoint, key: rsa.signingKey, algorithm: .rs256)
        msal[header: "x5t"] = .string(AssertionBuilder.padded(rsa.x5t))
        msal[header: "x5c"] = .string(Base64Standard.encode(rsa.der))
        msal[claim: "iat"] = nil
        msal[claim: "nbf"] = .string(String(Int(now)))
        msal[claim: "exp"] = .string(String(Int(now) + 600))
        try await expectAccepted(msal)
    }

    func testCA8OtherDateTypesAreRefused() async throws {
        for value: JSONValue in ["1e9", " 1700000000", "-5", "17000000.5", true, [1], ["n": 1]] {
            var builder = standard()
            builder[claim: "exp"] = value
            try await expectRefused(builder, .assertionInvalidDate)
        }
    }

    func testCA8DigitStringsOnlyWithTheSwitch() async throws {
        let strictDates = try await TokenTestEnvironment { $0.acceptStringNumericDates = false }
        defer { Task { await strictDates.close() } }
        try await strictDates.addClient("jwt-client", methods: [.privateKeyJWT])
        try await strictDates.addCertificate("jwt-client", rsa)
        var builder = strictDates.assertion(for: "jwt-client", rsa)
        builder[claim: "exp"] = .string(String(Int(now) + 600))
        TokenTestEnvironment.assertError(await strictDates.postAssertion(try builder.build()), "invalid_client")
        builder[claim: "exp"] = .double(now + 600)
        let numeric = await strictDates.postAssertion(try builder.build())
        XCTAssertEqual(numeric.status, 200)
    }

    // MARK: CA-9

    func testCA9TokenIDRequiredAndBounded() async throws {
        var missing = standard()
        missing[claim: "jti"] = nil
        try await expectRefused(missing, .assertionMissingJTI)
        var empty = standard()
        empty[claim: "jti"] = ""
        try await expectRefused(empty, .assertionMissingJTI)
        var numeric = standard()
        numeric[claim: "jti"] = 7
        try await expectRefused(numeric, .assertionMissingJTI)
        var long = standard()
        long[claim: "jti"] = .string(String(repeating: "j", count: 257))
        try await expectRefused(long, .assertionJTITooLong)
        var longest = standard()
        longest[claim: "jti"] = .string(String(repeating: "j", count: 256))
        try await expectAccepted(longest)
    }

    // MARK: CA-10

    func testCA10ReplayIsRefused() async throws {
        let assertion = try standard().build()
        let first = await environment.postAssertion(assertion)
        XCTAssertEqual(first.status, 200)
        try await expectRefused(assertion, .assertionReplayed)
    }

    func testCA10ReuseOnlyWithAllowAssertionReuse() async throws {
        try await environment.addClient("msal-python", methods: [.privateKeyJWT], allowAssertionReuse: true)
        try await environment.addCertificate("msal-python", credentials.rsaSecond)
        let assertion = try environment.assertion(for: "msal-python", credentials.rsaSecond).build()
        for _ in 0..<3 {
            let response = await environment.postAssertion(assertion)
            XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        }
    }

    func testCA10ReplayStoreIsKeyedByClient() async throws {
        try await environment.addClient("other-client", methods: [.privateKeyJWT])
        try await environment.addCertificate("other-client", credentials.rsaSecond)
        var mine = standard()
        mine[claim: "jti"] = "shared-jti"
        var theirs = environment.assertion(for: "other-client", credentials.rsaSecond)
        theirs[claim: "jti"] = "shared-jti"
        try await expectAccepted(theirs)
        try await expectAccepted(mine)
    }

    func testCA10TokenIDIsRecordedOnlyAfterEverythingVerified() async throws {
        // A forged assertion with a victim's jti does not burn it…
        var forged = standard()
        forged[claim: "jti"] = "victim-jti"
        forged.key = credentials.rsaSecond.signingKey
        try await expectRefused(forged, .assertionBadSignature)
        // …nor does a request that fails later (an unknown scope).
        var genuine = standard()
        genuine[claim: "jti"] = "victim-jti"
        let assertion = try genuine.build()
        let badScope = await environment.post([
            ("grant_type", "client_credentials"), ("scope", "api://unknown/.default"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", assertion),
        ])
        TokenTestEnvironment.assertError(badScope, "invalid_scope")
        let accepted = await environment.postAssertion(assertion)
        XCTAssertEqual(accepted.status, 200)
    }

    // MARK: CA-11

    func testCA11AlgorithmAllowList() async throws {
        let payload = #"{"iss":"jwt-client","sub":"jwt-client","aud":"\#(tokenEndpoint)","exp":\#(Int(now) + 600),"iat":\#(Int(now)),"jti":"x1"}"#
        let unsigned = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "." + Base64URL.encode(Array(payload.utf8)) + "."
        try await expectRefused(unsigned, .assertionMalformed)
        let noneWithSignature = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "." + Base64URL.encode(Array(payload.utf8)) + ".AAAA"
        try await expectRefused(noneWithSignature, .assertionAlgorithmNotAllowed)
        // HS256 with the certificate's public key bytes as the "secret" (key confusion).
        let secret = SymmetricKey(data: Array(rsa.certificate.publicKey.subjectPublicKeyInfoBytes))
        var hmac = standard()
        hmac.algorithm = .hs256
        hmac.key = .symmetric(secret)
        try await expectRefused(hmac, .assertionAlgorithmNotAllowed)
        for algorithm in [JWSAlgorithm.rs256, .ps256] {
            var builder = standard()
            builder.algorithm = algorithm
            try await expectAccepted(builder)
        }
    }

    func testCA11ES256WithAnECCertificate() async throws {
        try await environment.addClient("ec-client", methods: [.privateKeyJWT])
        try await environment.addCertificate("ec-client", credentials.ec)
        let builder = environment.assertion(for: "ec-client", credentials.ec, algorithm: .es256)
        let response = await environment.postAssertion(try builder.build())
        XCTAssertEqual(response.status, 200)
    }

    func testCA11RegisteredAlgorithmIsEnforced() async throws {
        try await environment.addClient("pss-only", methods: [.privateKeyJWT], assertionAlgorithm: .ps256)
        try await environment.addCertificate("pss-only", credentials.rsaSecond)
        var pss = environment.assertion(for: "pss-only", credentials.rsaSecond, algorithm: .ps256)
        try await expectAccepted(pss)
        pss.algorithm = .rs256
        pss[claim: "jti"] = "another"
        try await expectRefused(pss, .assertionAlgorithmNotRegistered)
    }

    // MARK: CA-12

    func testCA12KeyTypeMustFitTheAlgorithm() async throws {
        // An ES256 header over an RSA certificate.
        var mismatch = standard()
        mismatch.algorithm = .es256
        mismatch.key = credentials.ec.signingKey
        try await expectRefused(mismatch, .assertionUnsupportedKey)
    }

    func testCA12ES256SignatureMustBeRawNotDER() async throws {
        try await environment.addClient("ec-client", methods: [.privateKeyJWT])
        try await environment.addCertificate("ec-client", credentials.ec)
        let assertion = try environment.assertion(for: "ec-client", credentials.ec, algorithm: .es256).build()
        let parts = assertion.split(separator: ".")
        let raw = try XCTUnwrap(Base64URL.decode(parts[2]))
        let der = try P256.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation
        let derAssertion = parts[0] + "." + parts[1] + "." + Base64URL.encode(der)
        try await expectRefused(String(derAssertion), .assertionBadSignature)
        // r = s = 0 (CVE-2022-21449).
        let zero = parts[0] + "." + parts[1] + "." + Base64URL.encode([UInt8](repeating: 0, count: 64))
        try await expectRefused(String(zero), .assertionBadSignature)
    }

    func testCA12RSAKeysBelow2048BitsAreRefused() async throws {
        let weakKey = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
        let name = try DistinguishedName { CommonName("weak") }
        let certificateKey = Certificate.PrivateKey(weakKey)
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: certificateKey.publicKey,
            notValidBefore: Date().addingTimeInterval(-60), notValidAfter: Date().addingTimeInterval(3600), issuer: name, subject: name,
            signatureAlgorithm: .sha256WithRSAEncryption, extensions: Certificate.Extensions(), issuerPrivateKey: certificateKey)
        // swift-certificates does not even parse such a certificate, so it can neither be registered…
        XCTAssertThrowsError(try ClientCertificate(clientID: "weak-client", derBytes: certificate.derBytes))
        // …nor vouched for by an SN/I rule when it arrives in x5c.
        try await environment.addClient("weak-client", methods: [.privateKeyJWT])
        try await environment.addRule("weak-client", anchors: [credentials.pki.authority.root], subject: "CN=weak")
        var builder = AssertionBuilder(clientID: "weak-client", audience: tokenEndpoint, key: .rsa(weakKey), algorithm: .rs256)
        builder[header: "x5c"] = [.string(Base64Standard.encode(certificate.derBytes))]
        let response = await environment.postAssertion(try builder.build())
        TokenTestEnvironment.assertError(response, "invalid_client")
    }

    // MARK: CA-13

    func testCA13CriticalHeadersAreRefused() async throws {
        var critical = standard()
        critical[header: "crit"] = ["exp"]
        try await expectRefused(critical, .assertionCriticalHeader)
    }

    // MARK: CA-14

    func testCA14KeysFromTheTokenAreNeverUsed() async throws {
        // Signed by an attacker's key that travels in the header as jwk, with a jku and x5u for good measure.
        let attacker = P256.Signing.PrivateKey()
        var embedded = AssertionBuilder(clientID: "jwt-client", audience: tokenEndpoint, key: .p256(attacker), algorithm: .es256)
        embedded[header: "jwk"] = .object(try JWSSigningKey.p256(attacker).publicJWK(keyID: nil).publicJSONObject())
        embedded[header: "jku"] = "https://attacker.example/jwks"
        embedded[header: "x5u"] = "https://attacker.example/cert.pem"
        try await expectRefused(embedded, .assertionUnsupportedKey)
        var rsaAttacker = standard()
        rsaAttacker.key = credentials.rsaSecond.signingKey
        rsaAttacker[header: "jwk"] = .object(try credentials.rsaSecond.signingKey.publicJWK(keyID: nil).publicJSONObject())
        try await expectRefused(rsaAttacker, .assertionBadSignature)
    }

    // MARK: CA-15

    func testCA15KeySelectionOrder() async throws {
        try await environment.addCertificate("jwt-client", credentials.rsaSecond)
        // kid naming the second certificate by its SHA-1 hex thumbprint (the .NET KeyId form).
        var byKeyID = environment.assertion(for: "jwt-client", credentials.rsaSecond)
        byKeyID[header: "x5t#S256"] = nil
        byKeyID[header: "kid"] = .string(CertificateFingerprintsHex.sha1(credentials.rsaSecond.der))
        try await expectAccepted(byKeyID)
        // x5t#S256 padded, and x5t padded.
        var byPaddedS256 = environment.assertion(for: "jwt-client", credentials.rsaSecond)
        byPaddedS256[header: "x5t#S256"] = .string(AssertionBuilder.padded(credentials.rsaSecond.x5tS256))
        try await expectAccepted(byPaddedS256)
        var bySHA1 = environment.assertion(for: "jwt-client", rsa)
        bySHA1[header: "x5t#S256"] = nil
        bySHA1[header: "x5t"] = .string(AssertionBuilder.padded(rsa.x5t))
        try await expectAccepted(bySHA1)
        // Two certificates and nothing to tell them apart.
        var anonymous = standard()
        anonymous[header: "x5t#S256"] = nil
        try await expectRefused(anonymous, .assertionAmbiguousKey)
        // A kid that names nothing, with nothing else.
        var unknownKeyID = standard()
        unknownKeyID[header: "x5t#S256"] = nil
        unknownKeyID[header: "kid"] = "my-own-label"
        try await expectRefused(unknownKeyID, .assertionUnknownKeyID)
    }

    func testCA15UnknownThumbprintNeverFallsBack() async throws {
        // One registered certificate; the thumbprint names another one: refused, not tried with the only key.
        var builder = standard()
        builder[header: "x5t#S256"] = .string(credentials.rsaSecond.x5tS256)
        try await expectRefused(builder, .assertionUnknownThumbprint)
        var sha1 = standard()
        sha1[header: "x5t#S256"] = nil
        sha1[header: "x5t"] = .string(credentials.rsaSecond.x5t)
        try await expectRefused(sha1, .assertionUnknownThumbprint)
    }

    func testCA15OnlyCandidateWithoutIdentifiers() async throws {
        var anonymous = standard()
        anonymous[header: "x5t#S256"] = nil
        try await expectAccepted(anonymous)
    }

    // MARK: CA-16

    func testCA16ExpiredRegisteredCertificateIsRefused() async throws {
        try await environment.addClient("expired", methods: [.privateKeyJWT])
        try await environment.addCertificate("expired", credentials.expired)
        try await expectRefused(try environment.assertion(for: "expired", credentials.expired).build(), .assertionCertificateNotValid)
    }

    // MARK: CA-17 (registered certificates; SN/I trust in SubjectIssuerAssertionTests)

    func testCA17X5CLeafMustHoldTheVerifyingKey() async throws {
        var wrongLeaf = standard()
        wrongLeaf[header: "x5c"] = [.string(Base64Standard.encode(credentials.rsaSecond.der))]
        try await expectRefused(wrongLeaf, .assertionChainKeyMismatch)
        var rightLeaf = standard()
        rightLeaf[header: "x5c"] = .array(rsa.chainDER.map { .string(Base64Standard.encode($0)) })
        try await expectAccepted(rightLeaf)
    }

    func testCA17ChainLengthIsCapped() async throws {
        var long = standard()
        long[header: "x5c"] = .array(Array(repeating: .string(Base64Standard.encode(rsa.der)), count: 9))
        let response = await environment.postAssertion(try long.build())
        TokenTestEnvironment.assertError(response, "invalid_request")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_request.too_many_x5c_certificates")
    }

    // MARK: CA-19 and TE-7

    func testCA19UnknownClaimsAreIgnored() async throws {
        var extra = standard()
        extra[claim: "client_info"] = "1"
        extra[claim: "xms_cc"] = ["cp1"]
        extra[claim: "nested"] = ["deep": ["deeper": true]]
        try await expectAccepted(extra)
    }

    func testTE7FormClientIDMustMatchAssertionSubject() async throws {
        let matching = await environment.postAssertion(try standard().build(), extra: [("client_id", "jwt-client")])
        XCTAssertEqual(matching.status, 200)
        let other = await environment.postAssertion(try standard().build(), extra: [("client_id", "someone-else")])
        TokenTestEnvironment.assertError(other, "invalid_client")
        let reason = try await environment.lastAuditReason()
        XCTAssertEqual(reason, "invalid_client.client_id_mismatch")
    }

    func testMethodMustBeRegistered() async throws {
        try await environment.addClient("secret-only", methods: [.clientSecretBasic])
        try await environment.addCertificate("secret-only", credentials.rsaSecond)
        try await expectRefused(try environment.assertion(for: "secret-only", credentials.rsaSecond).build(), .methodNotRegistered)
    }
}

/// Hex thumbprints as Windows shows them.
enum CertificateFingerprintsHex {
    static func sha1(_ der: [UInt8]) -> String {
        Insecure.SHA1.hash(data: der).map { String(format: "%02X", $0) }.joined()
    }
}
