public import HummingbirdCore
public import Logging
public import NIOCore

/// Hummingbird's HTTP/1.1 channel on plain TCP, giving every request its ``TrustGateConnection`` (not TLS,
/// the immediate peer's address) — what the authentication middleware needs to refuse passwords over plain
/// HTTP and to recognise a trusted TLS-terminating proxy.
public struct TrustGatePlainHTTPChannel: HTTPChannelHandler {
    public typealias Value = HTTP1Channel.Value

    private let base: HTTP1Channel
    public var responder: Responder { base.responder }

    public init(configuration: HTTP1Channel.Configuration = .init(), responder: @escaping Responder) {
        self.base = HTTP1Channel(responder: responder, configuration: configuration)
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger)
    }

    public func handle(value: Value, logger: Logger) async {
        // Once per connection (NIO caches the address); requests read the task-local.
        let connection = TrustGateConnection(isTLS: false, remoteAddress: value.channel.remoteAddress)
        await TrustGateConnection.$current.withValue(connection) {
            await base.handle(value: value, logger: logger)
        }
    }
}
