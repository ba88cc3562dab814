import NIOCore
import NIOSSL
import NIOTLS

/// Drives one HTTP/1.1 connection for its slot: sends the pre-encoded request once the TLS handshake is done,
/// parses the response, and asks the slot what comes next (another request, close, or hold the connection idle).
final class HTTP1LoadHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        case handshaking
        case awaitingResponse
        case betweenRequests
        case holding
        case finished
    }

    private let slot: ConnectionSlot
    private let generation: Int
    private let request: ByteBuffer
    private var parser = HTTP1ResponseParser()
    private var phase = Phase.handshaking

    init(slot: ConnectionSlot, generation: Int, request: ByteBuffer) {
        self.slot = slot
        self.generation = generation
        self.request = request
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent, case .handshaking = phase {
            slot.handshakeCompleted(generation: generation)
            sendRequest(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .awaitingResponse = phase else { return }  // nothing was asked for: ignore
        var buffer = unwrapInboundIn(data)
        do {
            if let response = try parser.feed(&buffer) {
                handle(response, context: context)
            }
        } catch {
            fail(.io, error, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch phase {
        case .handshaking:
            slot.connectionFailed(generation: generation, kind: .tls, error: LoadConnectionError.closedDuringHandshake)
        case .awaitingResponse:
            if let response = parser.finishAtEndOfStream() {
                _ = slot.responseCompleted(
                    generation: generation,
                    status: response.status,
                    serverCloses: true
                )
            } else {
                slot.connectionFailed(
                    generation: generation,
                    kind: .io,
                    error: LoadConnectionError.closedBeforeResponseComplete
                )
            }
        case .betweenRequests, .holding, .finished:
            break
        }
        phase = .finished
        slot.connectionClosed(generation: generation)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .awaitingResponse = phase, case .uncleanShutdown = error as? NIOSSLError,
            let response = parser.finishAtEndOfStream()
        {
            // A body delimited by the end of the connection, and a server that closed without close_notify (common):
            // the response is complete, only the TLS goodbye is missing.
            phase = .finished
            _ = slot.responseCompleted(generation: generation, status: response.status, serverCloses: true)
            context.close(promise: nil)
            return
        }
        let handshakeCompleted: Bool
        switch phase {
        case .handshaking: handshakeCompleted = false
        case .finished:
            context.close(promise: nil)
            return
        default: handshakeCompleted = true
        }
        fail(LoadErrorKind.classify(error, handshakeCompleted: handshakeCompleted), error, context: context)
    }

    private func sendRequest(context: ChannelHandlerContext) {
        slot.requestWillBeSent(generation: generation)
        phase = .awaitingResponse
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
    }

    private func handle(_ response: HTTP1ResponseParser.Response, context: ChannelHandlerContext) {
        phase = .betweenRequests
        switch slot.responseCompleted(
            generation: generation,
            status: response.status,
            serverCloses: response.closesConnection
        ) {
        case .sendRequest:
            sendRequest(context: context)
        case .close:
            phase = .finished
            context.close(promise: nil)
        case .hold:
            phase = .holding
        }
    }

    private func fail(_ kind: LoadErrorKind, _ error: any Error, context: ChannelHandlerContext) {
        phase = .finished
        slot.connectionFailed(generation: generation, kind: kind, error: error)
        context.close(promise: nil)
    }
}
