import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import TrustGateAuth
import TrustGateTokens
import TrustGateX509

/// Handles the requests of one HTTP/1.1 connection or one HTTP/2 stream: decides (route, host, client
/// certificate), then streams the request to a pooled upstream connection and the response back, with
/// back-pressure both ways — reads stop on one side while the other cannot take more, so memory stays flat
/// whatever the body size.
final class ProxyHandler: ChannelDuplexHandler, RemovableChannelHandler, UpstreamResponseReceiver {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let connection: DownstreamConnectionState
    private let isHTTP2: Bool
    private var context: ChannelHandlerContext?
    private var exchange: ProxyExchange?
    private var readsPaused = false
    private var readPending = false
    /// HTTP/1.1 request parts that arrived while an earlier request was still being answered.
    private var queued: [HTTPServerRequestPart] = []
    /// The server is shutting down: close after the response in progress.
    private var quiescing = false
    /// The connection (HTTP/1.1) or stream (HTTP/2) is being closed — after a refusal, `Connection: close` or
    /// a timeout: whatever the client still sends is read and discarded, never acted on.
    private var closing = false
    /// HTTP/1.1: the head timer below the decoder, told where requests begin and end.
    private let headTimer: RequestHeadTimer?
    /// Watches a request body in progress (``ClientConnectionLimits/requestBodyTimeout``).
    private var bodyTimer: Scheduled<Void>?

    init(connection: DownstreamConnectionState, isHTTP2: Bool, headTimer: RequestHeadTimer? = nil) {
        self.connection = connection
        self.isHTTP2 = isHTTP2
        self.headTimer = headTimer
    }

    private var runtime: GatewayRuntime { connection.runtime }

    /// Upstream outcome labels by status class, so the hot path formats nothing.
    private static let statusClasses = ["0xx", "1xx", "2xx", "3xx", "4xx", "5xx"]

    /// Answers after which an HTTP/1.1 connection is closed even if the client asked to keep it, as nginx
    /// does: the client is broken or probing (framing, sizes), and its parser state is not worth keeping.
    private static let closingStatuses: Set<UInt> = [400, 408, 413, 414, 431, 500, 501]

    /// How long a plain-TCP connection keeps reading (and discarding) after its output was shut down, so
    /// that a client still sending does not get a reset that destroys the response in its receive buffer
    /// (nginx's lingering close, `lingering_time`; shorter because only a refusal is being delivered).
    private static let lingeringClose: TimeAmount = .seconds(1)

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        abandonExchange()
        cancelBodyTimer()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        abandonExchange()
        cancelBodyTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if closing { return }
        let part = unwrapInboundIn(data)
        if let headTimer {
            switch part {
            case .head: headTimer.headReceived()
            case .end: headTimer.requestEnded()
            case .body: break
            }
        }
        // HTTP/1.1 pipelining: a request that arrives while the previous one is still being answered waits
        // here (reads paused) — NIO's HTTPServerPipelineHandler would instead stop reading after *every*
        // request, two epoll changes per request on the keep-alive path.
        if !isHTTP2, !queued.isEmpty || (exchange?.requestEnded ?? false) {
            queued.append(part)
            pauseReads()
            return
        }
        handle(part, context: context)
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            receiveHead(head, context: context)
        case .body(let buffer):
            guard let exchange else { return }
            exchange.bodyBytes += buffer.readableBytes
            switch exchange.phase {
            case .deciding, .connecting:
                exchange.buffered.append(.body(.byteBuffer(buffer)))
            case .proxying:
                exchange.upstream?.relay.write(.body(.byteBuffer(buffer)))
            case .serving:
                collectLocalBody(buffer, exchange: exchange)
            case .local, .finished:
                break
            }
        case .end(let trailers):
            guard let exchange else { return }
            exchange.requestEnded = true
            cancelBodyTimer()
            switch exchange.phase {
            case .deciding, .connecting:
                // Judged when the route is known (``attach``): a route's principal names are removed too.
                exchange.buffered.append(.end(trailers))
            case .proxying:
                guard let trailers = forwardableTrailers(trailers, exchange: exchange) else { return }
                exchange.upstream?.relay.write(.end(trailers))
                exchange.upstream?.relay.flush()
                startResponseTimer(exchange)
            case .serving:
                dispatchTokenRequest(exchange)
            case .local, .finished:
                break
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let exchange {
            if exchange.phase == .proxying {
                exchange.upstream?.relay.flush()
            }
            // A body is still coming: note its progress (one clock read per read, uploads only).
            if !exchange.requestEnded, !closing { watchBody(exchange) }
        }
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        exchange?.upstream?.relay.setReadsPaused(!context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !isHTTP2, connection.isTLS {
            PendingAlertFlusher.flush(after: error, pipeline: context.pipeline.syncOperations)
        }
        if !isHTTP2, !closing, error is HTTPParserError {
            // Unparseable bytes (a smuggling probe, a forbidden trailer field): NIO's protocol error handler
            // has written its 400 ahead of this handler; the connection ends now, not at the idle timeout.
            abandonExchange()
            closeConnection(context)
        }
        context.fireErrorCaught(error)
    }

    private func pauseReads() {
        readsPaused = true
    }

    private func resumeReads() {
        if readsPaused, let exchange, !exchange.requestEnded {
            // Time the gateway was not reading is not the client's: the body clock restarts.
            exchange.restartBodyClock(at: .now())
        }
        readsPaused = false
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    // MARK: - Deciding

    private func receiveHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        if exchange != nil { abandonExchange() }
        let exchange = ProxyExchange(head: head, closeAfterResponse: !isHTTP2 && !head.isKeepAlive)
        self.exchange = exchange

        let target: RequestTarget
        do {
            target = try RequestTarget(parsing: head.uri)
        } catch {
            respondLocally(.badRequest("The request path is not acceptable: dot segments, encoded separators and control characters are refused.", reason: "invalid_path"))
            return
        }
        exchange.path = target.path

        let listener = connection.listener
        var host = connection.host
        let hosts = head.headers["host"]
        if hosts.count > 1 {
            // RFC 9112 §3.2: the gateway and the upstream could each believe a different one.
            respondLocally(.badRequest("The request has more than one Host header.", reason: "invalid_host"))
            return
        }
        let authority = hosts.first
        if authority == nil, !isHTTP2, head.version.minor >= 1 {
            respondLocally(.badRequest("HTTP/1.1 requests need a Host header.", reason: "missing_host"))
            return
        }
        if let field = ConnectionHeader.nominatedFramingField(in: head.headers) {
            // A proxy obeying it would hand the upstream a body framed differently from what was read here.
            respondLocally(.badRequest("The Connection header names the framing field \(field), which the next hop must keep.", reason: "invalid_connection_header"))
            return
        }
        var hostName = connection.serverName ?? host.displayName
        if let authority {
            let (name, index) = connection.hostIndex(forAuthority: authority)
            hostName = name
            if let index {
                if listener.isTLS {
                    // The certificate settings in force are the SNI host's; a request for another configured
                    // host on this connection would bypass that host's own settings (emissary #3340).
                    if index != connection.host.index {
                        runtime.logger.info("request for another host than the TLS handshake selected", metadata: [
                            "peer": "\(connection.remoteAddressText)", "sni": "\(connection.serverName ?? "-")", "host": "\(hostName)",
                            "reason": "sni_host_mismatch",
                        ])
                        respondLocally(.misdirected(host: hostName))
                        return
                    }
                } else {
                    host = listener.hosts[index]
                }
            }
        }
        exchange.hostName = hostName
        exchange.target = target

        // The token service judges client certificates with each client's own registration (a self-signed
        // certificate is a valid credential there), so its paths are answered before the host's policy runs.
        if let tokenService = runtime.tokenService, tokenService.serves(listener: listener.index, host: host.index),
           let endpoint = tokenService.service.endpoint(forPath: target.path)
        {
            serveTokenService(exchange: exchange, endpoint: endpoint, service: tokenService.service, host: host, context: context)
            return
        }

        let excluded = host.excludedPaths.contains(target.matchPath)
        let presented: PresentedCertificateChain?
        switch certificateSource(head: head, host: host) {
        case .none:
            presented = nil
        case .chain(let chain):
            presented = chain
        case .invalid(let detail):
            respondLocally(.badRequest(detail, reason: "invalid_forwarded_certificate"))
            return
        }
        exchange.presented = presented

        guard let presented, let policy = connection.currentPolicy(for: host) else {
            decide(exchange: exchange, host: host, excluded: excluded, verdict: nil)
            return
        }
        if let verdict = policy.cachedVerdict(presented) {
            decide(exchange: exchange, host: host, excluded: excluded, verdict: verdict)
            return
        }
        // Cold verdict (first request of a resumed session, expired cache entry): evaluated off the loop
        // while the request waits with reads paused.
        exchange.phase = .deciding
        pauseReads()
        let eventLoop = context.eventLoop
        let bound = NIOLoopBound((self, exchange, host), eventLoop: eventLoop)
        Task {
            let verdict = await policy.evaluate(presented)
            eventLoop.execute {
                let (handler, exchange, host) = bound.value
                guard handler.exchange === exchange, exchange.phase == .deciding else { return }
                handler.decide(exchange: exchange, host: host, excluded: excluded, verdict: verdict)
            }
        }
    }

    /// The host's own rule is applied before any route is looked up, so a client without an acceptable
    /// certificate learns nothing about which paths or methods exist; then the route's.
    private func decide(exchange: ProxyExchange, host: HostRuntime, excluded: Bool, verdict: CertificateVerdict?) {
        exchange.verdict = verdict
        if let denial = RequestAuthorization.hostDenial(mode: host.mode, excluded: excluded, verdict: verdict) {
            apply(denial, exchange: exchange)
            return
        }
        guard let target = exchange.target else { return }
        switch runtime.routes.match(listener: connection.listener.index, host: host.index, path: target.matchPath, method: exchange.head.method.rawValue) {
        case .route(let route):
            exchange.route = route
            apply(RequestAuthorization.decide(mode: host.mode, excluded: excluded, route: route, verdict: verdict), exchange: exchange)
        case .methodNotAllowed(let allowed):
            respondLocally(.methodNotAllowed(allowed: allowed))
        case .noRoute:
            respondLocally(.notFound)
        }
    }

    private enum CertificateSource {
        case none
        case chain(PresentedCertificateChain)
        case invalid(String)
    }

    private func certificateSource(head: HTTPRequestHead, host: HostRuntime) -> CertificateSource {
        guard host.mode != .ignore || connection.certificateIdentifiesProxy else { return .none }
        if let proxies = connection.listener.trustedProxies, connection.certificateIdentifiesProxy {
            guard connection.proxyIsAuthenticated(pins: proxies.proxySPKISHA256) else { return .none }
            guard host.mode != .ignore else { return .none }
            do {
                let chain = try ForwardedCertificateHeader.chain(format: proxies.format) { name in head.headers[name] }
                return chain.map { .chain(PresentedCertificateChain(derCertificates: $0)) } ?? .none
            } catch {
                return .invalid("The client certificate forwarded by the proxy could not be read.")
            }
        }
        return connection.presentedChain.map { .chain($0) } ?? .none
    }

    private func apply(_ decision: RequestAuthorization.Decision, exchange: ProxyExchange) {
        exchange.verdictLabel = exchange.verdict.map { $0.codes.first?.rawValue ?? "accepted" } ?? "none"
        switch decision {
        case .deny(let code, let detail):
            exchange.verdictLabel = code.rawValue
            runtime.metrics.recordVerdict(code.rawValue)
            if exchange.verdict != nil, let leaf = exchange.presented?.derCertificates.first {
                exchange.certificateSHA256 = CertificateFingerprints.upperHex(Array(SHA256.hash(data: leaf)))
            }
            respondLocally(.certificateDenied(reason: code.rawValue, detail: detail))
        case .allow(let accepted):
            runtime.metrics.recordVerdict(accepted == nil ? "none" : "accepted")
            if let accepted, let presented = exchange.presented {
                let strings = connection.strings(for: accepted, presented: presented)
                exchange.certificateSubject = strings.subject
                exchange.certificateSHA256 = strings.sha256Hex
            }
            if let authentication = exchange.route?.authentication {
                authenticate(exchange: exchange, authentication: authentication, certificate: accepted)
            } else {
                startUpstream(exchange: exchange, certificate: accepted, principal: nil)
            }
        }
    }

    // MARK: - The token service

    private func serveTokenService(exchange: ProxyExchange, endpoint: TokenServiceEndpoint, service: TokenService, host: HostRuntime, context: ChannelHandlerContext) {
        let evidence: ClientCertificateEvidence?
        switch certificateSource(head: exchange.head, host: host) {
        case .none:
            evidence = nil
        case .chain(let chain):
            let source: ClientCertificateEvidence.Source = connection.certificateIdentifiesProxy
                ? .forwardedHeader(connection.listener.trustedProxies?.format ?? .rfc9440) : .tlsConnection
            evidence = ClientCertificateEvidence(chain: chain, source: source)
        case .invalid(let detail):
            respondLocally(.badRequest(detail, reason: "invalid_forwarded_certificate"))
            return
        }
        exchange.phase = .serving
        exchange.localRouteName = "token_service"
        exchange.localService = LocalServiceCall(
            service: service, endpoint: endpoint, clientCertificate: evidence, isSecureTransport: credentialsTravelledOverTLS(exchange),
            bodyLimit: service.settings.maximumBodyLength, body: context.channel.allocator.buffer(capacity: 0))
        if exchange.head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: exchange.head.version, status: .continue))), promise: nil)
        }
    }

    private func collectLocalBody(_ buffer: ByteBuffer, exchange: ProxyExchange) {
        guard var call = exchange.localService else { return }
        guard call.body.readableBytes + buffer.readableBytes <= call.bodyLimit else {
            exchange.localService = nil
            respondLocally(ProblemResponse(
                status: .payloadTooLarge, title: "Payload Too Large",
                detail: "The request body is larger than this endpoint reads (\(call.bodyLimit) bytes).", reason: "body_too_large"))
            return
        }
        var buffer = buffer
        call.body.writeBuffer(&buffer)
        exchange.localService = call
    }

    /// The whole request is in: the service answers off the event loop (it may sign, verify and write the
    /// replay store), then the answer is written here.
    private func dispatchTokenRequest(_ exchange: ProxyExchange) {
        guard let context, let call = exchange.localService else { return }
        exchange.localService = nil
        let head = exchange.head
        let request = TokenRequest(
            method: head.method.rawValue, path: exchange.target?.path ?? head.uri,
            contentType: head.headers["content-type"].first, authorization: head.headers["authorization"],
            body: Array(call.body.readableBytesView), clientCertificate: call.clientCertificate,
            isSecureTransport: call.isSecureTransport)
        pauseReads()
        let eventLoop = context.eventLoop
        let bound = NIOLoopBound((self, exchange), eventLoop: eventLoop)
        Task {
            let response = await call.service.handle(request, at: call.endpoint)
            eventLoop.execute {
                let (handler, exchange) = bound.value
                guard handler.exchange === exchange, exchange.phase == .serving else { return }
                if let refusal = response.refusal {
                    handler.runtime.metrics.recordTokenRefusal(error: refusal.error, reason: refusal.reason)
                    handler.logTokenRefusal(refusal, status: response.status)
                } else if let issuance = response.issuance {
                    handler.runtime.metrics.recordTokenIssued(clientID: issuance.clientID, method: issuance.method)
                }
                handler.writeLocalResponse(status: HTTPResponseStatus(statusCode: response.status), headers: response.headers, body: response.body)
            }
        }
    }

    // MARK: - Route authentication

    /// The route's `auth` requirement, after the certificate rules passed. Cached verifications and missing
    /// credentials are answered at once; slow hashes, signatures and key fetches run off the event loop
    /// while the request waits with reads paused.
    private func authenticate(exchange: ProxyExchange, authentication: CompiledRouteAuthentication, certificate: AcceptedCertificate?) {
        guard let context else { return }
        let request = authenticationRequest(exchange: exchange, authentication: authentication, certificate: certificate)
        let allowInsecure = authentication.configuration.allowInsecure
        if let decision = authentication.requirement.immediateDecision(for: request, allowInsecure: allowInsecure) {
            conclude(decision, exchange: exchange, certificate: certificate)
            return
        }
        exchange.phase = .deciding
        pauseReads()
        let eventLoop = context.eventLoop
        let bound = NIOLoopBound((self, exchange), eventLoop: eventLoop)
        let requirement = authentication.requirement
        Task {
            let decision = await requirement.decide(request, allowInsecure: allowInsecure)
            eventLoop.execute {
                let (handler, exchange) = bound.value
                guard handler.exchange === exchange, exchange.phase == .deciding else { return }
                handler.conclude(decision, exchange: exchange, certificate: certificate)
            }
        }
    }

    private func authenticationRequest(exchange: ProxyExchange, authentication: CompiledRouteAuthentication, certificate: AcceptedCertificate?) -> AuthenticationRequest {
        var headers: [(name: String, value: String)] = []
        for name in authentication.headerNames {
            for value in exchange.head.headers[name] { headers.append((name, value)) }
        }
        var evidence: ClientCertificateEvidence?
        if let certificate, let presented = exchange.presented {
            let source: ClientCertificateEvidence.Source = connection.certificateIdentifiesProxy
                ? .forwardedHeader(connection.listener.trustedProxies?.format ?? .arrClientCert) : .tlsConnection
            evidence = ClientCertificateEvidence(chain: presented, source: source, verdict: .accepted(certificate))
        }
        return AuthenticationRequest(headers: headers, isSecureTransport: credentialsTravelledOverTLS(exchange), clientCertificate: evidence)
    }

    /// TLS on this hop, or — from a trusted proxy — its word that the client's hop was https.
    private func credentialsTravelledOverTLS(_ exchange: ProxyExchange) -> Bool {
        if connection.isTLS { return true }
        guard connection.certificateIdentifiesProxy else { return false }
        guard let proto = exchange.head.headers["x-forwarded-proto"].last else { return false }
        return proto.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }

    private func conclude(_ decision: AuthenticationDecision, exchange: ProxyExchange, certificate: AcceptedCertificate?) {
        switch decision {
        case .allowed(let principal):
            exchange.principal = principal
            exchange.authOutcome = principal.methods.first?.rawValue
            runtime.metrics.recordAuthentication(route: exchange.route?.name ?? "-", outcome: "allowed")
            startUpstream(exchange: exchange, certificate: certificate, principal: principal)
        case .denied(let denial):
            exchange.authOutcome = denial.problem.reason
            runtime.metrics.recordAuthentication(route: exchange.route?.name ?? "-", outcome: denial.problem.reason)
            respondLocally(.authenticationDenied(denial))
        }
    }

    // MARK: - Upstream

    private func startUpstream(exchange: ProxyExchange, certificate: AcceptedCertificate?, principal: Principal?) {
        guard let context, let route = exchange.route, let target = exchange.target else { return }
        var certificateHeaders: [(String, String)] = []
        if let certificate, let presented = exchange.presented {
            certificateHeaders = connection.forwardedCertificateHeaders(route: route, certificate: certificate, presented: presented)
        }
        var principalHeaders: [(String, String)] = []
        if let principal, let names = route.authentication?.configuration.principalHeaders {
            principalHeaders = names.fields(for: principal)
        }
        var dropped: [String] = []
        let upstreamHead = UpstreamRequestBuilder.head(
            for: exchange.head, target: target, route: route, certificateHeaders: certificateHeaders, principalHeaders: principalHeaders,
            context: .init(
                clientAddress: connection.remoteAddressText,
                clientAddressIsIPv6: connection.remoteAddressText.contains(":"),
                peerIsTrustedProxy: connection.certificateIdentifiesProxy,
                scheme: connection.isTLS ? "https" : "http",
                hostName: exchange.hostName ?? connection.host.displayName,
                allowsUnderscores: allowsUnderscores(exchange),
                requestID: requestID(for: exchange)),
            dropped: &dropped)
        if !dropped.isEmpty { noteDropped(dropped, reason: .underscore, exchange: exchange) }
        exchange.buffered.insert(.head(upstreamHead), at: 0)
        exchange.phase = .connecting

        // The client waited for our word before sending the body; give it only now that the request is
        // authorised (a refused upload is never sent at all).
        if !exchange.requestEnded, exchange.head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: exchange.head.version, status: .continue))), promise: nil)
        }

        guard let pool = route.upstream.pool(for: context.eventLoop) else {
            respondLocally(.badGateway)
            return
        }
        exchange.upstreamStarted = .now()
        pool.acquire().assumeIsolated().whenComplete { [self] result in
            guard self.exchange === exchange, exchange.phase == .connecting else {
                if case .success(let connection) = result { connection.channel.close(promise: nil) }
                return
            }
            switch result {
            case .success(let upstream):
                attach(upstream, pool: pool, exchange: exchange)
            case .failure(let error):
                runtime.metrics.recordUpstream(upstream: route.upstream.name, duration: exchange.upstreamElapsed, outcome: "connect_error")
                logUpstreamFailure(exchange, route: route, outcome: "connect_error", error: error)
                if case UpstreamConnectionPool.ConnectError.timedOut = error {
                    respondLocally(.gatewayTimeout)
                } else {
                    respondLocally(.badGateway)
                }
            }
        }
        // A pooled connection attaches synchronously above. Only while a new one is being connected does the
        // client wait with reads paused (pausing costs two epoll changes, so not on every request).
        if self.exchange === exchange, exchange.phase == .connecting {
            pauseReads()
        }
    }

    private func attach(_ upstream: UpstreamConnection, pool: UpstreamConnectionPool, exchange: ProxyExchange) {
        exchange.upstream = upstream
        exchange.pool = pool
        exchange.phase = .proxying
        upstream.relay.receiver = self
        for part in exchange.buffered {
            if case .end(let trailers) = part {
                guard let trailers = forwardableTrailers(trailers, exchange: exchange) else { return }
                upstream.relay.write(.end(trailers))
            } else {
                upstream.relay.write(part)
            }
        }
        exchange.buffered.removeAll()
        upstream.relay.flush()
        if exchange.requestEnded { startResponseTimer(exchange) }
        if upstream.channel.isWritable { resumeReads() }
        if let context, !context.channel.isWritable { upstream.relay.setReadsPaused(true) }
    }

    private func startResponseTimer(_ exchange: ProxyExchange) {
        guard let context, let route = exchange.route, exchange.responseTimer == nil, !exchange.responseHeadSent else { return }
        let seconds = route.upstream.endpoint.configuration.responseTimeout
        exchange.responseTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(seconds * 1_000_000_000))) { [weak exchange] in
            guard let exchange, !exchange.responseHeadSent else { return }
            exchange.timedOut = true
            exchange.upstream?.channel.close(promise: nil)
        }
    }

    func upstreamReceived(_ part: HTTPClientResponsePart) {
        guard let context, let exchange, exchange.phase == .proxying else { return }
        switch part {
        case .head(let response):
            exchange.responseTimer?.cancel()
            exchange.responseTimer = nil
            if response.status.code < 200 {
                // 1xx from the upstream (we never send it Expect): nothing the client asked for.
                return
            }
            exchange.status = Int(response.status.code)
            exchange.upstreamStatus = exchange.status
            exchange.upstreamMilliseconds = exchange.upstreamElapsed * 1000
            exchange.upstreamKeepAlive = response.isKeepAlive
            if let route = exchange.route {
                runtime.metrics.recordUpstream(upstream: route.upstream.name, duration: exchange.upstreamElapsed, outcome: Self.statusClasses[min(5, Int(response.status.code / 100))])
            }
            var headers = HopByHopHeaders.removed(from: response.headers)
            if !exchange.requestEnded && !isHTTP2 {
                // The upstream answered before the upload finished; this connection cannot be reused.
                exchange.closeAfterResponse = true
            }
            if quiescing { exchange.closeAfterResponse = true }
            if exchange.closeAfterResponse && !isHTTP2 {
                headers.add(name: "Connection", value: "close")
            }
            let version = isHTTP2 ? HTTPVersion.http2 : exchange.head.version
            exchange.responseHeadSent = true
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        case .body(let buffer):
            guard exchange.responseHeadSent else { return }
            exchange.bytesSent += buffer.readableBytes
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            if !context.channel.isWritable {
                exchange.upstream?.relay.setReadsPaused(true)
            }
        case .end(let trailers):
            guard exchange.responseHeadSent else { return }
            if let upstream = exchange.upstream, let pool = exchange.pool {
                exchange.upstream = nil
                upstream.relay.setReadsPaused(false)
                if exchange.requestEnded && exchange.upstreamKeepAlive {
                    pool.release(upstream)
                } else {
                    upstream.relay.receiver = nil
                    upstream.channel.close(promise: nil)
                }
            }
            // Recorded before the last write: ending an HTTP/2 stream can close its channel synchronously.
            finish(exchange)
            if exchange.closeAfterResponse {
                closing = true
                context.writeAndFlush(wrapOutboundOut(.end(trailers))).assumeIsolated().whenComplete { [self] _ in
                    closeConnection(context)
                }
            } else {
                context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
            }
        }
    }

    func upstreamReadComplete() {
        context?.flush()
    }

    func upstreamWritabilityChanged(isWritable: Bool) {
        guard let exchange, exchange.phase == .proxying else { return }
        if isWritable { resumeReads() } else { pauseReads() }
    }

    func upstreamClosed(error: (any Error)?) {
        guard let context, let exchange, exchange.phase == .proxying else { return }
        exchange.upstream = nil
        exchange.responseTimer?.cancel()
        if !exchange.responseHeadSent {
            if let route = exchange.route {
                let outcome = exchange.timedOut ? "timeout" : "closed"
                runtime.metrics.recordUpstream(upstream: route.upstream.name, duration: exchange.upstreamElapsed, outcome: outcome)
                logUpstreamFailure(exchange, route: route, outcome: outcome, error: error)
            }
            respondLocally(exchange.timedOut ? .gatewayTimeout : .badGateway)
        } else {
            // The response was cut short: the client must not take it for complete.
            exchange.status = exchange.status == 0 ? 502 : exchange.status
            closing = true
            finish(exchange)
            context.close(promise: nil)
        }
    }

    // MARK: - Request ids

    /// The request's id: a trusted proxy's `X-Request-Id` when it sent a usable one (so one id follows the
    /// request through both hops), else a new one. Sent upstream as `X-Request-Id`, logged as `request_id`.
    private func requestID(for exchange: ProxyExchange) -> String {
        if let id = exchange.requestID { return id }
        var id: String?
        if connection.certificateIdentifiesProxy, let sent = exchange.head.headers["x-request-id"].first, Self.isUsableRequestID(sent) {
            id = sent
        }
        let resolved = id ?? connection.nextRequestID()
        exchange.requestID = resolved
        return resolved
    }

    /// 1–200 visible ASCII characters: anything else (spaces, controls, a kilobyte) is replaced.
    static func isUsableRequestID(_ value: String) -> Bool {
        let bytes = value.utf8
        return (1...200).contains(bytes.count) && bytes.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }

    // MARK: - The operator log

    /// An upstream that could not be reached or did not answer: the 502/504 the client got, explained.
    private func logUpstreamFailure(_ exchange: ProxyExchange, route: CompiledRoute, outcome: String, error: (any Error)?) {
        let endpoint = route.upstream.endpoint.configuration
        var metadata: Logger.Metadata = [
            "upstream": "\(route.upstream.name)", "target": "\(endpoint.scheme.rawValue)://\(endpoint.host):\(endpoint.port)",
            "outcome": "\(outcome)", "route": "\(route.name)", "peer": "\(connection.remoteAddressText)",
            "elapsed_ms": "\(Int(exchange.upstreamElapsed * 1000))",
        ]
        if let error { metadata["error"] = "\(TLSErrorText.describe(error))" }
        runtime.logger.warning("upstream failed", metadata: metadata)
    }

    /// A refused token request, with what the client was not told (its precise reason).
    private func logTokenRefusal(_ refusal: TokenRefusal, status: Int) {
        runtime.logger.info("token request refused", metadata: [
            "client_id": "\(refusal.clientID ?? "-")", "error": "\(refusal.error)", "reason": "\(refusal.reason)",
            "status": "\(status)", "peer": "\(connection.remoteAddressText)",
        ])
    }

    // MARK: - Client fields the gateway does not forward

    /// The route's `underscores_in_headers`, else the listener's (nginx's default: off).
    private func allowsUnderscores(_ exchange: ProxyExchange) -> Bool {
        exchange.route?.configuration.allowsUnderscoresInHeaders ?? connection.listener.configuration.allowsUnderscoresInHeaders
    }

    private func noteDropped(_ names: [String], reason: DroppedRequestFieldReason, exchange: ProxyExchange) {
        runtime.metrics.recordDroppedRequestFields(reason, count: names.count)
        runtime.logger.debug("request fields not forwarded", metadata: [
            "reason": "\(reason.rawValue)", "fields": "\(names.joined(separator: ","))",
            "peer": "\(connection.remoteAddressText)", "route": "\(exchange.route?.name ?? "-")",
        ])
    }

    /// The request's trailers as the upstream may see them (see ``RequestTrailers``); `nil` when the request
    /// was refused for them (then the answer is under way, or the connection is closing).
    private func forwardableTrailers(_ trailers: HTTPHeaders?, exchange: ProxyExchange) -> HTTPHeaders?? {
        guard let trailers, !trailers.isEmpty else { return .some(nil) }
        switch RequestTrailers.judge(trailers, allowsUnderscores: allowsUnderscores(exchange), removed: exchange.route?.authentication?.removedHeaders ?? []) {
        case .forward(let kept, let dropped):
            if !dropped.isEmpty { noteDropped(dropped, reason: .trailer, exchange: exchange) }
            return .some(kept)
        case .refuse(let field):
            if exchange.responseHeadSent {
                // The upstream already answered: the request cannot be refused any more, only cut.
                abandonExchange()
                closing = true
                context?.close(promise: nil)
            } else {
                respondLocally(.badRequest("The trailer field \(field) is not allowed in a trailer (RFC 9110 §6.5.1).", reason: "invalid_trailer"))
            }
            return nil
        }
    }

    // MARK: - Slow request bodies

    private var limits: ClientConnectionLimits { connection.listener.configuration.clientLimits }

    /// Called once per read while a request body is incoming: records progress, arms the body timer.
    private func watchBody(_ exchange: ProxyExchange) {
        switch exchange.phase {
        case .local, .finished: return
        case .deciding, .connecting, .proxying, .serving: break
        }
        if exchange.bodyBytes != exchange.bodyBytesAtProgress {
            exchange.bodyBytesAtProgress = exchange.bodyBytes
            exchange.bodyProgress = .now()
        }
        if bodyTimer == nil { armBodyTimer(exchange, deadline: exchange.bodyProgress + Self.amount(limits.requestBodyTimeout)) }
    }

    private func armBodyTimer(_ exchange: ProxyExchange, deadline: NIODeadline) {
        guard let context else { return }
        bodyTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self, weak exchange] in
            guard let self, let exchange else { return }
            self.bodyTimer = nil
            self.bodyTimerFired(exchange)
        }
    }

    private func cancelBodyTimer() {
        bodyTimer?.cancel()
        bodyTimer = nil
    }

    private func bodyTimerFired(_ exchange: ProxyExchange) {
        guard self.exchange === exchange, !exchange.requestEnded, !closing else { return }
        switch exchange.phase {
        case .local, .finished: return
        case .deciding, .connecting, .proxying, .serving: break
        }
        let now = NIODeadline.now()
        let timeout = Self.amount(limits.requestBodyTimeout)
        if readsPaused {
            // The gateway stopped reading (a verdict, an upstream connect, back-pressure): not a stall.
            exchange.restartBodyClock(at: now)
            armBodyTimer(exchange, deadline: now + timeout)
            return
        }
        if now - exchange.bodyProgress >= timeout {
            bodyTooSlow(exchange, reason: .requestBodyTimeout, detail: "No part of the request body arrived for \(Self.seconds(limits.requestBodyTimeout)).")
            return
        }
        if let minimumRate = limits.requestBodyMinimumRate, now - exchange.rateStart >= timeout {
            let elapsed = Double((now - exchange.rateStart).nanoseconds) / 1e9
            let rate = Double(exchange.bodyBytes - exchange.rateBytes) / elapsed
            if rate < Double(minimumRate) {
                bodyTooSlow(exchange, reason: .requestBodyMinimumRate, detail: "The request body arrived at \(Int(rate)) bytes/s; this listener needs at least \(minimumRate).")
                return
            }
        }
        armBodyTimer(exchange, deadline: min(exchange.bodyProgress + timeout, now + timeout))
    }

    /// 408 while no response has started (then close: the rest of the body will not be read); a cut
    /// connection (HTTP/1.1) or stream (HTTP/2) once one has.
    private func bodyTooSlow(_ exchange: ProxyExchange, reason: ClientConnectionCloseReason, detail: String) {
        runtime.metrics.recordConnectionClosed(reason)
        runtime.logger.debug("request body too slow", metadata: ["reason": "\(reason.rawValue)", "peer": "\(connection.remoteAddressText)"])
        if exchange.responseHeadSent {
            abandonExchange()
            closing = true
            context?.close(promise: nil)
            return
        }
        exchange.closeAfterResponse = true
        respondLocally(ProblemResponse(status: .requestTimeout, title: "Request Timeout", detail: detail, reason: reason.rawValue))
    }

    private static func amount(_ seconds: TimeInterval) -> TimeAmount {
        .nanoseconds(Int64(seconds * 1_000_000_000))
    }

    private static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    // MARK: - Ending

    private func respondLocally(_ problem: ProblemResponse) {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/problem+json"), ("Cache-Control", "no-store")]
        for (name, value) in problem.extraHeaders { headers.append((name, value)) }
        writeLocalResponse(status: problem.status, headers: headers, body: problem.body())
    }

    /// An answer the gateway makes itself (a problem, the token service's JSON); `Content-Length` is added.
    private func writeLocalResponse(status: HTTPResponseStatus, headers extra: [(name: String, value: String)], body: [UInt8]) {
        guard let context, let exchange else { return }
        exchange.responseTimer?.cancel()
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            upstream.relay.receiver = nil
            upstream.channel.close(promise: nil)
        }
        exchange.phase = .local
        exchange.localService = nil
        exchange.status = Int(status.code)
        exchange.buffered.removeAll()
        if (!exchange.requestEnded || quiescing || Self.closingStatuses.contains(status.code)) && !isHTTP2 {
            exchange.closeAfterResponse = true
        }
        var headers = HTTPHeaders()
        for (name, value) in extra where name.lowercased() != "content-length" { headers.add(name: name, value: value) }
        headers.add(name: "Content-Length", value: String(body.count))
        if exchange.closeAfterResponse && !isHTTP2 { headers.add(name: "Connection", value: "close") }
        let version = isHTTP2 ? HTTPVersion.http2 : exchange.head.version
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        if exchange.head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            exchange.bytesSent = body.count
        }
        let close = exchange.closeAfterResponse
        if close { closing = true }
        finish(exchange)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { [self] _ in
            if close { closeConnection(context) }
        }
    }

    /// Closes after the last response. HTTP/2: the stream (a reset when the client is still sending). TLS:
    /// close_notify, then the socket. Plain TCP: the output side now — the client sees the end at once —
    /// and the socket after ``lingeringClose``, or sooner when the client closes its side.
    private func closeConnection(_ context: ChannelHandlerContext) {
        closing = true
        queued.removeAll()
        guard !isHTTP2, !connection.isTLS else {
            context.close(promise: nil)
            return
        }
        let channel = context.channel
        context.close(mode: .output).assumeIsolated().whenComplete { result in
            if case .failure = result {
                channel.close(promise: nil)
                return
            }
            channel.eventLoop.assumeIsolated().scheduleTask(in: Self.lingeringClose) {
                channel.close(promise: nil)
            }
        }
        // Keep reading so the client's remaining bytes are consumed, not answered with a reset.
        readsPaused = false
        readPending = false
        context.read()
    }

    private func finish(_ exchange: ProxyExchange) {
        guard exchange.phase != .finished else { return }
        exchange.phase = .finished
        if self.exchange === exchange {
            self.exchange = nil
            cancelBodyTimer()
        }
        headTimer?.responseFinished()
        record(exchange, status: exchange.status)
        if closing {
            return
        } else if queued.isEmpty {
            resumeReads()
        } else if let context {
            // After the current response's last write (the caller writes it next).
            context.eventLoop.assumeIsolated().execute { [self] in drainQueued() }
        }
    }

    private func drainQueued() {
        guard let context, exchange == nil, !closing else { return }
        while !queued.isEmpty, exchange.map({ !$0.requestEnded }) ?? true {
            handle(queued.removeFirst(), context: context)
        }
        if queued.isEmpty, exchange?.phase != .deciding, exchange?.phase != .connecting { resumeReads() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !isHTTP2, event is ChannelShouldQuiesceEvent {
            // Graceful shutdown: an idle connection closes now, a busy one after its response.
            quiescing = true
            if exchange == nil, queued.isEmpty {
                context.close(promise: nil)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The client went away (or the handler is being removed) mid-exchange.
    private func abandonExchange() {
        guard let exchange, exchange.phase != .finished else { return }
        exchange.responseTimer?.cancel()
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            upstream.relay.receiver = nil
            upstream.channel.close(promise: nil)
        }
        exchange.phase = .finished
        self.exchange = nil
        // nginx's 499: the client closed the request before the response was complete.
        record(exchange, status: 499)
    }

    private func record(_ exchange: ProxyExchange, status: Int) {
        let duration = exchange.elapsed
        let routeName = exchange.route?.name ?? exchange.localRouteName ?? "-"
        runtime.metrics.recordRequest(route: routeName, status: status, duration: duration)
        guard runtime.accessLog.isEnabled else { return }
        var entry = AccessLogEntry(
            time: Date(), clientAddress: connection.remoteAddressText, sni: connection.serverName,
            method: exchange.head.method.rawValue, path: exchange.path ?? "-", status: status,
            durationMilliseconds: duration * 1000,
            // Only an upstream that was contacted: a refused request never reached one.
            upstream: exchange.upstreamStarted == nil ? nil : exchange.route?.upstream.name,
            route: exchange.route?.name ?? exchange.localRouteName,
            certificateSubject: exchange.certificateSubject, certificateSHA256: exchange.certificateSHA256,
            verdict: exchange.verdictLabel, httpVersion: isHTTP2 ? "2" : "\(exchange.head.version.major).\(exchange.head.version.minor)",
            bytesSent: exchange.bytesSent)
        entry.requestID = requestID(for: exchange)
        entry.authentication = exchange.authOutcome
        entry.principal = exchange.principal?.name
        entry.bytesReceived = exchange.bodyBytes
        entry.upstreamStatus = exchange.upstreamStatus
        entry.upstreamMilliseconds = exchange.upstreamMilliseconds
        entry.userAgent = exchange.head.headers["user-agent"].first
        runtime.accessLog.write(entry)
    }
}

/// One request/response through the proxy. Confined to the handler's event loop.
final class ProxyExchange {
    enum Phase {
        /// Waiting for a cold certificate verdict.
        case deciding
        /// Authorised; waiting for an upstream connection.
        case connecting
        case proxying
        /// Reading the request body for a service the gateway answers itself (the token service).
        case serving
        /// The gateway answered itself (an error or a denial).
        case local
        case finished
    }

    let head: HTTPRequestHead
    let started: NIODeadline
    var phase: Phase = .deciding
    var closeAfterResponse: Bool
    var path: String?
    var hostName: String?
    var target: RequestTarget?
    var route: CompiledRoute?
    var presented: PresentedCertificateChain?
    var verdict: CertificateVerdict?
    var verdictLabel = "none"
    var certificateSubject: String?
    var certificateSHA256: String?
    /// Who the route's `auth` authenticated (nil without `auth`).
    var principal: Principal?
    /// The request the gateway answers itself, while its body is read.
    var localService: LocalServiceCall?
    /// The metrics/access-log route label of a request answered by a built-in service.
    var localRouteName: String?
    var buffered: [HTTPClientRequestPart] = []
    var requestEnded = false
    /// Request body bytes received so far, and at the last recorded progress.
    var bodyBytes = 0
    var bodyBytesAtProgress = 0
    /// When the body last made progress (or the gateway resumed reading it); the head's arrival at first.
    var bodyProgress: NIODeadline
    /// The start of the window in which the body's rate is measured, and the bytes received before it.
    var rateStart: NIODeadline
    var rateBytes = 0
    var upstream: UpstreamConnection?
    var pool: UpstreamConnectionPool?
    var upstreamStarted: NIODeadline?
    var responseTimer: Scheduled<Void>?
    var timedOut = false
    var responseHeadSent = false
    var upstreamKeepAlive = true
    var status = 0
    /// The request's id (see ``ProxyHandler``), made when first needed.
    var requestID: String?
    /// The route's `auth`: the method that authenticated, or the denial's reason.
    var authOutcome: String?
    /// The upstream's status and how long its response head took, when one answered.
    var upstreamStatus: Int?
    var upstreamMilliseconds: Double?
    var bytesSent = 0

    init(head: HTTPRequestHead, closeAfterResponse: Bool) {
        self.head = head
        self.closeAfterResponse = closeAfterResponse
        let now = NIODeadline.now()
        self.started = now
        self.bodyProgress = now
        self.rateStart = now
    }

    /// The gateway resumes reading a body it had stopped reading: neither timeout counts the pause.
    func restartBodyClock(at now: NIODeadline) {
        bodyProgress = now
        bodyBytesAtProgress = bodyBytes
        rateStart = now
        rateBytes = bodyBytes
    }

    var elapsed: TimeInterval { Double((NIODeadline.now() - started).nanoseconds) / 1e9 }
    var upstreamElapsed: TimeInterval {
        guard let upstreamStarted else { return 0 }
        return Double((NIODeadline.now() - upstreamStarted).nanoseconds) / 1e9
    }
}

/// A request for a built-in service, collected before the service is called.
struct LocalServiceCall {
    let service: TokenService
    let endpoint: TokenServiceEndpoint
    let clientCertificate: ClientCertificateEvidence?
    let isSecureTransport: Bool
    let bodyLimit: Int
    var body: ByteBuffer
}
