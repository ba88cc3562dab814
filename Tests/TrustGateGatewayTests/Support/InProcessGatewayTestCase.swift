import NIOCore
import NIOPosix
import XCTest

/// A test case that drives gateways in process: a fresh test PKI and a two-thread event loop group for the
/// gateway, its upstream and the test's own clients, both torn down after each test.
class InProcessGatewayTestCase: XCTestCase {
    var pki: GatewayTestPKI!
    var group: MultiThreadedEventLoopGroup!

    override func setUpWithError() throws {
        try super.setUpWithError()
        pki = try GatewayTestPKI()
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    }

    override func tearDown() {
        try? group?.syncShutdownGracefully()
        pki?.remove()
        super.tearDown()
    }
}
