/// How long a connector waits: for a connection (TCP and TLS), and for each attempt's whole exchange.
public struct ConnectorTimeouts: Sendable, Hashable {
    public var connect: Double
    public var request: Double

    public init(connect: Double = 10, request: Double = 30) {
        self.connect = max(0.001, connect)
        self.request = max(0.001, request)
    }
}
