import Foundation
import NIOCore

/// Sheds an HTTP/1.1 client that sends its request head too slowly (slowloris): the head must be complete
/// within `timeout` of its first byte — or, when its first bytes arrived while the previous response was still
/// pending (pipelining), of that response. Otherwise the client gets `408` and the connection is closed.
///
/// The idle timeout cannot do this: every byte resets it, so one byte every few seconds held a socket, a file
/// descriptor and the parser's buffer for as long as the attacker liked.
///
/// Sits between TLS and the HTTP/1 decoder, so it sees the bytes before they are parsed; ``ProxyHandler`` tells
/// it where requests begin and end. On the keep-alive path a whole head arrives in one read and no timer is
/// ever scheduled: one clock read per request is the cost. Confined to the connection's event loop.
final class RequestHeadTimer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let timeout: TimeAmount
    private let metrics: GatewayMetrics
    private var context: ChannelHandlerContext?
    /// Request heads, request ends and responses seen so far: between requests on the read side when
    /// `heads == ends`; a response is pending while `responses < ends`.
    private var heads = 0
    private var ends = 0
    private var responses = 0
    /// When the head now being received started counting; nil: no head bytes yet.
    private var headStart: NIODeadline?
    /// Head bytes arrived while a response was pending: the clock starts when it is done.
    private var headBytesWhileResponding = false
    private var timer: Scheduled<Void>?
    /// The 408 is out and the connection closing: what the client still sends is dropped, the timer never
    /// runs again (each late byte would otherwise re-arm it and count the connection twice).
    private var timedOutAlready = false

    init(timeout: TimeInterval, metrics: GatewayMetrics) {
        self.timeout = .nanoseconds(Int64(timeout * 1_000_000_000))
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if timedOutAlready { return }
        if heads == ends, headStart == nil, !headBytesWhileResponding {
            if responses >= ends {
                // The loop's clock (the real one, or a test's virtual one).
                headStart = context.eventLoop.now
            } else {
                headBytesWhileResponding = true
            }
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // The decoder has seen this read's bytes: a head still incomplete now needs the timer.
        if let headStart, timer == nil, !timedOutAlready { arm(deadline: headStart + timeout) }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    // MARK: - Told by the proxy handler

    /// The decoder produced a request head.
    func headReceived() {
        heads += 1
        headStart = nil
        headBytesWhileResponding = false
        cancelTimer()
    }

    /// The decoder produced the end of a request.
    func requestEnded() {
        ends += 1
    }

    /// A response was written in full.
    func responseFinished() {
        responses += 1
        if headBytesWhileResponding, responses >= ends, heads == ends {
            headBytesWhileResponding = false
            guard let context else { return }
            let now = context.eventLoop.now
            headStart = now
            arm(deadline: now + timeout)
        }
    }

    // MARK: - Timing out

    private func arm(deadline: NIODeadline) {
        guard let context else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard heads == ends, headStart != nil else { return }
            timedOut()
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func timedOut() {
        guard let context, !timedOutAlready else { return }
        timedOutAlready = true
        metrics.recordConnectionClosed(.requestHeadTimeout)
        // Written below the HTTP/1 encoder (no response is in progress: the head never arrived).
        let problem = ProblemResponse(
            status: .requestTimeout, title: "Request Timeout",
            detail: "The request head did not arrive in time.", reason: "request_head_timeout")
        let body = problem.body()
        var buffer = context.channel.allocator.buffer(capacity: 160 + body.count)
        buffer.writeString(
            "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/problem+json\r\ncache-control: no-store\r\n"
                + "connection: close\r\ncontent-length: \(body.count)\r\n\r\n")
        buffer.writeBytes(body)
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
