import NIOCore
import NIOEmbedded
import XCTest
@testable import TrustGateGateway

/// ``RequestHeadTimer`` on an `EmbeddedChannel`, its clock advanced by hand: no network, no waiting.
final class RequestHeadTimerTests: XCTestCase {
    /// Holds `close` back, as NIOSSL does while it waits for the client's close_notify: the connection stays
    /// readable for a while after the gateway decided to close it.
    private final class DelayedClose: ChannelOutboundHandler {
        typealias OutboundIn = NIOAny
        func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
            promise?.succeed(())
        }
    }

    private func channel(timeout: TimeInterval, metrics: GatewayMetrics) throws -> (EmbeddedChannel, RequestHeadTimer) {
        let timer = RequestHeadTimer(timeout: timeout, metrics: metrics)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(DelayedClose())
        try channel.pipeline.syncOperations.addHandler(timer)
        return (channel, timer)
    }

    private func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    private func closedByHeadTimeout(_ metrics: GatewayMetrics) -> Bool {
        metrics.render().contains(#"trustgate_client_connections_closed_total{reason="request_head_timeout"} 1"#)
    }

    func testAnIncompleteHeadGets408OnceAtItsDeadline() throws {
        let metrics = GatewayMetrics()
        let (channel, _) = try channel(timeout: 1, metrics: metrics)
        try channel.writeInbound(channel.allocator.buffer(string: "GET / HTTP/1.1\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(999))
        XCTAssertEqual(try written(channel), "")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        let response = try written(channel)
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), response)
        XCTAssertTrue(response.contains("connection: close\r\n"), response)
        XCTAssertTrue(response.contains("\"reason\":\"request_head_timeout\""), response)
        // The client keeps sending while the close is under way: nothing is passed on, nothing answered twice.
        XCTAssertEqual(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) }, "GET / HTTP/1.1\r\n")
        try channel.writeInbound(channel.allocator.buffer(string: "X-Late: 1\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        XCTAssertEqual(try written(channel), "")
        XCTAssertNil(try channel.readInbound(as: ByteBuffer.self), "bytes after the 408 reached the decoder")
        XCTAssertTrue(closedByHeadTimeout(metrics), metrics.render())
    }

    func testTheClockStopsAtTheHeadAndRestartsWithTheNextOne() throws {
        let metrics = GatewayMetrics()
        let (channel, timer) = try channel(timeout: 1, metrics: metrics)
        try channel.writeInbound(channel.allocator.buffer(string: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        timer.headReceived()
        timer.requestEnded()
        // The response takes long (the upstream): no head is pending, no timeout.
        channel.embeddedEventLoop.advanceTime(by: .seconds(3))
        XCTAssertEqual(try written(channel), "")
        // A pipelined head's first bytes arrive while the response is pending: its clock starts with the response.
        try channel.writeInbound(channel.allocator.buffer(string: "GET /2 HT"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(3))
        XCTAssertEqual(try written(channel), "")
        timer.responseFinished()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(999))
        XCTAssertEqual(try written(channel), "")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        XCTAssertTrue(try written(channel).hasPrefix("HTTP/1.1 408"))
        XCTAssertTrue(closedByHeadTimeout(metrics))
    }

    func testAnIdleKeepAliveConnectionIsNotTheHeadTimersBusiness() throws {
        let metrics = GatewayMetrics()
        let (channel, timer) = try channel(timeout: 1, metrics: metrics)
        try channel.writeInbound(channel.allocator.buffer(string: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        timer.headReceived()
        timer.requestEnded()
        timer.responseFinished()
        // Silence after a response: the idle timeout's job, not this one's.
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        XCTAssertEqual(try written(channel), "")
        XCTAssertFalse(metrics.render().contains(#"reason="request_head_timeout"} 1"#))
    }
}
