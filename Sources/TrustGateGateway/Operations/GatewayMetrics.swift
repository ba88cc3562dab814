public import Foundation
import Synchronization
public import TrustGateX509

/// The gateway's Prometheus registry. Recording is called from event-loop threads on every request, so it only
/// hashes a small label key and bumps a number under a short lock (one lock per metric family, so a TLS
/// handshake and a request on two loops do not contend). Nothing is formatted until ``render(now:)``.
///
/// Label values must come from configuration or from fixed vocabularies (route and upstream names, status
/// codes, reason codes); values a client controls are capped (see ``maximumFreeFormLabelValues``) so a scan
/// cannot grow the registry without bound.
public final class GatewayMetrics: Sendable {
    /// Upper bounds (seconds) of the duration histograms: fine below 10 ms where a gateway's own work lives,
    /// coarse up to the default upstream response timeout.
    public static let durationBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    /// Distinct client certificates kept in `trustgate_client_certificate_expiry_days`; the least recently seen goes first.
    public static let maximumClientCertificates = 1000
    /// Distinct handshake series and `reason` values of handshake failures; further values are
    /// counted under ``overflowLabelValue``.
    public static let maximumFreeFormLabelValues = 256
    public static let overflowLabelValue = "other"
    /// The handshake-failure reasons the observer reports, exported from the start at 0.
    public static let handshakeFailureReasons = ["handshake_failed", "tls_error", "unclean_shutdown"]

    private let requests = Mutex(RouteDurations<RequestSeries>())
    private let upstreams = Mutex(RouteDurations<UpstreamSeries>())
    private let verdicts: Mutex<[String: Int]>
    private let authentications = Mutex(CappedCounts<AuthenticationSeries>())
    private let handshakes = Mutex(CappedCounts<HandshakeSeries>())
    private let handshakeFailures = Mutex(CappedCounts<String>())
    private let clientCertificates: Mutex<ClientCertificateRecency>
    private let expiries = Mutex([ExpirySeries: Date]())
    private let openConnections = Atomic<Int>(0)
    private let reloads = Mutex(ReloadCounts())
    private let accessLogDrops = Mutex<(@Sendable () -> Int)?>(nil)
    private let shedding = Mutex(SheddingCounts())
    private let tokensIssued = Mutex(CappedCounts<TokenIssuanceSeries>())
    private let tokenRefusals = Mutex(CappedCounts<TokenRefusalSeries>())
    private let startTime = Date()
    private let buildInfo = Mutex<(version: String, commit: String)?>(nil)

    public convenience init() {
        self.init(clientCertificateCapacity: Self.maximumClientCertificates)
    }

    init(clientCertificateCapacity: Int) {
        // Every outcome exists from the start at 0, so `rate()` and absence alerts work before the first rejection.
        // "none": no certificate was needed or presented.
        var initialVerdicts = ["accepted": 0, "none": 0]
        for code in RejectionCode.allCases { initialVerdicts[code.rawValue] = 0 }
        verdicts = Mutex(initialVerdicts)
        clientCertificates = Mutex(ClientCertificateRecency(capacity: clientCertificateCapacity))
    }

    // MARK: Recording (hot path)

    public func recordRequest(route: String, status: Int, duration: TimeInterval) {
        requests.withLock { state in
            state.counts[RequestSeries(route: route, status: status), default: 0] += 1
            state.observe(duration, for: route)
        }
    }

    /// `outcome`: "accepted", "none", or a ``RejectionCode`` raw value.
    public func recordVerdict(_ outcome: String) {
        verdicts.withLock { $0[outcome, default: 0] += 1 }
    }

    public func recordVerdict(_ code: RejectionCode) {
        recordVerdict(code.rawValue)
    }

    /// A route's `auth` decision. `outcome`: "allowed" or the denial's reason code (a fixed vocabulary:
    /// `invalid_credentials`, `invalid_token`, `insufficient_scope`, `insecure_transport`, …).
    public func recordAuthentication(route: String, outcome: String) {
        authentications.withLock {
            $0.increment(AuthenticationSeries(route: route, outcome: outcome), overflow: AuthenticationSeries(route: route, outcome: Self.overflowLabelValue))
        }
    }

    /// `host`: the configured name of the virtual host that served the handshake, not the raw SNI.
    /// A completed handshake: `version` (`1.2`, `1.3`) and `cipher` (the suite's IANA name) as negotiated, so an
    /// operator sees who still uses TLS 1.2 before switching a listener to `profile: modern`.
    public func recordHandshake(version: String, cipher: String, resumed: Bool) {
        handshakes.withLock {
            $0.increment(
                HandshakeSeries(version: version, cipher: cipher, resumed: resumed),
                overflow: HandshakeSeries(version: version, cipher: Self.overflowLabelValue, resumed: resumed))
        }
    }

    /// `reason`: a short fixed token (e.g. `certificate_required`, `protocol_version`), not an error description.
    public func recordHandshakeFailure(reason: String) {
        handshakeFailures.withLock { $0.increment(reason, overflow: Self.overflowLabelValue) }
    }

    /// `outcome`: e.g. `2xx`/`5xx`/`timeout`/`connect_error` — the caller's small vocabulary.
    public func recordUpstream(upstream: String, duration: TimeInterval, outcome: String) {
        upstreams.withLock { state in
            state.counts[UpstreamSeries(upstream: upstream, outcome: outcome), default: 0] += 1
            state.observe(duration, for: upstream)
        }
    }

    public func recordClientCertificateSeen(sha256Hex: String, subject: String, notAfter: Date) {
        clientCertificates.withLock { $0.record(sha256Hex: sha256Hex, subject: subject, notAfter: notAfter) }
    }

    /// A token the gateway's token service issued: to whom, authenticated how.
    public func recordTokenIssued(clientID: String, method: String) {
        tokensIssued.withLock {
            $0.increment(TokenIssuanceSeries(clientID: clientID, method: method), overflow: TokenIssuanceSeries(clientID: Self.overflowLabelValue, method: method))
        }
    }

    /// A refused token request: the OAuth error sent and the internal reason (both small fixed vocabularies).
    public func recordTokenRefusal(error: String, reason: String) {
        tokenRefusals.withLock {
            $0.increment(TokenRefusalSeries(error: error, reason: reason), overflow: TokenRefusalSeries(error: error, reason: Self.overflowLabelValue))
        }
    }

    /// The gateway closed a client connection itself, for `reason` (rare: no cost on the keep-alive path).
    public func recordConnectionClosed(_ reason: ClientConnectionCloseReason) {
        shedding.withLock { $0.closed[reason, default: 0] += 1 }
    }

    /// `count` client header fields (or trailer fields) were removed for their name (see `RequestHeaderClass`).
    public func recordDroppedRequestFields(_ reason: DroppedRequestFieldReason, count: Int = 1) {
        shedding.withLock { $0.dropped[reason, default: 0] += count }
    }

    // MARK: Configuration-time gauges

    /// `kind`: `server_certificate` or `trust_anchor` (→ `trustgate_certificate_expiry_days`), or `crl`
    /// (→ `trustgate_crl_next_update_days`, `date` being the CRL's nextUpdate). `nil` removes the series.
    public func setExpiry(kind: String, name: String, date: Date?) {
        let series = ExpirySeries(kind: kind, name: name)
        expiries.withLock { $0[series] = date }
    }

    /// Called on reload before the new configuration sets its own, so removed certificates disappear.
    public func removeAllExpiries() {
        expiries.withLock { $0.removeAll() }
    }

    public func setConnections(_ open: Int) {
        openConnections.store(open, ordering: .relaxed)
    }

    /// A reload attempt — counted whatever refused it (unreadable YAML, a missing file, a wrong password, a key
    /// that is not the certificate's, a listener change) — and when it happened.
    public func incrementReloads(success: Bool, at time: Date = Date()) {
        reloads.withLock { counts in
            if success { counts.success += 1 } else { counts.failure += 1 }
            counts.lastAttempt = time
            counts.lastAttemptSucceeded = success
            if success { counts.lastSuccess = time }
        }
    }

    /// The configuration in force was loaded at `time` (the start, before any reload).
    public func recordConfigurationLoaded(at time: Date = Date()) {
        reloads.withLock { $0.lastSuccess = $0.lastSuccess ?? time }
    }

    /// Exposes `trustgate_build_info{version,commit} 1`, so dashboards can tell which build each instance runs
    /// (the library does not know the binary's version: the executable that links it does).
    public func setBuildInfo(version: String, commit: String) {
        buildInfo.withLock { $0 = (version, commit) }
    }

    /// Exposes an access log's dropped-line count as `trustgate_access_log_dropped_lines_total`.
    public func observeAccessLogDrops(_ droppedLines: @escaping @Sendable () -> Int) {
        accessLogDrops.withLock { $0 = droppedLines }
    }

    // MARK: Exposition

    /// Prometheus text format 0.0.4. Day gauges are computed against `now`.
    public func render(now: Date = Date()) -> String {
        // Copy under each lock, format outside it: a scrape must not hold up event loops while building text.
        let requests = self.requests.withLock { $0 }
        let upstreams = self.upstreams.withLock { $0 }
        let verdicts = self.verdicts.withLock { $0 }
        let authentications = self.authentications.withLock { $0.counts }
        let handshakes = self.handshakes.withLock { $0.counts }
        let handshakeFailures = self.handshakeFailures.withLock { $0.counts }
        let clientCertificates = self.clientCertificates.withLock { $0.entries }
        let expiries = self.expiries.withLock { $0 }
        let reloads = self.reloads.withLock { $0 }
        let dropsSource = accessLogDrops.withLock { $0 }
        let shedding = self.shedding.withLock { $0 }
        let tokensIssued = self.tokensIssued.withLock { $0.counts }
        let tokenRefusals = self.tokenRefusals.withLock { $0.counts }

        var text = PrometheusText()

        if let build = self.buildInfo.withLock({ $0 }) {
            text.family("trustgate_build_info", type: .gauge, help: "Always 1; the labels name the running build.")
            text.sample("trustgate_build_info", labels: ["version": build.version, "commit": build.commit], value: "1")
        }

        text.family("trustgate_requests_total", type: .counter, help: "Requests answered by the gateway, by route and HTTP status.")
        for (series, count) in requests.counts.sorted(by: { ($0.key.route, $0.key.status) < ($1.key.route, $1.key.status) }) {
            text.sample("trustgate_requests_total", labels: ["route": series.route, "status": String(series.status)], value: String(count))
        }
        text.family("trustgate_request_duration_seconds", type: .histogram, help: "Time from the request head to the end of the response, by route.")
        for (route, histogram) in requests.durations.sorted(by: { $0.key < $1.key }) {
            text.histogram("trustgate_request_duration_seconds", labels: [("route", route)], snapshot: histogram)
        }

        text.family("trustgate_certificate_verdicts_total", type: .counter, help: "Client certificate verdicts, by outcome (accepted or the rejection reason code).")
        for (outcome, count) in verdicts.sorted(by: { $0.key < $1.key }) {
            text.sample("trustgate_certificate_verdicts_total", labels: ["outcome": outcome], value: String(count))
        }

        text.family("trustgate_authentications_total", type: .counter, help: "Decisions of routes' auth requirements, by route and outcome (allowed or the denial reason).")
        for (series, count) in authentications.sorted(by: { ($0.key.route, $0.key.outcome) < ($1.key.route, $1.key.outcome) }) {
            text.sample("trustgate_authentications_total", labels: ["route": series.route, "outcome": series.outcome], value: String(count))
        }

        text.family("trustgate_tls_handshakes_total", type: .counter, help: "Completed TLS handshakes, by protocol version, cipher suite and session resumption.")
        for (series, count) in handshakes.sorted(by: { ($0.key.version, $0.key.cipher, $0.key.resumed ? 1 : 0) < ($1.key.version, $1.key.cipher, $1.key.resumed ? 1 : 0) }) {
            text.sample(
                "trustgate_tls_handshakes_total",
                labels: ["version": series.version, "cipher": series.cipher, "resumed": series.resumed ? "true" : "false"], value: String(count))
        }
        text.family("trustgate_tls_handshake_failures_total", type: .counter, help: "Failed TLS handshakes, by reason.")
        // The known reasons from the start at 0, so that an alert on their rate sees a series before the first failure.
        var failures = handshakeFailures
        for reason in Self.handshakeFailureReasons where failures[reason] == nil { failures[reason] = 0 }
        for (reason, count) in failures.sorted(by: { $0.key < $1.key }) {
            text.sample("trustgate_tls_handshake_failures_total", labels: ["reason": reason], value: String(count))
        }

        text.family("trustgate_upstream_responses_total", type: .counter, help: "Upstream exchanges, by upstream and outcome.")
        for (series, count) in upstreams.counts.sorted(by: { ($0.key.upstream, $0.key.outcome) < ($1.key.upstream, $1.key.outcome) }) {
            text.sample("trustgate_upstream_responses_total", labels: ["upstream": series.upstream, "outcome": series.outcome], value: String(count))
        }
        text.family("trustgate_upstream_duration_seconds", type: .histogram, help: "Time from asking for an upstream connection to the response head (or the failure), by upstream.")
        for (upstream, histogram) in upstreams.durations.sorted(by: { $0.key < $1.key }) {
            text.histogram("trustgate_upstream_duration_seconds", labels: [("upstream", upstream)], snapshot: histogram)
        }

        let sortedClientCertificates = clientCertificates.sorted(by: { ($0.subject, $0.sha256Hex) < ($1.subject, $1.sha256Hex) })
        text.family("trustgate_client_certificate_expiry_timestamp_seconds", type: .gauge, help: "When recently seen client certificates expire (Unix time; cert-manager's convention).")
        for entry in sortedClientCertificates {
            text.sample("trustgate_client_certificate_expiry_timestamp_seconds", labels: ["subject": entry.subject, "sha256": entry.sha256Hex], value: String(Int(entry.notAfter.timeIntervalSince1970)))
        }
        text.family("trustgate_client_certificate_expiry_days", type: .gauge, help: "Days until recently seen client certificates expire (negative: expired); derived from the timestamp gauge.")
        for entry in sortedClientCertificates {
            text.sample("trustgate_client_certificate_expiry_days", labels: ["subject": entry.subject, "sha256": entry.sha256Hex], value: PrometheusText.formatDays(until: entry.notAfter, now: now))
        }

        let sortedExpiries = expiries.sorted(by: { ($0.key.kind, $0.key.name) < ($1.key.kind, $1.key.name) })
        text.family("trustgate_certificate_expiry_timestamp_seconds", type: .gauge, help: "When configured server certificates and trust anchors expire (Unix time).")
        for (series, date) in sortedExpiries where series.kind != ExpirySeries.crlKind {
            text.sample("trustgate_certificate_expiry_timestamp_seconds", labels: ["kind": series.kind, "name": series.name], value: String(Int(date.timeIntervalSince1970)))
        }
        text.family("trustgate_crl_next_update_timestamp_seconds", type: .gauge, help: "Each configured CRL's nextUpdate (Unix time).")
        for (series, date) in sortedExpiries where series.kind == ExpirySeries.crlKind {
            text.sample("trustgate_crl_next_update_timestamp_seconds", labels: ["name": series.name], value: String(Int(date.timeIntervalSince1970)))
        }
        text.family("trustgate_certificate_expiry_days", type: .gauge, help: "Days until configured server certificates and trust anchors expire (negative: expired).")
        for (series, date) in sortedExpiries where series.kind != ExpirySeries.crlKind {
            text.sample("trustgate_certificate_expiry_days", labels: ["kind": series.kind, "name": series.name], value: PrometheusText.formatDays(until: date, now: now))
        }
        text.family("trustgate_crl_next_update_days", type: .gauge, help: "Days until each configured CRL's nextUpdate (negative: stale).")
        for (series, date) in sortedExpiries where series.kind == ExpirySeries.crlKind {
            text.sample("trustgate_crl_next_update_days", labels: ["name": series.name], value: PrometheusText.formatDays(until: date, now: now))
        }

        text.family("trustgate_tokens_issued_total", type: .counter, help: "Tokens the token service issued, by client and authentication method.")
        for (series, count) in tokensIssued.sorted(by: { ($0.key.clientID, $0.key.method) < ($1.key.clientID, $1.key.method) }) {
            text.sample("trustgate_tokens_issued_total", labels: ["client_id": series.clientID, "method": series.method], value: String(count))
        }
        text.family("trustgate_token_refusals_total", type: .counter, help: "Token requests the token service refused, by OAuth error and internal reason.")
        for (series, count) in tokenRefusals.sorted(by: { ($0.key.error, $0.key.reason) < ($1.key.error, $1.key.reason) }) {
            text.sample("trustgate_token_refusals_total", labels: ["error": series.error, "reason": series.reason], value: String(count))
        }

        ProcessMetrics.render(into: &text, startTime: startTime)

        text.family("trustgate_open_connections", type: .gauge, help: "Client connections currently open.")
        text.sample("trustgate_open_connections", labels: [:], value: String(openConnections.load(ordering: .relaxed)))

        text.family("trustgate_client_connections_closed_total", type: .counter, help: "Client connections the gateway closed itself, by reason (timeouts and limits that shed slow or greedy clients).")
        for reason in ClientConnectionCloseReason.allCases {
            text.sample("trustgate_client_connections_closed_total", labels: ["reason": reason.rawValue], value: String(shedding.closed[reason] ?? 0))
        }
        text.family("trustgate_request_fields_dropped_total", type: .counter, help: "Client request header and trailer fields removed for their name, by reason.")
        for reason in DroppedRequestFieldReason.allCases {
            text.sample("trustgate_request_fields_dropped_total", labels: ["reason": reason.rawValue], value: String(shedding.dropped[reason] ?? 0))
        }

        text.family("trustgate_config_reloads_total", type: .counter, help: "Configuration reloads, by result.")
        text.sample("trustgate_config_reloads_total", labels: ["result": "failure"], value: String(reloads.failure))
        text.sample("trustgate_config_reloads_total", labels: ["result": "success"], value: String(reloads.success))
        if let loaded = reloads.lastSuccess {
            text.family("trustgate_config_last_success_timestamp_seconds", type: .gauge, help: "When the configuration in force was loaded (Unix time).")
            text.sample("trustgate_config_last_success_timestamp_seconds", labels: [:], value: String(Int(loaded.timeIntervalSince1970)))
        }
        if let attempt = reloads.lastAttempt {
            text.family("trustgate_config_last_reload_attempt_timestamp_seconds", type: .gauge, help: "When a reload was last attempted (Unix time).")
            text.sample("trustgate_config_last_reload_attempt_timestamp_seconds", labels: [:], value: String(Int(attempt.timeIntervalSince1970)))
            text.family("trustgate_config_last_reload_successful", type: .gauge, help: "1 when the last reload attempt was applied, 0 when it was refused.")
            text.sample("trustgate_config_last_reload_successful", labels: [:], value: reloads.lastAttemptSucceeded ? "1" : "0")
        }

        if let dropsSource {
            text.family("trustgate_access_log_dropped_lines_total", type: .counter, help: "Access log lines dropped because the writer could not keep up.")
            text.sample("trustgate_access_log_dropped_lines_total", labels: [:], value: String(dropsSource()))
        }
        return text.output
    }
}

// MARK: - Series keys and per-family state

private struct RequestSeries: Hashable {
    let route: String
    let status: Int
}

private struct UpstreamSeries: Hashable {
    let upstream: String
    let outcome: String
}

private struct TokenIssuanceSeries: Hashable {
    let clientID: String
    let method: String
}

private struct TokenRefusalSeries: Hashable {
    let error: String
    let reason: String
}

private struct HandshakeSeries: Hashable {
    let version: String
    let cipher: String
    let resumed: Bool
}

private struct ExpirySeries: Hashable {
    static let crlKind = "crl"
    let kind: String
    let name: String
}

/// Why the gateway closed a client connection on its own initiative: a label value of
/// `trustgate_client_connections_closed_total`. A struct, not an enum, so that a new reason is not a
/// breaking change for code that switches over them.
public struct ClientConnectionCloseReason: Hashable, Sendable {
    public let rawValue: String
    private init(_ rawValue: String) { self.rawValue = rawValue }

    public static let handshakeTimeout = Self("handshake_timeout")
    public static let requestHeadTimeout = Self("request_head_timeout")
    public static let requestBodyTimeout = Self("request_body_timeout")
    public static let requestBodyMinimumRate = Self("request_body_min_rate")
    public static let connectionsPerAddress = Self("max_connections_per_address")
    public static let idleTimeout = Self("idle_timeout")

    /// Every reason, each exported from the start at 0.
    public static let allCases: [Self] = [
        .handshakeTimeout, .requestHeadTimeout, .requestBodyTimeout, .requestBodyMinimumRate, .connectionsPerAddress, .idleTimeout,
    ]
}

/// Why a client's header or trailer field was not forwarded although HTTP would allow it: a label value of
/// `trustgate_request_fields_dropped_total`.
public struct DroppedRequestFieldReason: Hashable, Sendable {
    public let rawValue: String
    private init(_ rawValue: String) { self.rawValue = rawValue }

    /// A header name containing `_` (underscores not allowed, or the name folds to one the gateway manages).
    public static let underscore = Self("underscore")
    /// A trailer field the gateway never forwards from a client (certificate, principal, client address …).
    public static let trailer = Self("trailer")

    public static let allCases: [Self] = [.underscore, .trailer]
}

private struct SheddingCounts {
    var closed: [ClientConnectionCloseReason: Int] = [:]
    var dropped: [DroppedRequestFieldReason: Int] = [:]
}

private struct ReloadCounts {
    var success = 0
    var failure = 0
    var lastAttempt: Date?
    var lastAttemptSucceeded = false
    var lastSuccess: Date?
}

/// A counter family and a duration histogram recorded together under one lock acquisition.
private struct RouteDurations<Series: Hashable> {
    var counts: [Series: Int] = [:]
    var durations: [String: HistogramSnapshot] = [:]

    mutating func observe(_ duration: TimeInterval, for name: String) {
        // One hash: the default is built only for a name's first observation.
        durations[name, default: HistogramSnapshot(bounds: GatewayMetrics.durationBuckets)].observe(duration)
    }
}

/// Counts whose label values may come from outside; past the cap, new values share one overflow series.
private struct CappedCounts<Series: Hashable> {
    var counts: [Series: Int] = [:]

    mutating func increment(_ series: Series, overflow: Series) {
        if counts[series] != nil || counts.count < GatewayMetrics.maximumFreeFormLabelValues {
            counts[series, default: 0] += 1
        } else {
            counts[overflow, default: 0] += 1
        }
    }
}

/// The client certificates seen most recently, at most `capacity`, with O(1) touch and eviction: a
/// doubly-linked recency list threaded through an array of slots, indexed by SHA-256.
struct ClientCertificateRecency: Sendable {
    struct Entry: Sendable {
        var sha256Hex: String
        var subject: String
        var notAfter: Date
        fileprivate var newer: Int
        fileprivate var older: Int
    }

    private static let none = -1
    let capacity: Int
    private var slots: [Entry] = []
    private var slotBySHA256: [String: Int] = [:]
    private var newest = none
    private var oldest = none

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var entries: [Entry] { slots }

    mutating func record(sha256Hex: String, subject: String, notAfter: Date) {
        if let slot = slotBySHA256[sha256Hex] {
            slots[slot].subject = subject
            slots[slot].notAfter = notAfter
            if slot != newest {
                unlink(slot)
                linkAsNewest(slot)
            }
            return
        }
        let entry = Entry(sha256Hex: sha256Hex, subject: subject, notAfter: notAfter, newer: Self.none, older: Self.none)
        let slot: Int
        if slots.count < capacity {
            slot = slots.count
            slots.append(entry)
        } else {
            slot = oldest
            unlink(slot)
            slotBySHA256.removeValue(forKey: slots[slot].sha256Hex)
            slots[slot] = entry
        }
        slotBySHA256[sha256Hex] = slot
        linkAsNewest(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let newer = slots[slot].newer
        let older = slots[slot].older
        if newer != Self.none { slots[newer].older = older } else { newest = older }
        if older != Self.none { slots[older].newer = newer } else { oldest = newer }
        slots[slot].newer = Self.none
        slots[slot].older = Self.none
    }

    private mutating func linkAsNewest(_ slot: Int) {
        slots[slot].older = newest
        slots[slot].newer = Self.none
        if newest != Self.none { slots[newest].newer = slot }
        newest = slot
        if oldest == Self.none { oldest = slot }
    }
}

struct AuthenticationSeries: Hashable, Sendable {
    let route: String
    let outcome: String
}
