import NIOCore
import NIOHTTP1

/// Receives what an upstream connection produces for the exchange currently using it.
protocol UpstreamResponseReceiver: AnyObject {
    func upstreamReceived(_ part: HTTPClientResponsePart)
    func upstreamReadComplete()
    func upstreamWritabilityChanged(isWritable: Bool)
    /// The connection closed (or failed) while this receiver was attached.
    func upstreamClosed(error: (any Error)?)
}

/// The last handler of an upstream connection: hands response parts to the attached exchange, and holds
/// back reads while the client cannot take more (so a slow client never makes the gateway buffer a whole
/// response).
final class UpstreamResponseRelay: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    weak var receiver: (any UpstreamResponseReceiver)?
    var onCloseWhileIdle: (() -> Void)?
    private var context: ChannelHandlerContext?
    private var readsPaused = false
    private var readPending = false
    private var failure: (any Error)?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        receiver?.upstreamReceived(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        receiver?.upstreamReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        receiver?.upstreamWritabilityChanged(isWritable: context.channel.isWritable)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let receiver {
            self.receiver = nil
            receiver.upstreamClosed(error: failure)
        } else {
            onCloseWhileIdle?()
        }
        onCloseWhileIdle = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failure = error
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    func write(_ part: HTTPClientRequestPart) {
        context?.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    /// Stop (or resume) reading from the upstream socket; used while the client's side is not writable.
    func setReadsPaused(_ paused: Bool) {
        readsPaused = paused
        if !paused, readPending, let context {
            readPending = false
            context.read()
        }
    }
}
