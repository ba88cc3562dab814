import NIOCore

/// Incremental HTTP/1.1 response parser that only finds what a load generator needs: the status code, whether the
/// server will close, and where the response ends (Content-Length, chunked, or end of connection).
///
/// Bodies are skipped, not stored. Only the head is buffered (in a buffer reused across responses), so a kept-alive
/// connection parses without allocating once warm.
struct HTTP1ResponseParser {
    enum ParseError: Error, CustomStringConvertible {
        case malformedStatusLine
        case malformedContentLength
        case malformedChunk
        case headTooLarge

        var description: String {
            switch self {
            case .malformedStatusLine: return "malformed HTTP status line"
            case .malformedContentLength: return "malformed Content-Length"
            case .malformedChunk: return "malformed chunked body"
            case .headTooLarge: return "response head larger than 64 KiB"
            }
        }
    }

    struct Response: Equatable {
        var status: Int
        /// The server announced `Connection: close` (or spoke HTTP/1.0 without keep-alive).
        var closesConnection: Bool
    }

    private enum Body {
        case none
        case length(remaining: Int)
        case chunked(ChunkedBodyScanner)
        case untilClose
    }

    private enum State {
        case head
        case body(Body)
    }

    private static let maxHeadSize = 64 * 1024

    private var state: State = .head
    private var head: ByteBuffer
    private var status = 0
    private var closesConnection = false

    init(allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        head = allocator.buffer(capacity: 1024)
    }


    /// Feeds received bytes. Returns the response once it is complete; bytes after its end are dropped, because only
    /// one request is ever in flight on a connection.
    mutating func feed(_ buffer: inout ByteBuffer) throws -> Response? {
        while true {
            switch state {
            case .head:
                guard try consumeHead(&buffer) else { return nil }
            case .body(var body):
                let done = try Self.consumeBody(&body, from: &buffer)
                if done {
                    buffer.moveReaderIndex(to: buffer.writerIndex)
                    return finish()
                }
                state = .body(body)
                return nil
            }
        }
    }

    /// The connection ended: completes a response whose body runs until close.
    mutating func finishAtEndOfStream() -> Response? {
        if case .body(.untilClose) = state { return finish() }
        return nil
    }

    private mutating func finish() -> Response {
        let response = Response(status: status, closesConnection: closesConnection)
        state = .head
        status = 0
        closesConnection = false
        return response
    }

    /// Copies bytes into the head buffer until the blank line; on success the state is `.body` and `buffer` is left
    /// at the first body byte. Returns false when more bytes are needed.
    private mutating func consumeHead(_ buffer: inout ByteBuffer) throws -> Bool {
        let alreadyBuffered = head.readableBytes
        head.writeImmutableBuffer(buffer)
        guard let headLength = Self.headLength(in: head, searchingFrom: max(0, alreadyBuffered - 3)) else {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            if head.readableBytes > Self.maxHeadSize { throw ParseError.headTooLarge }
            return false
        }
        // Leave the bytes after the head in `buffer`: they are the body (or the next head).
        buffer.moveReaderIndex(forwardBy: headLength - alreadyBuffered)
        let body = try parseHead(length: headLength)
        head.clear()
        if (100..<200).contains(status) && status != 101 {
            // Interim response (100 Continue, 103 Early Hints): the real one follows.
            status = 0
            closesConnection = false
            return true
        }
        state = .body(body)
        return true
    }

    private static func headLength(in buffer: ByteBuffer, searchingFrom offset: Int) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            var index = offset
            while index + 3 < bytes.count {
                if bytes[index + 3] != UInt8(ascii: "\n") {
                    index += 1
                    continue
                }
                if bytes[index] == UInt8(ascii: "\r") && bytes[index + 1] == UInt8(ascii: "\n")
                    && bytes[index + 2] == UInt8(ascii: "\r")
                {
                    return index + 4
                }
                index += 1
            }
            return nil
        }
    }

    private mutating func parseHead(length: Int) throws -> Body {
        var contentLength: Int?
        var chunked = false
        var closes = false
        var http10 = false
        var keepAlive = false
        let parsedStatus = try head.withUnsafeReadableBytes { raw -> Int in
            let bytes = UnsafeRawBufferPointer(rebasing: raw[0..<length])
            // "HTTP/1.1 200 ..."
            guard bytes.count >= 12, bytes[0] == UInt8(ascii: "H"), bytes[4] == UInt8(ascii: "/"),
                bytes[8] == UInt8(ascii: " ")
            else { throw ParseError.malformedStatusLine }
            http10 = bytes[7] == UInt8(ascii: "0")
            var code = 0
            for offset in 9..<12 {
                let digit = Int(bytes[offset]) - Int(UInt8(ascii: "0"))
                guard (0...9).contains(digit) else { throw ParseError.malformedStatusLine }
                code = code * 10 + digit
            }
            var lineStart = Self.indexAfterLineEnd(bytes, from: 12)
            while lineStart < bytes.count {
                let lineEnd = Self.lineEnd(bytes, from: lineStart)
                if lineEnd == lineStart { break }  // blank line
                let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd])
                if let value = Self.headerValue(line, name: "content-length") {
                    guard let parsed = Self.parseDecimal(value) else { throw ParseError.malformedContentLength }
                    contentLength = parsed
                } else if let value = Self.headerValue(line, name: "transfer-encoding") {
                    chunked = Self.containsCaseInsensitive(value, "chunked")
                } else if let value = Self.headerValue(line, name: "connection") {
                    if Self.containsCaseInsensitive(value, "close") { closes = true }
                    if Self.containsCaseInsensitive(value, "keep-alive") { keepAlive = true }
                }
                lineStart = Self.indexAfterLineEnd(bytes, from: lineEnd)
            }
            return code
        }
        status = parsedStatus
        closesConnection = closes || (http10 && !keepAlive)
        if (100..<200).contains(status) || status == 204 || status == 304 { return .none }
        if chunked { return .chunked(ChunkedBodyScanner()) }
        if let contentLength { return contentLength == 0 ? .none : .length(remaining: contentLength) }
        closesConnection = true
        return .untilClose
    }

    /// Consumes body bytes; returns true when the body is complete.
    private static func consumeBody(_ body: inout Body, from buffer: inout ByteBuffer) throws -> Bool {
        switch body {
        case .none:
            return true
        case .length(let remaining):
            let take = min(remaining, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: take)
            body = .length(remaining: remaining - take)
            return remaining == take
        case .chunked(var scanner):
            let done = try scanner.consume(&buffer)
            body = .chunked(scanner)
            return done
        case .untilClose:
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return false
        }
    }

    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index < bytes.count, bytes[index] != UInt8(ascii: "\r"), bytes[index] != UInt8(ascii: "\n") {
            index += 1
        }
        return index
    }

    private static func indexAfterLineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = lineEnd(bytes, from: start)
        if index < bytes.count, bytes[index] == UInt8(ascii: "\r") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "\n") { index += 1 }
        return index
    }

    /// The trimmed value when `line` is the header `name` (lower-case ASCII), else nil.
    private static func headerValue(_ line: UnsafeRawBufferPointer, name: StaticString) -> UnsafeRawBufferPointer? {
        let nameLength = name.utf8CodeUnitCount
        guard line.count > nameLength, line[nameLength] == UInt8(ascii: ":") else { return nil }
        let nameBytes = name.utf8Start
        for offset in 0..<nameLength where line[offset] | 0x20 != nameBytes[offset] {
            return nil
        }
        var start = nameLength + 1
        var end = line.count
        while start < end, line[start] == UInt8(ascii: " ") || line[start] == UInt8(ascii: "\t") { start += 1 }
        while end > start, line[end - 1] == UInt8(ascii: " ") || line[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: line[start..<end])
    }

    private static func parseDecimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            let digit = Int(byte) - Int(UInt8(ascii: "0"))
            guard (0...9).contains(digit) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    private static func containsCaseInsensitive(_ haystack: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard haystack.count >= count else { return false }
        let needleBytes = needle.utf8Start
        for start in 0...(haystack.count - count) {
            var matches = true
            for offset in 0..<count where haystack[start + offset] | 0x20 != needleBytes[offset] {
                matches = false
                break
            }
            if matches { return true }
        }
        return false
    }
}
