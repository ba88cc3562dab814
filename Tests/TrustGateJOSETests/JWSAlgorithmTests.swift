import TrustGateJOSE
import XCTest

final class JWSAlgorithmTests: XCTestCase {
    func testNoneIsNotAnAlgorithm() {
        XCTAssertNil(JWSAlgorithm(rawValue: "none"))
        XCTAssertNil(JWSAlgorithm(rawValue: "None"))
        XCTAssertEqual(JWSAlgorithm(rawValue: "ES256"), .es256)
    }

    func testOnlyHMACIsSymmetric() {
        XCTAssertEqual(Set(JWSAlgorithm.allCases.filter(\.isSymmetric)), [.hs256, .hs384, .hs512])
    }
}
