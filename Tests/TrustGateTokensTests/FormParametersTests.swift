import Foundation
import TrustGateJOSE
import XCTest

@testable import TrustGateTokens

/// TE-3's form decoding and RFC 6749 §2.3.1's Basic encoding, at the parser level.
final class FormParametersTests: XCTestCase {
    func testPlusIsSpaceAndPercentIsAByte() throws {
        let form = try FormParameters(parsing: Array("a=x+y%2Bz%20%C3%BC&b=%3D%26".utf8))
        XCTAssertEqual(form["a"], "x y+z ü")
        XCTAssertEqual(form["b"], "=&")
    }

    func testEmptyValuesAreAbsentAndRepeatsAreRefused() throws {
        let form = try FormParameters(parsing: Array("a=&b&&c=1&a=2".utf8))
        XCTAssertEqual(form["a"], "2")
        XCTAssertNil(form["b"])
        XCTAssertThrowsError(try FormParameters(parsing: Array("a=1&a=2".utf8))) { error in
            XCTAssertEqual(error as? FormParametersError, .repeated("a"))
        }
        let multi = try FormParameters(parsing: Array("resource=x&resource=y".utf8), multiValued: ["resource"])
        XCTAssertEqual(multi.all("resource"), ["x", "y"])
    }

    func testInvalidEncodingsAreRefused() {
        XCTAssertThrowsError(try FormParameters(parsing: Array("a=%".utf8)))
        XCTAssertThrowsError(try FormParameters(parsing: Array("a=%4".utf8)))
        XCTAssertThrowsError(try FormParameters(parsing: Array("a=%ZZ".utf8)))
        XCTAssertThrowsError(try FormParameters(parsing: Array("a=%FF%FE".utf8)))
    }

    func testBasicCredentialsAreFormDecoded() {
        let header = "Basic " + Data("my%3Aclient:p%40ss+word%25".utf8).base64EncodedString()
        guard case .credentials(let credentials) = BasicClientCredentials.parse(header) else { return XCTFail("not parsed") }
        XCTAssertEqual(credentials.clientID, "my:client")
        XCTAssertEqual(credentials.secret, "p@ss word%")
        guard case .credentials = BasicClientCredentials.parse("bAsIc " + Data("a:b".utf8).base64EncodedString()) else { return XCTFail("scheme is case-insensitive") }
        guard case .otherScheme = BasicClientCredentials.parse("Bearer x") else { return XCTFail("other scheme") }
        guard case .malformed = BasicClientCredentials.parse("Basic " + Data(":secret".utf8).base64EncodedString()) else { return XCTFail("empty id") }
    }

    func testThumbprintNormalisation() {
        // OAUTH-CHECKLIST CA-15 vector: SHA-1 84E05C1D98BCE3A5421D225B140B36E86A3D5534 is x5t hOBcHZi846VCHSJbFAs26Go9VTQ.
        let sha1: [UInt8] = [0x84, 0xE0, 0x5C, 0x1D, 0x98, 0xBC, 0xE3, 0xA5, 0x42, 0x1D, 0x22, 0x5B, 0x14, 0x0B, 0x36, 0xE8, 0x6A, 0x3D, 0x55, 0x34]
        XCTAssertEqual(Base64URL.encode(sha1), "hOBcHZi846VCHSJbFAs26Go9VTQ")
        XCTAssertEqual(AssertionKeySelection.normalizedThumbprint("hOBcHZi846VCHSJbFAs26Go9VTQ="), "hOBcHZi846VCHSJbFAs26Go9VTQ")
        XCTAssertEqual(AssertionKeySelection.normalizedThumbprint("ab+/cd=="), "ab-_cd")
    }

    func testNumericDates() throws {
        XCTAssertEqual(try AssertionClaims.numericDate(.double(1795420877.86), acceptDigitStrings: false), 1795420877.86)
        XCTAssertEqual(try AssertionClaims.numericDate(.string("1700000000"), acceptDigitStrings: true), 1_700_000_000)
        XCTAssertThrowsError(try AssertionClaims.numericDate(.string("1700000000"), acceptDigitStrings: false))
        XCTAssertThrowsError(try AssertionClaims.numericDate(.string("+1700000000"), acceptDigitStrings: true))
        XCTAssertThrowsError(try AssertionClaims.numericDate(.bool(true), acceptDigitStrings: true))
        XCTAssertNil(try AssertionClaims.numericDate(nil, acceptDigitStrings: true))
    }
}
