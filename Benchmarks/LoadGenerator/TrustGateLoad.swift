import ArgumentParser
import NIOCore
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct TrustGateLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trustgate-load",
        abstract: "mTLS load generator (SwiftNIO + NIOSSL) for TrustGate's performance work.",
        discussion: """
            Modes:
            new        Every request on a new TCP + TLS connection (full handshake,
                       `Connection: close`), --connections slots in a closed loop.
                       No session resumption: NIOSSL has no client session API,
                       so every handshake is a full one. Reports handshakes/s.
            keepalive  --connections persistent connections, one request in
                       flight on each (closed loop). HTTP/1.1, or HTTP/2 with
                       --http2 (ALPN h2, one stream at a time per connection).
            idle       Opens --idle-count connections (at most --connections
                       handshakes in flight); each does a full handshake and one
                       request, then stays open for --duration s or until SIGINT.
                       Prints `READY <established>` once all are settled (stderr
                       with --json) so a caller can sample the server's memory.

            Every certificate of the --cert file is sent, leaf first. The server
            is not verified unless --ca is given (then against --ca and the name
            from --server-name or the URL host). Warm-up responses are not
            counted. A refused connection or failed handshake counts as an error
            and the slot retries after 10 ms. SIGINT/SIGTERM end the run early
            and print what was measured. See Benchmarks/LoadGenerator/README.md.
            """
    )

    @Option(help: "Target URL, https://host[:port]/path.")
    var url: String

    @Option(help: "new | keepalive | idle.")
    var mode: LoadMode = .keepalive

    @Flag(help: "HTTP/2 (ALPN h2) instead of HTTP/1.1.")
    var http2 = false

    @Option(help: "Concurrent connection slots (new, keepalive); handshakes in flight while opening (idle).")
    var connections = 64

    @Option(help: "Measured seconds (new, keepalive); seconds the idle connections are held (idle).")
    var duration: Double = 8

    @Option(help: "Warm-up seconds before the measured window (not counted; ignored in idle mode).")
    var warmup: Double = 2

    @Option(help: "Client certificate chain, PEM, leaf first; every certificate in it is sent.")
    var cert: String?

    @Option(help: "Client private key, PEM.")
    var key: String?

    @Option(help: "Verify the server chain against these roots (PEM). Default: no server verification.")
    var ca: String?

    @Option(help: "SNI and name to verify the server certificate for. Default: the URL host (no SNI for an IP).")
    var serverName: String?

    @Option(help: "Event loop threads (the kit pins the load generator to one core: keep 1 there).")
    var threads = 1

    @Option(help: "Connections to open and hold in idle mode.")
    var idleCount = 1000

    @Option(help: "Seconds a connection may go without progress (connect, handshake, response) before it counts as a timeout error.")
    var timeout: Double = 10

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    func validate() throws {
        guard connections > 0 else { throw ValidationError("--connections must be at least 1") }
        guard threads > 0 else { throw ValidationError("--threads must be at least 1") }
        guard duration > 0, duration.isFinite else { throw ValidationError("--duration must be positive") }
        guard warmup >= 0, warmup.isFinite else { throw ValidationError("--warmup must not be negative") }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be positive") }
        guard idleCount >= 0 else { throw ValidationError("--idle-count must not be negative") }
        guard (cert == nil) == (key == nil) else { throw ValidationError("--cert and --key must be given together") }
        do {
            _ = try TargetURL(parsing: url)
        } catch {
            throw ValidationError("\(error)")
        }
        if let serverName, TargetURL.isIPAddressLiteral(serverName) {
            throw ValidationError("--server-name must be a DNS name (SNI cannot carry an IP address)")
        }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        OpenFileLimit.raiseToMaximum()
        let target = try TargetURL(parsing: url)
        let address = try SocketAddress.makeAddressResolvingHost(target.host, port: target.port)
        let tlsContext = try ClientTLSContext.make(
            .init(certificateChainPath: cert, privateKeyPath: key, trustRootsPath: ca, http2: http2)
        )
        let configuration = LoadConfiguration(
            target: target,
            address: address,
            mode: mode,
            http2: http2,
            connections: connections,
            threads: threads,
            warmup: Self.timeAmount(seconds: mode == .idle ? 0 : warmup),
            duration: Self.timeAmount(seconds: duration),
            idleCount: idleCount,
            timeout: Self.timeAmount(seconds: timeout),
            tlsContext: tlsContext,
            serverHostname: serverName ?? (target.isIPAddressLiteral ? nil : target.host)
        )
        let interruption = RunInterruption()
        interruption.install()
        let json = self.json
        let report = try LoadRun(configuration: configuration, interruption: interruption) { established, requested in
            // Scripts wait for this line before sampling the server's memory.
            let line = "READY \(established)\n"
            if json {
                Self.writeUnbuffered(line, to: STDERR_FILENO)
            } else {
                Self.writeUnbuffered(
                    line + "established \(established) of \(requested) connections; holding\n",
                    to: STDOUT_FILENO
                )
            }
        }.run()
        print(json ? report.json : report.text)
    }

    /// Straight to the descriptor: the line must be out before the hold starts, whatever stdio buffers.
    private static func writeUnbuffered(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, base + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    private static func timeAmount(seconds: Double) -> TimeAmount {
        .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
