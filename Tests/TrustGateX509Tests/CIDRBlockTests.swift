import XCTest

@testable import TrustGateX509

/// The one CIDR type the gateway and the Hummingbird middleware share for trusted proxy addresses.
final class CIDRBlockTests: XCTestCase {
    func testBlocksMatchTheirAddressesOnly() throws {
        let v4 = try CIDRBlock(parsing: "10.1.0.0/16")
        XCTAssertEqual(v4.description, "10.1.0.0/16")
        XCTAssertTrue(v4.contains([10, 1, 200, 3]))
        XCTAssertFalse(v4.contains([10, 2, 0, 1]))
        // What a dual-stack socket reports for an IPv4 peer.
        XCTAssertTrue(v4.contains([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 1, 0, 9]))

        let host = try CIDRBlock(parsing: "::1")
        XCTAssertEqual(host.prefixLength, 128)
        XCTAssertEqual(host.description, "::1/128")
        XCTAssertTrue(host.contains([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))
        XCTAssertFalse(host.contains([127, 0, 0, 1]))

        // Host bits are cleared, so two spellings of one network are equal.
        XCTAssertEqual(try CIDRBlock(parsing: "192.168.7.9/24"), try CIDRBlock(parsing: "192.168.7.0/24"))
        XCTAssertTrue(try CIDRBlock(parsing: "0.0.0.0/0").contains([203, 0, 113, 5]))
        XCTAssertTrue(try CIDRBlock(parsing: "2001:db8::/32").contains(try XCTUnwrap(IPAddressText.bytes("2001:db8:ffff::1"))))
    }

    func testMalformedTextIsRefusedWithItsSpelling() {
        for text in ["10.0.0.0/33", "::/129", "example.com", "10.0.0.0/", "10.0.0.0/-1", "", "10.0.0.0/8/8"] {
            XCTAssertThrowsError(try CIDRBlock(parsing: text), text) { error in
                XCTAssertEqual(error as? CIDRBlock.ParseError, .invalid(text))
            }
        }
    }
}
