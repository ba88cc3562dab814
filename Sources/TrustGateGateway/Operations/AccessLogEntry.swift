public import Foundation

/// One request as the access log records it. Built on the event loop (plain stored values, no formatting);
/// turned into a JSON line by the log's background writer with ``appendJSONLine(to:)``.
public struct AccessLogEntry: Sendable, Encodable {
    public var time: Date
    public var clientAddress: String
    /// The TLS server name the client sent; nil for plain HTTP or no SNI.
    public var sni: String?
    public var method: String
    public var path: String
    public var status: Int
    public var durationMilliseconds: Double
    public var upstream: String?
    public var route: String?
    public var certificateSubject: String?
    public var certificateSHA256: String?
    /// "accepted", a ``RejectionCode`` raw value, or "none" (no certificate was needed or presented).
    public var verdict: String?
    public var httpVersion: String
    public var bytesSent: Int?
    /// The id sent upstream as `X-Request-Id` (a trusted proxy's, or the gateway's own).
    public var requestID: String?
    /// The route's `auth`: the method that authenticated (`basic`, `api_key`, `jwt` …) or the denial's reason.
    public var authentication: String?
    /// Who the route's `auth` authenticated.
    public var principal: String?
    /// Request body bytes read from the client.
    public var bytesReceived: Int?
    /// The upstream's response status and the time to its response head, when an upstream answered.
    public var upstreamStatus: Int?
    public var upstreamMilliseconds: Double?
    public var userAgent: String?

    public init(
        time: Date = Date(), clientAddress: String, sni: String? = nil, method: String, path: String, status: Int,
        durationMilliseconds: Double, upstream: String? = nil, route: String? = nil, certificateSubject: String? = nil,
        certificateSHA256: String? = nil, verdict: String? = nil, httpVersion: String = "HTTP/1.1", bytesSent: Int? = nil
    ) {
        self.time = time
        self.clientAddress = clientAddress
        self.sni = sni
        self.method = method
        self.path = path
        self.status = status
        self.durationMilliseconds = durationMilliseconds
        self.upstream = upstream
        self.route = route
        self.certificateSubject = certificateSubject
        self.certificateSHA256 = certificateSHA256
        self.verdict = verdict
        self.httpVersion = httpVersion
        self.bytesSent = bytesSent
    }

    enum CodingKeys: String, CodingKey {
        case time
        case clientAddress = "client_address"
        case sni
        case method
        case path
        case status
        case durationMilliseconds = "duration_ms"
        case upstream
        case route
        case certificateSubject = "certificate_subject"
        case certificateSHA256 = "certificate_sha256"
        case verdict
        case httpVersion = "http_version"
        case bytesSent = "bytes_sent"
        case requestID = "request_id"
        case authentication = "auth"
        case principal
        case bytesReceived = "bytes_received"
        case upstreamStatus = "upstream_status"
        case upstreamMilliseconds = "upstream_ms"
        case userAgent = "user_agent"
    }

    /// The same object as ``appendJSONLine(to:)`` writes (absent optionals are left out), for callers that
    /// embed entries in other documents.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.rfc3339Milliseconds(time), forKey: .time)
        try container.encode(clientAddress, forKey: .clientAddress)
        try container.encodeIfPresent(sni, forKey: .sni)
        try container.encode(method, forKey: .method)
        try container.encode(path, forKey: .path)
        try container.encode(status, forKey: .status)
        try container.encode(Self.roundedMilliseconds(durationMilliseconds), forKey: .durationMilliseconds)
        try container.encodeIfPresent(upstream, forKey: .upstream)
        try container.encodeIfPresent(route, forKey: .route)
        try container.encodeIfPresent(certificateSubject, forKey: .certificateSubject)
        try container.encodeIfPresent(certificateSHA256, forKey: .certificateSHA256)
        try container.encodeIfPresent(verdict, forKey: .verdict)
        try container.encode(httpVersion, forKey: .httpVersion)
        try container.encodeIfPresent(bytesSent, forKey: .bytesSent)
        try container.encodeIfPresent(requestID, forKey: .requestID)
        try container.encodeIfPresent(authentication, forKey: .authentication)
        try container.encodeIfPresent(principal, forKey: .principal)
        try container.encodeIfPresent(bytesReceived, forKey: .bytesReceived)
        try container.encodeIfPresent(upstreamStatus, forKey: .upstreamStatus)
        try container.encodeIfPresent(upstreamMilliseconds.map(Self.roundedMilliseconds), forKey: .upstreamMilliseconds)
        try container.encodeIfPresent(userAgent, forKey: .userAgent)
    }

    /// Appends the entry as one JSON object and a line feed. Written by hand rather than with JSONEncoder:
    /// fixed key order, no intermediate objects, a few hundred nanoseconds per line.
    public func appendJSONLine(to line: inout [UInt8]) {
        // The buffer is moved into the writer and back, never copied: `line` holds a whole batch.
        var writer = JSONObjectWriter()
        swap(&writer.output, &line)
        writer.begin()
        writer.timestamp(CodingKeys.time.rawValue, time)
        writer.string(CodingKeys.clientAddress.rawValue, clientAddress)
        writer.string(CodingKeys.sni.rawValue, sni)
        writer.string(CodingKeys.method.rawValue, method)
        writer.string(CodingKeys.path.rawValue, path)
        writer.number(CodingKeys.status.rawValue, String(status))
        writer.number(CodingKeys.durationMilliseconds.rawValue, Self.formatNumber(Self.roundedMilliseconds(durationMilliseconds)))
        writer.string(CodingKeys.upstream.rawValue, upstream)
        writer.string(CodingKeys.route.rawValue, route)
        writer.string(CodingKeys.certificateSubject.rawValue, certificateSubject)
        writer.string(CodingKeys.certificateSHA256.rawValue, certificateSHA256)
        writer.string(CodingKeys.verdict.rawValue, verdict)
        writer.string(CodingKeys.httpVersion.rawValue, httpVersion)
        if let bytesSent { writer.number(CodingKeys.bytesSent.rawValue, String(bytesSent)) }
        writer.string(CodingKeys.requestID.rawValue, requestID)
        writer.string(CodingKeys.authentication.rawValue, authentication)
        writer.string(CodingKeys.principal.rawValue, principal)
        if let bytesReceived { writer.number(CodingKeys.bytesReceived.rawValue, String(bytesReceived)) }
        if let upstreamStatus { writer.number(CodingKeys.upstreamStatus.rawValue, String(upstreamStatus)) }
        if let upstreamMilliseconds {
            writer.number(CodingKeys.upstreamMilliseconds.rawValue, Self.formatNumber(Self.roundedMilliseconds(upstreamMilliseconds)))
        }
        writer.string(CodingKeys.userAgent.rawValue, userAgent)
        writer.finish()
        swap(&writer.output, &line)
    }

    /// Microsecond resolution is all a log reader needs; more digits are clock noise.
    static func roundedMilliseconds(_ value: Double) -> Double {
        guard value.isFinite else { return 0 }
        return (value * 1000).rounded() / 1000
    }

    static func formatNumber(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }

    /// `2024-05-01T12:34:56.789Z`.
    static func rfc3339Milliseconds(_ date: Date) -> String {
        var bytes: [UInt8] = []
        appendRFC3339Milliseconds(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Computed from the Unix time with the proleptic Gregorian calendar (Hinnant's civil-from-days) straight
    /// into the line's bytes: no formatter, locale or intermediate strings.
    static func appendRFC3339Milliseconds(_ date: Date, to output: inout [UInt8]) {
        let seconds = date.timeIntervalSince1970
        // Beyond ±100,000 years Int64 microseconds would trap; such a date is a bug elsewhere, not worth a crash.
        guard seconds.isFinite, abs(seconds) < 3e12 else {
            output.append(contentsOf: "0000-01-01T00:00:00.000Z".utf8)
            return
        }
        // Whole microseconds first (absorbing binary noise such as -0.001 * 1000 = -1.0000000000000002),
        // then milliseconds truncated towards the past, as clocks display them.
        let microseconds = Int64((seconds * 1_000_000).rounded())
        let totalMilliseconds = floorDivide(microseconds, 1000)
        let totalSeconds = floorDivide(totalMilliseconds, 1000)
        let milliseconds = totalMilliseconds - totalSeconds * 1000
        let days = floorDivide(totalSeconds, 86_400)
        let secondOfDay = totalSeconds - days * 86_400
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        if year < 0 {
            output.append(UInt8(ascii: "-"))
        }
        appendDigits(abs(year), width: 4, to: &output)
        output.append(UInt8(ascii: "-"))
        appendDigits(month, width: 2, to: &output)
        output.append(UInt8(ascii: "-"))
        appendDigits(day, width: 2, to: &output)
        output.append(UInt8(ascii: "T"))
        appendDigits(secondOfDay / 3600, width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 3600 / 60, width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, width: 2, to: &output)
        output.append(UInt8(ascii: "."))
        appendDigits(milliseconds, width: 3, to: &output)
        output.append(UInt8(ascii: "Z"))
    }

    /// Rounds towards negative infinity, so instants before 1970 land in the right second and day.
    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient
    }

    /// A non-negative number, zero-padded to at least `width` digits, most significant digit first.
    private static func appendDigits(_ value: Int64, width: Int, to output: inout [UInt8]) {
        var divisor: Int64 = 1
        var digits = 1
        while digits < width || value / divisor >= 10 {
            divisor *= 10
            digits += 1
        }
        var remaining = value
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(remaining / divisor))
            remaining %= divisor
            divisor /= 10
        }
    }
}

/// Writes `{"key":value,...}\n` into a byte buffer, escaping strings per RFC 8259.
private struct JSONObjectWriter {
    var output: [UInt8] = []
    private var first = true

    mutating func begin() {
        output.append(UInt8(ascii: "{"))
        first = true
    }

    mutating func string(_ key: String, _ value: String?) {
        guard let value else { return }
        self.key(key)
        appendQuoted(value)
    }

    mutating func timestamp(_ key: String, _ date: Date) {
        self.key(key)
        output.append(UInt8(ascii: "\""))
        AccessLogEntry.appendRFC3339Milliseconds(date, to: &output)
        output.append(UInt8(ascii: "\""))
    }

    mutating func number(_ key: String, _ literal: String) {
        self.key(key)
        output.append(contentsOf: literal.utf8)
    }

    mutating func finish() {
        output.append(UInt8(ascii: "}"))
        output.append(UInt8(ascii: "\n"))
    }

    private mutating func key(_ key: String) {
        if !first { output.append(UInt8(ascii: ",")) }
        first = false
        appendQuoted(key)
        output.append(UInt8(ascii: ":"))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private mutating func appendQuoted(_ value: String) {
        output.append(UInt8(ascii: "\""))
        var value = value
        // Native strings are contiguous UTF-8 (no copy); the scan and the bulk copy run on the raw bytes.
        value.withUTF8 { bytes in
            // Almost every value (addresses, paths, hex, names) needs no escaping: copy it in one go.
            guard bytes.contains(where: Self.needsEscaping) else {
                output.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                appendEscaping(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaping(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""):
            output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"):
            output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case UInt8(ascii: "\n"):
            output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case UInt8(ascii: "\r"):
            output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case UInt8(ascii: "\t"):
            output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0..<0x20, 0x7F:
            // Control characters (and DEL, which terminals act on) as \u00XX: a log line stays one line
            // and cannot move a viewer's cursor.
            output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            output.append(Self.hexDigits[Int(byte >> 4)])
            output.append(Self.hexDigits[Int(byte & 0x0F)])
        default:
            // Swift strings are valid UTF-8, so multi-byte sequences pass through unchanged.
            output.append(byte)
        }
    }
}
