import Crypto
import Foundation
import TrustGateAuth
import TrustGateJOSE
import XCTest
import _CryptoExtras

final class JWTAccessTokenValidatorTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func validator(_ settings: JWTIssuerSettings? = nil) throws -> JWTAccessTokenValidator {
        JWTAccessTokenValidator(settings: try settings ?? JWTTestIssuer.inlineSettings())
    }

    private func assertRejected(
        _ token: String, by validator: JWTAccessTokenValidator, as expected: TokenRejection,
        certificate: [UInt8]? = nil, at time: Date? = nil, file: StaticString = #filePath, line: UInt = #line
    ) async {
        do {
            _ = try await validator.validate(token, presentedCertificateLeafDER: certificate, now: time ?? now)
            XCTFail("accepted; expected \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
        }
    }

    // MARK: - Signatures and algorithms (RS-5)

    func testValidES256RS256AndPS256Tokens() async throws {
        let validator = try validator()
        for (key, algorithm) in [(JWTTestIssuer.ec, JWSAlgorithm.es256), (JWTTestIssuer.rsa, .rs256), (JWTTestIssuer.rsa, .ps256)] {
            let token = try JWTTestIssuer.token(key, algorithm: algorithm, now: now)
            let claims = try await validator.validate(token, presentedCertificateLeafDER: nil, now: now)
            XCTAssertEqual(claims.issuer, JWTTestIssuer.issuer, "\(algorithm)")
            XCTAssertEqual(claims.subject, "user-1")
            XCTAssertEqual(claims.audiences, [JWTTestIssuer.audience])
            XCTAssertEqual(claims.scopes, ["orders.read", "orders.write"])
            XCTAssertEqual(claims.roles, ["service-api"])
            XCTAssertEqual(claims.clientID, "client-app")
            XCTAssertEqual(claims.expiresAt, now.addingTimeInterval(600))
        }
    }

    func testAlgorithmOutsideTheIssuersListIsRejected() async throws {
        let validator = try validator(try JWTTestIssuer.inlineSettings(algorithms: [.es256]))
        await assertRejected(try JWTTestIssuer.token(JWTTestIssuer.rsa, algorithm: .rs256, now: now), by: validator, as: .algorithmNotAllowed(.rs256))
        await assertRejected(try JWTTestIssuer.token(JWTTestIssuer.rsa, algorithm: .ps256, now: now), by: validator, as: .algorithmNotAllowed(.ps256))
    }

    func testAlgNoneIsRejected() async throws {
        let validator = try validator()
        let payload = Base64URL.encode(Array(JSONTextEncoder.encode(object: JWTTestIssuer.claims(now: now)).utf8))
        for header in [#"{"alg":"none","typ":"at+jwt"}"#, #"{"alg":"none","typ":"at+jwt","kid":"ec-1"}"#] {
            let encodedHeader = Base64URL.encode(Array(header.utf8))
            await assertRejected("\(encodedHeader).\(payload).", by: validator, as: .malformed("empty signature"))
            await assertRejected("\(encodedHeader).\(payload).AAAA", by: validator, as: .unsupportedAlgorithm)
        }
    }

    /// CVE-2016-10555: HS256 "signed" with the issuer's RSA public key as the HMAC secret. Even when an operator
    /// wrongly allows HS256, an RSA key never verifies an HMAC.
    func testHS256SignedWithTheRSAPublicKeyIsRejected() async throws {
        let publicKey = JWTTestIssuer.rsaKey.publicKey
        let secrets = [Array(publicKey.pemRepresentation.utf8), Array(publicKey.derRepresentation), Array(publicKey.pkcs1DERRepresentation)]
        let strict = try validator()
        let careless = try validator(try JWTTestIssuer.inlineSettings(algorithms: [.rs256, .hs256]))
        for secret in secrets {
            let forger = JWTTestKey(key: .symmetric(SymmetricKey(data: secret)), keyID: "rsa-1")
            let named = try JWTTestIssuer.token(forger, algorithm: .hs256, now: now)
            await assertRejected(named, by: strict, as: .algorithmNotAllowed(.hs256))
            await assertRejected(named, by: careless, as: .keyNotUsable)
            let anonymous = try JWTTestIssuer.token(forger, algorithm: .hs256, keyID: .some(nil), now: now)
            await assertRejected(anonymous, by: careless, as: .unknownKey)
        }
    }

    func testWrongKeyAndUnknownKeyID() async throws {
        let validator = try validator()
        let impostor = JWTTestKey(key: .p256(P256.Signing.PrivateKey()), keyID: "ec-1")
        await assertRejected(try JWTTestIssuer.token(impostor, now: now), by: validator, as: .badSignature)
        await assertRejected(try JWTTestIssuer.token(JWTTestIssuer.newECKey("ec-2"), now: now), by: validator, as: .unknownKey)
    }

    // MARK: - typ (RS-2)

    func testTypeMustBePresentAndAccepted() async throws {
        let validator = try validator()
        await assertRejected(try JWTTestIssuer.token(type: nil, now: now), by: validator, as: .missingType)
        await assertRejected(try JWTTestIssuer.token(type: "JWT", now: now), by: validator, as: .typeNotAccepted)
        await assertRejected(try JWTTestIssuer.token(type: "dpop+jwt", now: now), by: validator, as: .typeNotAccepted)
        for accepted in ["at+jwt", "AT+JWT", "application/at+jwt", "Application/AT+JWT"] {
            _ = try await validator.validate(try JWTTestIssuer.token(type: accepted, now: now), presentedCertificateLeafDER: nil, now: now)
        }
    }

    func testJWTTypeOnlyWhenConfigured() async throws {
        let entra = try validator(try JWTTestIssuer.inlineSettings(tokenTypes: ["jwt"]))
        _ = try await entra.validate(try JWTTestIssuer.token(type: "JWT", now: now), presentedCertificateLeafDER: nil, now: now)
        await assertRejected(try JWTTestIssuer.token(type: "at+jwt", now: now), by: entra, as: .typeNotAccepted)
        await assertRejected(try JWTTestIssuer.token(type: nil, now: now), by: entra, as: .missingType)
    }

    // MARK: - iss, aud (RS-3, RS-4)

    func testIssuerMustMatchExactly() async throws {
        let validator = try validator()
        await assertRejected(try JWTTestIssuer.token(now: now, ["iss": "https://evil.example/tenant/v2.0"]), by: validator, as: .wrongIssuer)
        await assertRejected(try JWTTestIssuer.token(now: now, ["iss": .string(JWTTestIssuer.issuer + "/")]), by: validator, as: .wrongIssuer)
        await assertRejected(try JWTTestIssuer.token(now: now, ["iss": .string(JWTTestIssuer.issuer.uppercased())]), by: validator, as: .wrongIssuer)
        await assertRejected(try JWTTestIssuer.token(now: now, ["iss": nil]), by: validator, as: .wrongIssuer)
        await assertRejected(try JWTTestIssuer.token(now: now, ["iss": 42]), by: validator, as: .invalidClaim("iss"))
    }

    func testAudienceMustContainTheAPI() async throws {
        let validator = try validator()
        await assertRejected(try JWTTestIssuer.token(now: now, ["aud": "api://other"]), by: validator, as: .wrongAudience)
        await assertRejected(try JWTTestIssuer.token(now: now, ["aud": ["api://other", "api://third"]]), by: validator, as: .wrongAudience)
        await assertRejected(try JWTTestIssuer.token(now: now, ["aud": nil]), by: validator, as: .wrongAudience)
        await assertRejected(try JWTTestIssuer.token(now: now, ["aud": ["api://other", 7]]), by: validator, as: .invalidClaim("aud"))
        let listed = try await validator.validate(
            try JWTTestIssuer.token(now: now, ["aud": ["api://other", .string(JWTTestIssuer.audience)]]), presentedCertificateLeafDER: nil, now: now)
        XCTAssertEqual(listed.audiences, ["api://other", JWTTestIssuer.audience])
    }

    // MARK: - Time (RS-6)

    func testExpiryNotBeforeAndIssuedAtWithSkew() async throws {
        let validator = try validator()
        let seconds = Int64(now.timeIntervalSince1970)
        await assertRejected(try JWTTestIssuer.token(now: now, ["exp": .integer(seconds - 61)]), by: validator, as: .expired)
        await assertRejected(try JWTTestIssuer.token(now: now, ["exp": .integer(seconds - 60)]), by: validator, as: .expired)
        _ = try await validator.validate(try JWTTestIssuer.token(now: now, ["exp": .integer(seconds - 30)]), presentedCertificateLeafDER: nil, now: now)
        await assertRejected(try JWTTestIssuer.token(now: now, ["nbf": .integer(seconds + 120)]), by: validator, as: .notYetValid)
        _ = try await validator.validate(try JWTTestIssuer.token(now: now, ["nbf": .integer(seconds + 30)]), presentedCertificateLeafDER: nil, now: now)
        await assertRejected(try JWTTestIssuer.token(now: now, ["iat": .integer(seconds + 120)]), by: validator, as: .issuedInFuture)
        await assertRejected(try JWTTestIssuer.token(now: now, ["exp": nil]), by: validator, as: .missingExpiry)
    }

    func testDatesMustBeJSONNumbers() async throws {
        let validator = try validator()
        let seconds = Int64(now.timeIntervalSince1970)
        await assertRejected(try JWTTestIssuer.token(now: now, ["exp": .string(String(seconds + 600))]), by: validator, as: .invalidClaim("exp"))
        await assertRejected(try JWTTestIssuer.token(now: now, ["nbf": .string(String(seconds))]), by: validator, as: .invalidClaim("nbf"))
        await assertRejected(try JWTTestIssuer.token(now: now, ["iat": true]), by: validator, as: .invalidClaim("iat"))
        // Fractional NumericDates are numbers too (MSAL Python sends them).
        let fractional = try await validator.validate(
            try JWTTestIssuer.token(now: now, ["exp": .double(Double(seconds) + 600.5)]), presentedCertificateLeafDER: nil, now: now)
        XCTAssertEqual(fractional.expiresAt.timeIntervalSince1970, Double(seconds) + 600.5)
    }

    // MARK: - Structure

    func testDuplicateClaimsAndNonObjectPayloadsAreMalformed() async throws {
        let validator = try validator()
        let signer = JWSSigner(key: JWTTestIssuer.ec.key)
        let header = JWSHeader(algorithm: .es256, keyID: "ec-1", type: "at+jwt")
        let exp = Int64(now.timeIntervalSince1970) + 600
        let duplicated = #"{"iss":"\#(JWTTestIssuer.issuer)","aud":"\#(JWTTestIssuer.audience)","exp":\#(exp),"sub":"user-1","sub":"admin"}"#
        let duplicatedToken = try signer.sign(payload: Array(duplicated.utf8), header: header)
        do {
            _ = try await validator.validate(duplicatedToken, presentedCertificateLeafDER: nil, now: now)
            XCTFail("accepted a claim set with a duplicate sub")
        } catch {
            guard error.code == .malformed else { return XCTFail("\(error)") }
            XCTAssertTrue(error.message.contains("appears twice"), error.message)
        }
        await assertRejected(try signer.sign(payload: Array("[1,2]".utf8), header: header), by: validator, as: .malformed("the payload is not a JSON object"))
        await assertRejected("not-a-jwt", by: validator, as: .malformed("expected 3 dot-separated parts, found 1"))
    }

    func testClaimsAreTyped() async throws {
        let validator = try validator()
        let token = try JWTTestIssuer.token(now: now, [
            "scope": nil, "scp": ["user_impersonation", "orders.read"], "client_id": nil, "azp": "entra-client",
            "azpacr": "2", "appidacr": 1, "idtyp": "app", "roles": ["a", "b"], "custom": ["nested": true],
        ])
        let claims = try await validator.validate(token, presentedCertificateLeafDER: nil, now: now)
        XCTAssertEqual(claims.scopes, ["user_impersonation", "orders.read"])
        XCTAssertEqual(claims.clientID, "entra-client")
        XCTAssertEqual(claims.azpacr, "2")
        XCTAssertEqual(claims.appidacr, "1")
        XCTAssertEqual(claims.idtyp, "app")
        XCTAssertTrue(claims.isAppOnly)
        XCTAssertEqual(claims.roles, ["a", "b"])
        XCTAssertEqual(claims.tokenID, "token-1")
        XCTAssertEqual(claims.all["custom"] as? JSONValue, ["nested": true])
        XCTAssertEqual(claims.all["azpacr"] as? JSONValue, "2")

        let appid = try await validator.validate(
            try JWTTestIssuer.token(now: now, ["client_id": nil, "appid": "v1-app", "scope": "  a  b "]), presentedCertificateLeafDER: nil, now: now)
        XCTAssertEqual(appid.clientID, "v1-app")
        XCTAssertEqual(appid.scopes, ["a", "b"])
        await assertRejected(try JWTTestIssuer.token(now: now, ["roles": "admin"]), by: validator, as: .invalidClaim("roles"))
        await assertRejected(try JWTTestIssuer.token(now: now, ["sub": 5]), by: validator, as: .invalidClaim("sub"))
    }

    // MARK: - Certificate binding (RS-8)

    func testCertificateBinding() async throws {
        let validator = try validator()
        let leaf = try JWTTestPKI.clientCertificateDER(name: "bound-client")
        let other = try JWTTestPKI.clientCertificateDER(name: "other-client")
        let bound = try JWTTestIssuer.token(now: now, ["cnf": ["x5t#S256": .string(CertificateThumbprint.sha256(certificateDER: leaf))]])

        let claims = try await validator.validate(bound, presentedCertificateLeafDER: leaf, now: now)
        XCTAssertEqual(claims.certificateThumbprintSHA256, CertificateThumbprint.sha256(certificateDER: leaf))
        await assertRejected(bound, by: validator, as: .certificateMismatch, certificate: other)
        await assertRejected(bound, by: validator, as: .certificateRequired, certificate: nil)

        let fresh = try self.validator()
        await assertRejected(bound, by: fresh, as: .certificateRequired, certificate: nil)
        await assertRejected(bound, by: fresh, as: .certificateMismatch, certificate: other)
        _ = try await fresh.validate(bound, presentedCertificateLeafDER: leaf, now: now)
    }

    func testUnsupportedConfirmationMethodsAreRejected() async throws {
        let validator = try validator()
        let leaf = try JWTTestPKI.clientCertificateDER(name: "client")
        let thumbprint = JSONValue.string(CertificateThumbprint.sha256(certificateDER: leaf))
        let jkt = JSONValue.string(Base64URL.encode([UInt8](repeating: 1, count: 32)))
        await assertRejected(try JWTTestIssuer.token(now: now, ["cnf": ["jkt": jkt]]), by: validator, as: .unsupportedConfirmation, certificate: leaf)
        await assertRejected(try JWTTestIssuer.token(now: now, ["cnf": ["x5t#S256": thumbprint, "jkt": jkt]]), by: validator, as: .unsupportedConfirmation, certificate: leaf)
        await assertRejected(try JWTTestIssuer.token(now: now, ["cnf": [:]]), by: validator, as: .unsupportedConfirmation, certificate: leaf)
        await assertRejected(try JWTTestIssuer.token(now: now, ["cnf": "x"]), by: validator, as: .invalidClaim("cnf"), certificate: leaf)
        await assertRejected(try JWTTestIssuer.token(now: now, ["cnf": ["x5t#S256": "short"]]), by: validator, as: .invalidClaim("cnf"), certificate: leaf)
    }

    func testRequiredBindingRefusesUnboundTokens() async throws {
        let validator = try validator(try JWTTestIssuer.inlineSettings(requireCertificateBinding: true))
        let leaf = try JWTTestPKI.clientCertificateDER(name: "client")
        await assertRejected(try JWTTestIssuer.token(now: now), by: validator, as: .certificateBindingRequired, certificate: leaf)
        let bound = try JWTTestIssuer.token(now: now, ["cnf": ["x5t#S256": .string(CertificateThumbprint.sha256(certificateDER: leaf))]])
        _ = try await validator.validate(bound, presentedCertificateLeafDER: leaf, now: now)
    }

    // MARK: - Cache

    func testCachedTokensAreStillCheckedForTimeAndCertificate() async throws {
        let validator = try validator()
        let leaf = try JWTTestPKI.clientCertificateDER(name: "client")
        let other = try JWTTestPKI.clientCertificateDER(name: "other")
        let token = try JWTTestIssuer.token(now: now, ["cnf": ["x5t#S256": .string(CertificateThumbprint.sha256(certificateDER: leaf))]])
        XCTAssertNil(validator.cachedResult(for: token, presentedCertificateLeafDER: leaf, now: now))
        _ = try await validator.validate(token, presentedCertificateLeafDER: leaf, now: now)

        XCTAssertEqual(try validator.cachedResult(for: token, presentedCertificateLeafDER: leaf, now: now)?.get().subject, "user-1")
        XCTAssertEqual(validator.cachedResult(for: token, presentedCertificateLeafDER: other, now: now)?.failure, .certificateMismatch)
        XCTAssertEqual(validator.cachedResult(for: token, presentedCertificateLeafDER: nil, now: now)?.failure, .certificateRequired)
        XCTAssertEqual(validator.cachedResult(for: token, presentedCertificateLeafDER: leaf, now: now.addingTimeInterval(-120))?.failure, .notYetValid)
        XCTAssertEqual(validator.cachedResult(for: token, presentedCertificateLeafDER: leaf, now: now.addingTimeInterval(3600))?.failure, .expired)
        await assertRejected(token, by: validator, as: .expired, certificate: leaf, at: now.addingTimeInterval(3600))
    }

    func testCacheIsBoundedAndEvictsTheOldestFirst() async throws {
        let validator = JWTAccessTokenValidator(settings: try JWTTestIssuer.inlineSettings(), cacheCapacity: 2)
        let tokens = try (0..<3).map { try JWTTestIssuer.token(now: now, ["jti": .string("t\($0)")]) }
        for token in tokens { _ = try await validator.validate(token, presentedCertificateLeafDER: nil, now: now) }
        XCTAssertNil(validator.cachedResult(for: tokens[0], presentedCertificateLeafDER: nil, now: now))
        XCTAssertNotNil(validator.cachedResult(for: tokens[1], presentedCertificateLeafDER: nil, now: now))
        XCTAssertNotNil(validator.cachedResult(for: tokens[2], presentedCertificateLeafDER: nil, now: now))
    }

    // MARK: - Key sources without a network

    func testFileSourceIsReReadWhenItChanges() async throws {
        let path = NSTemporaryDirectory() + "trustgate-jwks-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try JWTTestIssuer.jwks([JWTTestIssuer.ec]).write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-100)], ofItemAtPath: path)
        let validator = JWTAccessTokenValidator(settings: JWTTestIssuer.settings(.file(path: path)))
        _ = try await validator.validate(try JWTTestIssuer.token(now: now), presentedCertificateLeafDER: nil, now: now)

        let rotated = JWTTestIssuer.newECKey("ec-rotated")
        let rotatedToken = try JWTTestIssuer.token(rotated, now: now)
        await assertRejected(rotatedToken, by: validator, as: .unknownKey)

        try JWTTestIssuer.jwks([rotated]).write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: now], ofItemAtPath: path)
        _ = try await validator.validate(rotatedToken, presentedCertificateLeafDER: nil, now: now)

        // A broken rewrite keeps the last good keys.
        try "{ not json".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(5)], ofItemAtPath: path)
        _ = try await validator.validate(try JWTTestIssuer.token(rotated, now: now, ["jti": "another"]), presentedCertificateLeafDER: nil, now: now)
        let problem = await validator.keySourceProblem()
        guard problem?.code == .invalidDocument else { return XCTFail("\(String(describing: problem))") }
    }

    func testBrokenInlineKeysMakeEveryTokenFail() async throws {
        let validator = JWTAccessTokenValidator(settings: JWTTestIssuer.settings(.inline(json: #"{"keys":[]}"#)))
        await assertRejected(try JWTTestIssuer.token(now: now), by: validator, as: .keysUnavailable)
        let problem = await validator.keySourceProblem()
        XCTAssertEqual(problem, .noUsableKey)
    }
}

private extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
