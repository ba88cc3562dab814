import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOTLS

/// Drives one HTTP/2 connection for its slot, one stream at a time, on raw frames: a stream is just a HEADERS frame
/// with END_STREAM and the frames that answer it, with no per-stream child channel.
///
/// Without NIOHTTP2's stream multiplexer nobody else returns flow-control credit, so this handler does: it
/// advertises a 16 MiB stream window (one response per stream never needs more credit; a larger response would
/// stall) and sends connection-level WINDOW_UPDATEs for the DATA it received.
final class HTTP2LoadHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    static let initialSettings: HTTP2Settings = [
        HTTP2Setting(parameter: .enablePush, value: 0),
        HTTP2Setting(parameter: .maxConcurrentStreams, value: 100),
        HTTP2Setting(parameter: .initialWindowSize, value: 1 << 24),
        HTTP2Setting(parameter: .maxHeaderListSize, value: 1 << 16),
    ]
    /// Connection credit is returned in batches of at least this much.
    private static let windowUpdateThreshold = 1 << 15

    private enum Phase {
        case handshaking
        case awaitingResponse
        case betweenRequests
        case holding
        case finished
    }

    private let slot: ConnectionSlot
    private let generation: Int
    private let headers: HPACKHeaders
    private var phase = Phase.handshaking
    private var nextStreamID: Int32 = 1
    private var currentStreamID = HTTP2StreamID.rootStream
    private var status = 0
    private var unreturnedConnectionCredit = 0
    private var serverGoingAway = false

    init(slot: ConnectionSlot, generation: Int, headers: HPACKHeaders) {
        self.slot = slot
        self.generation = generation
        self.headers = headers
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let negotiated) = event as? TLSUserEvent, case .handshaking = phase {
            slot.handshakeCompleted(generation: generation)
            if negotiated == "h2" {
                sendRequest(context: context)
            } else {
                fail(.tls, LoadConnectionError.alpnNotH2(negotiated: negotiated), context: context)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.payload {
        case .headers(let headers) where frame.streamID == currentStreamID:
            if status == 0 || (100..<200).contains(status) {
                status = headers.headers.first(name: ":status").flatMap { Int($0) } ?? 0
            }
            if headers.endStream { streamCompleted(context: context) }
        case .data(let data):
            unreturnedConnectionCredit += data.data.readableBytes + (data.paddingBytes.map { $0 + 1 } ?? 0)
            if unreturnedConnectionCredit >= Self.windowUpdateThreshold {
                let increment = unreturnedConnectionCredit
                unreturnedConnectionCredit = 0
                context.writeAndFlush(
                    wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: increment))),
                    promise: nil
                )
            }
            if frame.streamID == currentStreamID && data.endStream { streamCompleted(context: context) }
        case .rstStream(let code) where frame.streamID == currentStreamID:
            if case .awaitingResponse = phase {
                fail(.io, LoadConnectionError.streamReset(code: "\(code)"), context: context)
            }
        case .goAway(let lastStreamID, _, _):
            serverGoingAway = true
            if case .awaitingResponse = phase, currentStreamID > lastStreamID {
                fail(.io, LoadConnectionError.goAwayBeforeResponse, context: context)
            }
        default:
            break  // SETTINGS and PING are answered by NIOHTTP2Handler itself
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch phase {
        case .handshaking:
            slot.connectionFailed(generation: generation, kind: .tls, error: LoadConnectionError.closedDuringHandshake)
        case .awaitingResponse:
            slot.connectionFailed(
                generation: generation,
                kind: .io,
                error: LoadConnectionError.closedBeforeResponseComplete
            )
        case .betweenRequests, .holding, .finished:
            break
        }
        phase = .finished
        slot.connectionClosed(generation: generation)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
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
        guard nextStreamID < Int32.max - 2 else {
            // Stream IDs exhausted after a billion requests: a fresh connection continues.
            phase = .finished
            context.close(promise: nil)
            return
        }
        currentStreamID = HTTP2StreamID(nextStreamID)
        nextStreamID += 2
        status = 0
        slot.requestWillBeSent(generation: generation)
        phase = .awaitingResponse
        let frame = HTTP2Frame(streamID: currentStreamID, payload: .headers(.init(headers: headers, endStream: true)))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    private func streamCompleted(context: ChannelHandlerContext) {
        guard case .awaitingResponse = phase else { return }
        phase = .betweenRequests
        switch slot.responseCompleted(generation: generation, status: status, serverCloses: serverGoingAway) {
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
