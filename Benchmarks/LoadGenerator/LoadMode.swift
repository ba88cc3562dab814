import ArgumentParser

/// What one connection slot does with its connections.
enum LoadMode: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// One request per connection: TCP connect, full TLS handshake, one request with `Connection: close`.
    case new
    /// Persistent connections, one request in flight on each (closed loop).
    case keepalive
    /// Connections that do one handshake and one request, then stay open without traffic.
    case idle
}
