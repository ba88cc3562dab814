import TrustGateJOSE
import XCTest

final class Base64URLTests: XCTestCase {
    func testRoundTripsEveryLength() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            let encoded = Base64URL.encode(bytes)
            XCTAssertFalse(encoded.contains("="))
            XCTAssertEqual(Base64URL.decode(encoded), bytes, "length \(length)")
        }
    }

    func testUsesTheURLSafeAlphabet() {
        XCTAssertEqual(Base64URL.encode([0xFB, 0xFF, 0xBF]), "-_-_")
        XCTAssertEqual(Base64URL.decode("-_-_"), [0xFB, 0xFF, 0xBF])
    }

    func testRejectsPadding() {
        XCTAssertNil(Base64URL.decode("Zm8="))
        XCTAssertNil(Base64URL.decode("Zg=="))
        XCTAssertEqual(Base64URL.decode("Zm8"), Array("fo".utf8))
    }

    func testRejectsCharactersOutsideTheAlphabet() {
        for text in ["Zm 8", "Zm+8", "Zm/8", "Zm8?", " Zm8", "Zm8\n", "Zm.8"] {
            XCTAssertNil(Base64URL.decode(text), text)
        }
    }

    func testRejectsNonCanonicalTrailingBits() {
        // "AB" decodes to 0x00 with four leftover bits 0b0001: another encoding of the same byte as "AA".
        XCTAssertNil(Base64URL.decode("AB"))
        XCTAssertEqual(Base64URL.decode("AA"), [0])
        XCTAssertNil(Base64URL.decode("AAB"))
        XCTAssertEqual(Base64URL.decode("AAE"), [0, 1])
    }

    func testRejectsImpossibleLength() {
        XCTAssertNil(Base64URL.decode("A"))
        XCTAssertNil(Base64URL.decode("AAAAA"))
    }

    func testStandardBase64RequiresCanonicalPadding() {
        XCTAssertEqual(Base64Standard.decode("Zm8="), Array("fo".utf8))
        XCTAssertEqual(Base64Standard.encode([0xFB, 0xFF]), "+/8=")
        XCTAssertNil(Base64Standard.decode("Zm8"))
        XCTAssertNil(Base64Standard.decode("Zg="))
        XCTAssertNil(Base64Standard.decode("Zh=="))
        XCTAssertNil(Base64Standard.decode("Z==="))
        XCTAssertNil(Base64Standard.decode("-_8="))
    }
}
