import Foundation
import TrustGateJOSE
import XCTest

/// Runs Wycheproof's `json_web_signature_test.json` (C2SP/wycheproof testvectors_v1) through `JWSVerifier`:
/// every `invalid` vector must be rejected, every `valid` one accepted unless listed below with the reason.
final class WycheproofJWSTests: XCTestCase {
    /// Valid vectors TrustGate deliberately rejects. Each is asserted to be rejected, so the list cannot go stale.
    static let deliberatelyUnsupported: [Int: String] = [
        346: "RFC 7520 Figure 20 is a PS384 JWS, but Wycheproof gave the key \"alg\":\"PS256\"; a JWK's alg binds "
            + "the key to that algorithm (RFC 7517 §4.4), which the ps512 UsingRS*/UsingPS* vectors require",
        350: "Figure 20 again (key_ops variant), same PS256-bound key for a PS384 JWS",
        347: "RFC 7520 Figure 27 (ES512): Wycheproof gave the key \"alg\":\"ES521\", not a registered algorithm, so the "
            + "key is bound to an algorithm TrustGate does not know and verifies nothing",
        351: "Figure 27 again (key_ops variant), same ES521-bound key",
        372: "a '?' inside the header segment: strict base64url (RFC 7515 §2) refuses characters outside the "
            + "alphabet, and the MAC was computed over the segment without it",
        373: "a '?' inside the payload segment: same strict base64url rule",
    ]

    /// `invalid` vectors whose JWS text is byte-for-byte a `valid` vector of the same group with the same key: no
    /// verifier can both accept and reject the same input. Upstream lost the `=` padding these were meant to carry.
    static let contradictoryInvalid: [Int: String] = [
        367: "invalidBase64Padding: identical to valid tcId 357",
        370: "invalidBase64PaddingInPayload: identical to valid tcId 357",
    ]

    static var vectorFile: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("shared/wycheproof/json_web_signature_test.json")
    }

    func testEveryInvalidVectorIsRejectedAndValidOnesAccepted() throws {
        let file = Self.vectorFile
        guard FileManager.default.fileExists(atPath: file.path) else {
            print("NOTICE: Wycheproof vectors not found at \(file.path); skipping")
            throw XCTSkip("Wycheproof vectors not found at \(file.path)")
        }
        let document = try XCTUnwrap(try StrictJSONParser.parse(Data(contentsOf: file)).objectValue)
        let groups = try XCTUnwrap(document["testGroups"]?.arrayValue)

        var validAccepted = 0, validTotal = 0, invalidRejected = 0, invalidTotal = 0
        var skippedValid: [Int] = [], contradictory: [Int] = []
        var everyID = Set<Int>()

        for group in groups {
            let groupObject = try XCTUnwrap(group.objectValue)
            // Asymmetric groups verify with the public JWK; HMAC groups only have the secret.
            let keyObject = try XCTUnwrap(groupObject["public"]?.objectValue ?? groupObject["private"]?.objectValue)
            let key = Result { try JSONWebKey(jsonObject: keyObject) }
            let tests = try XCTUnwrap(groupObject["tests"]?.arrayValue).compactMap(\.objectValue)
            let validTexts = Set(tests.filter { $0["result"]?.stringValue == "valid" }.compactMap { $0["jws"]?.stringValue })

            for test in tests {
                let id = Int(try XCTUnwrap(test["tcId"]?.numberValue?.integerValue))
                everyID.insert(id)
                let comment = test["comment"]?.stringValue ?? ""
                let jws = try XCTUnwrap(test["jws"]?.stringValue)
                let result = try XCTUnwrap(test["result"]?.stringValue)
                let accepted: Bool
                if case .success(let key) = key {
                    accepted = (try? JWSVerifier.verify(jws, keys: [key], allowedAlgorithms: Set(JWSAlgorithm.allCases))) != nil
                } else {
                    accepted = false
                }

                switch result {
                case "valid":
                    validTotal += 1
                    if Self.deliberatelyUnsupported[id] != nil {
                        XCTAssertFalse(accepted, "tcId \(id) (\(comment)) is listed as unsupported but was accepted")
                        skippedValid.append(id)
                    } else {
                        XCTAssertTrue(accepted, "valid tcId \(id) (\(comment)) was rejected")
                        if accepted { validAccepted += 1 }
                    }
                case "invalid":
                    invalidTotal += 1
                    if validTexts.contains(jws) {
                        XCTAssertNotNil(Self.contradictoryInvalid[id], "tcId \(id) (\(comment)) is identical to a valid vector but not documented")
                        contradictory.append(id)
                    } else {
                        XCTAssertFalse(accepted, "INVALID tcId \(id) (\(comment)) was ACCEPTED")
                        if !accepted { invalidRejected += 1 }
                    }
                default:
                    XCTFail("tcId \(id): unexpected result \(result)")
                }
            }
        }
        XCTAssertTrue(Set(Self.deliberatelyUnsupported.keys).isSubset(of: everyID))
        XCTAssertEqual(Set(contradictory), Set(Self.contradictoryInvalid.keys))
        print("Wycheproof JWS: \(validAccepted)/\(validTotal) valid accepted (\(skippedValid.count) deliberately unsupported: "
            + "\(skippedValid.sorted())), \(invalidRejected)/\(invalidTotal) invalid rejected (\(contradictory.count) "
            + "contradictory, identical to valid vectors: \(contradictory.sorted())), "
            + "\(invalidTotal - invalidRejected - contradictory.count) invalid accepted")
    }
}
