/// Failures a connection detects itself (as opposed to errors raised by the channel).
enum LoadConnectionError: Error, CustomStringConvertible {
    case closedDuringHandshake
    case closedBeforeResponseComplete
    case noProgress(seconds: Double)
    case alpnNotH2(negotiated: String?)
    case streamReset(code: String)
    case goAwayBeforeResponse

    var description: String {
        switch self {
        case .closedDuringHandshake: return "connection closed during the TLS handshake"
        case .closedBeforeResponseComplete: return "connection closed before the response was complete"
        case .noProgress(let seconds): return "no progress for \(seconds) s"
        case .alpnNotH2(let negotiated): return "server did not select h2 by ALPN (got \(negotiated ?? "none"))"
        case .streamReset(let code): return "stream reset by the server (\(code))"
        case .goAwayBeforeResponse: return "server sent GOAWAY before answering the request"
        }
    }
}
