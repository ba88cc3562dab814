import NIOConcurrencyHelpers

/// The runtime new connections get, and the one whose *policies* judge every request — also on connections
/// opened before a reload, so a CRL or identity change reaches long-lived keep-alive connections at once
/// (their TLS and routing settings stay those they were accepted with).
final class CurrentRuntime: Sendable {
    private let box: NIOLockedValueBox<GatewayRuntime>

    init(_ runtime: GatewayRuntime) {
        box = NIOLockedValueBox(runtime)
    }

    var runtime: GatewayRuntime { box.withLockedValue { $0 } }

    func replace(with runtime: GatewayRuntime) {
        box.withLockedValue { $0 = runtime }
    }
}
