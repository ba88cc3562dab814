import Foundation
import NIOHTTP1
import TrustGateAuth
import TrustGateJOSE
import XCTest

/// The `.url` key source against a real HTTPS (and plain-HTTP) server on 127.0.0.1.
final class JWTRemoteKeySetTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)
    private var pki: JWTTestPKI!
    private var server: JWTTestJWKSServer!

    override func setUp() async throws {
        pki = try JWTTestPKI()
        server = try await JWTTestJWKSServer(tls: try pki.serverTLSConfiguration())
        server.serve(try JWTTestIssuer.jwks([JWTTestIssuer.ec, JWTTestIssuer.rsa]))
    }

    override func tearDown() async throws {
        try await server?.stop()
        server = nil
    }

    private func validator(minimumRefetchInterval: TimeInterval = 30) -> JWTAccessTokenValidator {
        JWTAccessTokenValidator(settings: JWTTestIssuer.settings(
            .url(server.url, trustRoots: [pki.rootCertificate]), minimumRefetchInterval: minimumRefetchInterval))
    }

    /// Validates at `time` and asserts the outcome: nil = accepted.
    private func check(
        _ validator: JWTAccessTokenValidator, _ token: String, at time: Date, _ expected: TokenRejection?,
        file: StaticString = #filePath, line: UInt = #line
    ) async {
        do {
            _ = try await validator.validate(token, presentedCertificateLeafDER: nil, now: time)
            XCTAssertNil(expected, "accepted", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
        }
    }

    func testFetchesTheKeySetOverHTTPSFromTheConfiguredRoot() async throws {
        let validator = validator()
        await check(validator, try JWTTestIssuer.token(now: now), at: now, nil)
        await check(validator, try JWTTestIssuer.token(JWTTestIssuer.rsa, algorithm: .ps256, now: now), at: now.addingTimeInterval(1), nil)
        XCTAssertEqual(server.hits, 1, "the key set is cached")
        // After refreshInterval (3600 s) it is fetched again.
        await check(validator, try JWTTestIssuer.token(now: now.addingTimeInterval(3700)), at: now.addingTimeInterval(3700), nil)
        XCTAssertEqual(server.hits, 2)
    }

    func testUnknownKeyIDRefetchesOnceAndFindsTheRotatedKey() async throws {
        let validator = validator()
        await check(validator, try JWTTestIssuer.token(now: now), at: now, nil)
        XCTAssertEqual(server.hits, 1)

        let rotated = JWTTestIssuer.newECKey("ec-2")
        server.serve(try JWTTestIssuer.jwks([JWTTestIssuer.ec, rotated]))
        let later = now.addingTimeInterval(31)
        await check(validator, try JWTTestIssuer.token(rotated, now: later), at: later, nil)
        XCTAssertEqual(server.hits, 2)
        // Now known: no further fetch.
        await check(validator, try JWTTestIssuer.token(rotated, now: later, ["jti": "second"]), at: later, nil)
        XCTAssertEqual(server.hits, 2)
    }

    func testUnknownKeyIDsWithinTheMinimumIntervalFetchAtMostOnce() async throws {
        let validator = validator()
        await check(validator, try JWTTestIssuer.token(now: now), at: now, nil)
        let afterInterval = now.addingTimeInterval(31)
        await check(validator, try JWTTestIssuer.token(JWTTestIssuer.newECKey("made-up-1"), now: afterInterval), at: afterInterval, .unknownKey)
        XCTAssertEqual(server.hits, 2, "one refetch for the unknown kid")
        for offset in [32.0, 40, 60] {
            let time = now.addingTimeInterval(offset)
            await check(validator, try JWTTestIssuer.token(JWTTestIssuer.newECKey("made-up-\(offset)"), now: time), at: time, .unknownKey)
        }
        XCTAssertEqual(server.hits, 2, "no refetch within minimumRefetchInterval")
        let nextWindow = now.addingTimeInterval(62)
        await check(validator, try JWTTestIssuer.token(JWTTestIssuer.newECKey("made-up-2"), now: nextWindow), at: nextWindow, .unknownKey)
        XCTAssertEqual(server.hits, 3)
    }

    func testConcurrentCallersShareOneFetch() async throws {
        let validator = validator()
        let now = self.now
        let tokens = try (0..<12).map { try JWTTestIssuer.token(now: now, ["jti": .string("t\($0)")]) }
        let rejections = await withTaskGroup(of: TokenRejection?.self) { group in
            for token in tokens {
                group.addTask {
                    do throws(TokenRejection) {
                        _ = try await validator.validate(token, presentedCertificateLeafDER: nil, now: now)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var collected: [TokenRejection?] = []
            for await rejection in group { collected.append(rejection) }
            return collected
        }
        XCTAssertEqual(rejections.compactMap { $0 }, [TokenRejection]())
        XCTAssertEqual(server.hits, 1)
    }

    func testAFailedFetchKeepsTheLastGoodKeys() async throws {
        let validator = validator()
        await check(validator, try JWTTestIssuer.token(now: now), at: now, nil)
        server.fail(with: .internalServerError)
        let stale = now.addingTimeInterval(3700)
        await check(validator, try JWTTestIssuer.token(now: stale), at: stale, nil)
        XCTAssertEqual(server.hits, 2)
        let problem = await validator.keySourceProblem()
        XCTAssertEqual(problem, .httpStatus(500))
    }

    func testAServerOutsideTheTrustRootsIsRefused() async throws {
        let foreign = try JWTTestPKI(name: "Foreign")
        let validator = JWTAccessTokenValidator(settings: JWTTestIssuer.settings(.url(server.url, trustRoots: [foreign.rootCertificate])))
        await check(validator, try JWTTestIssuer.token(now: now), at: now, .keysUnavailable)
        let problem = await validator.keySourceProblem()
        guard problem?.code == .transport else { return XCTFail("\(String(describing: problem))") }
        XCTAssertEqual(server.hits, 0, "no request reaches an untrusted server")
    }

    func testAnOversizedKeySetIsRefused() async throws {
        server.serve(#"{"keys":[],"padding":""# + String(repeating: "x", count: 1 << 20) + #""}"#)
        let validator = validator()
        await check(validator, try JWTTestIssuer.token(now: now), at: now, .keysUnavailable)
        let problem = await validator.keySourceProblem()
        XCTAssertEqual(problem, .documentTooLarge(limit: 1 << 20))
    }

    func testPlainHTTPOnlyForLoopback() async throws {
        let plain = try await JWTTestJWKSServer(tls: nil)
        do {
            plain.serve(try JWTTestIssuer.jwks([JWTTestIssuer.ec]))
            let loopback = JWTAccessTokenValidator(settings: JWTTestIssuer.settings(.url(plain.plainURL, trustRoots: [])))
            await check(loopback, try JWTTestIssuer.token(now: now), at: now, nil)
            XCTAssertEqual(plain.hits, 1)
        } catch {
            try await plain.stop()
            throw error
        }
        try await plain.stop()

        for text in ["http://issuer.example/jwks", "http://10.0.0.1/jwks", "ftp://127.0.0.1/jwks", "http://127.0.0.1.example/jwks"] {
            let url = try XCTUnwrap(URL(string: text))
            let remote = JWTAccessTokenValidator(settings: JWTTestIssuer.settings(.url(url, trustRoots: [])))
            await check(remote, try JWTTestIssuer.token(now: now), at: now, .keysUnavailable)
            let problem = await remote.keySourceProblem()
            XCTAssertEqual(problem, .insecureURL, text)
        }
    }
}
