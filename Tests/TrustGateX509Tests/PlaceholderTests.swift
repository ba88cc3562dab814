import XCTest
@testable import TrustGateX509
final class PlaceholderTests: XCTestCase { func testNothing() {} }
