import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import TrustGateDemo
import TrustGateGateway
import XCTest

final class EchoUpstreamTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var upstream: EchoUpstream!
    private var port = 0

    override func setUp() async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        upstream = EchoUpstream(group: group)
        port = try await upstream.start()
    }

    override func tearDown() async throws {
        try await upstream?.stop()
        try await group?.shutdownGracefully()
        upstream = nil
        group = nil
    }

    func testEchoesMethodURIAndHeadersInArrivalOrder() async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "localhost")
        headers.add(name: "X-First", value: "one")
        headers.add(name: "x-Mixed-CASE", value: "Two \"quoted\"")
        headers.add(name: "X-First", value: "three")
        let response = try await exchange { connection in
            try await connection.send(HTTPRequestHead(version: .http1_1, method: .PUT, uri: "/some/path?q=1&r=%20", headers: headers), body: [])
            return try await connection.readResponse()
        }

        XCTAssertEqual(response.head.status, .ok)
        XCTAssertEqual(response.head.headers["Content-Type"], ["application/json"])
        XCTAssertEqual(response.head.headers["Content-Length"], [String(response.body.count)])
        XCTAssertEqual(response.head.headers["X-Echo-Request"], ["1"])
        let echo = try response.echo()
        XCTAssertEqual(echo.method, "PUT")
        XCTAssertEqual(echo.uri, "/some/path?q=1&r=%20")
        XCTAssertEqual(echo.httpVersion, "1.1")
        XCTAssertEqual(echo.headers.filter { $0[0].lowercased().hasPrefix("x-") }, [
            ["X-First", "one"], ["x-Mixed-CASE", "Two \"quoted\""], ["X-First", "three"],
        ])
        XCTAssertEqual(echo.headers.first, ["Host", "localhost"])
        XCTAssertEqual(echo.bodyLength, 0)
        XCTAssertEqual(echo.bodySHA256, Self.sha256Hex([]))
        XCTAssertEqual(upstream.requestCount, 1)
    }

    func testHashesAMultiChunkBodyWithContentLength() async throws {
        let chunks = Self.bodyChunks(sizes: [70_000, 1, 250_000, 3])
        let all = chunks.flatMap { $0 }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "localhost")
        headers.add(name: "Content-Length", value: String(all.count))
        let response = try await exchange { connection in
            try await connection.send(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/upload", headers: headers), body: chunks)
            return try await connection.readResponse()
        }

        let echo = try response.echo()
        XCTAssertEqual(echo.bodyLength, all.count)
        XCTAssertEqual(echo.bodySHA256, Self.sha256Hex(all))
    }

    func testHashesAChunkedBody() async throws {
        let chunks = Self.bodyChunks(sizes: [10, 100_000, 7, 65_536])
        let all = chunks.flatMap { $0 }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "localhost")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        let response = try await exchange { connection in
            try await connection.send(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/chunked", headers: headers), body: chunks)
            return try await connection.readResponse()
        }

        let echo = try response.echo()
        // The encoder may respell the header; what matters is that the body went over the wire chunked.
        XCTAssertTrue(echo.headers.contains { $0[0].lowercased() == "transfer-encoding" && $0[1] == "chunked" }, "\(echo.headers)")
        XCTAssertEqual(echo.bodyLength, all.count)
        XCTAssertEqual(echo.bodySHA256, Self.sha256Hex(all))
    }

    func testStatusPathAnswersWithThatStatusAndTheEcho() async throws {
        let response = try await exchange { connection in
            try await connection.send(Self.get("/status/503"), body: [])
            return try await connection.readResponse()
        }

        XCTAssertEqual(response.head.status.code, 503)
        XCTAssertEqual(response.head.headers["X-Echo-Status"], ["503"])
        XCTAssertEqual(try response.echo().uri, "/status/503")
    }

    func testStatusPathRefusesInformationalAndMalformedCodes() async throws {
        let responses = try await exchange { connection in
            var responses: [EchoResponse] = []
            for uri in ["/status/100", "/status/abc", "/status/600"] {
                try await connection.send(Self.get(uri), body: [])
                responses.append(try await connection.readResponse())
            }
            return responses
        }

        XCTAssertEqual(responses.map(\.head.status), [.badRequest, .badRequest, .badRequest])
    }

    func testBytesPathStreamsTheRepeatingPattern() async throws {
        let count = 3 * 65_536 + 12_345
        let response = try await exchange { connection in
            try await connection.send(Self.get("/bytes/\(count)"), body: [])
            return try await connection.readResponse()
        }

        XCTAssertEqual(response.head.status, .ok)
        XCTAssertEqual(response.head.headers["Content-Type"], ["application/octet-stream"])
        XCTAssertEqual(response.head.headers["Content-Length"], [String(count)])
        XCTAssertEqual(response.body.count, count)
        let pattern = Array("0123456789".utf8)
        let mismatch = response.body.indices.first { response.body[$0] != pattern[$0 % 10] }
        XCTAssertNil(mismatch, "byte \(mismatch ?? -1) breaks the pattern")
    }

    func testHeadGetsTheHeadersWithoutABodyAndTheConnectionStaysUsable() async throws {
        let (head, afterwards) = try await exchange { connection in
            try await connection.send(HTTPRequestHead(version: .http1_1, method: .HEAD, uri: "/bytes/1000", headers: ["Host": "localhost"]), body: [])
            let head = try await connection.readResponse()
            try await connection.send(HTTPRequestHead(version: .http1_1, method: .HEAD, uri: "/anything", headers: ["Host": "localhost"]), body: [])
            let echoHead = try await connection.readResponse()
            try await connection.send(Self.get("/after-head"), body: [])
            let afterwards = try await connection.readResponse()
            XCTAssertEqual(echoHead.head.status, .ok)
            XCTAssertNotEqual(echoHead.head.headers["Content-Length"].first, "0")
            XCTAssertTrue(echoHead.body.isEmpty)
            return (head, afterwards)
        }

        XCTAssertEqual(head.head.headers["Content-Length"], ["1000"])
        XCTAssertTrue(head.body.isEmpty)
        XCTAssertEqual(try afterwards.echo().uri, "/after-head")
        XCTAssertEqual(afterwards.head.headers["X-Echo-Request"], ["3"])
    }

    func testKeepAliveServesTwoRequestsOnOneConnectionAndCountsThem() async throws {
        let (first, second, connectionsClosedByServer) = try await exchange { connection in
            try await connection.send(Self.get("/one"), body: [])
            let first = try await connection.readResponse()
            try await connection.send(Self.get("/two"), body: [Array("hello".utf8)], contentLength: 5)
            let second = try await connection.readResponse()
            return (first, second, connection.isClosedByServer)
        }

        XCTAssertFalse(connectionsClosedByServer)
        XCTAssertEqual(first.head.headers["X-Echo-Request"], ["1"])
        XCTAssertEqual(second.head.headers["X-Echo-Request"], ["2"])
        XCTAssertEqual(try first.echo().uri, "/one")
        XCTAssertEqual(try second.echo().bodyLength, 5)
        XCTAssertEqual(upstream.requestCount, 2)
    }

    func testExpectContinueGetsAnInterim100BeforeTheBodyIsSent() async throws {
        let body = Array("expected body".utf8)
        let (interim, response) = try await exchange { connection in
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: "localhost")
            headers.add(name: "Content-Length", value: String(body.count))
            headers.add(name: "Expect", value: "100-continue")
            try await connection.write(.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/expect", headers: headers)))
            // Nothing of the body has been sent: the 100 must come on the head alone.
            guard case .head(let interim) = try await connection.nextPart() else {
                throw EchoTestError.unexpected("expected an interim response head")
            }
            try await connection.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
            try await connection.write(.end(nil))
            return (interim, try await connection.readResponse())
        }

        XCTAssertEqual(interim.status, .continue)
        XCTAssertEqual(response.head.status, .ok)
        XCTAssertTrue(response.informational.isEmpty)
        XCTAssertEqual(try response.echo().bodyLength, body.count)
        XCTAssertEqual(try response.echo().bodySHA256, Self.sha256Hex(body))
    }

    func testClosePathAnswersThenClosesTheConnection() async throws {
        let (response, closed) = try await exchange { connection in
            try await connection.send(Self.get("/close"), body: [])
            let response = try await connection.readResponse()
            let next = try await connection.nextPart()
            return (response, next == nil)
        }

        XCTAssertEqual(response.head.headers["Connection"], ["close"])
        XCTAssertEqual(try response.echo().uri, "/close")
        XCTAssertTrue(closed)
    }

    func testDelayPathAnswersAfterTheDelay() async throws {
        let response = try await exchange { connection in
            try await connection.send(Self.get("/delay/20"), body: [])
            return try await connection.readResponse()
        }

        XCTAssertEqual(response.head.status, .ok)
        XCTAssertEqual(try response.echo().uri, "/delay/20")
    }

    func testRequestCountOnlyCountsCompleteRequests() async throws {
        let numberOfLaterRequest = try await exchange { partial in
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: "localhost")
            headers.add(name: "Content-Length", value: "100")
            try await partial.write(.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/partial", headers: headers)))
            try await partial.write(.body(.byteBuffer(ByteBuffer(bytes: Array(repeating: 0x41, count: 10)))))
            return try await exchange { complete in
                try await complete.send(Self.get("/complete"), body: [])
                return try await complete.readResponse().head.headers["X-Echo-Request"]
            }
        }

        XCTAssertEqual(numberOfLaterRequest, ["1"])
        XCTAssertEqual(upstream.requestCount, 1)
    }

    // MARK: Helpers

    private static func get(_ uri: String) -> HTTPRequestHead {
        HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: ["Host": "localhost"])
    }

    private static func bodyChunks(sizes: [Int]) -> [[UInt8]] {
        var generator = SystemRandomNumberGenerator()
        return sizes.map { size in (0..<size).map { _ in UInt8.random(in: .min ... .max, using: &generator) } }
    }

    private static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Opens a connection to the upstream, runs `body` on it, and closes it.
    private func exchange<Result: Sendable>(_ body: (EchoTestConnection) async throws -> Result) async throws -> Result {
        let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(HTTPRequestEncoder())
                try channel.pipeline.syncOperations.addHandler(
                    ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .forward)))
                return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
            }
        }
        return try await channel.executeThenClose { inbound, outbound in
            let connection = EchoTestConnection(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(connection)
        }
    }
}

private enum EchoTestError: Error {
    case unexpected(String)
}

/// A response as the test client read it.
private struct EchoResponse: Sendable {
    var informational: [HTTPResponseHead]
    var head: HTTPResponseHead
    var body: [UInt8]

    struct Echo {
        var method: String
        var uri: String
        var httpVersion: String
        var headers: [[String]]
        var bodyLength: Int
        var bodySHA256: String
    }

    func echo() throws -> Echo {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let method = object["method"] as? String,
              let uri = object["uri"] as? String,
              let version = object["http_version"] as? String,
              let headers = object["headers"] as? [[String]],
              let length = object["body_length"] as? Int,
              let digest = object["body_sha256"] as? String
        else {
            throw EchoTestError.unexpected("not an echo document: \(String(decoding: body, as: UTF8.self))")
        }
        return Echo(method: method, uri: uri, httpVersion: version, headers: headers, bodyLength: length, bodySHA256: digest)
    }
}

/// One HTTP/1.1 client connection, used by one test task at a time.
private final class EchoTestConnection {
    private var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    private(set) var isClosedByServer = false

    init(
        inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    ) {
        self.inbound = inbound
        self.outbound = outbound
    }

    func write(_ part: HTTPClientRequestPart) async throws {
        try await outbound.write(part)
    }

    /// Sends a whole request; with `contentLength`, that header is added to `head`.
    func send(_ head: HTTPRequestHead, body: [[UInt8]], contentLength: Int? = nil) async throws {
        var head = head
        if let contentLength { head.headers.add(name: "Content-Length", value: String(contentLength)) }
        try await write(.head(head))
        for chunk in body {
            try await write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
        }
        try await write(.end(nil))
    }

    func nextPart() async throws -> HTTPClientResponsePart? {
        let part = try await inbound.next()
        if part == nil { isClosedByServer = true }
        return part
    }

    /// Reads interim heads, then the final head, body and end.
    func readResponse() async throws -> EchoResponse {
        var informational: [HTTPResponseHead] = []
        var finalHead: HTTPResponseHead?
        var body: [UInt8] = []
        while true {
            guard let part = try await nextPart() else {
                throw EchoTestError.unexpected("the connection closed before the response ended")
            }
            switch part {
            case .head(let head) where head.status.code < 200 && head.status.code != 101:
                informational.append(head)
            case .head(let head):
                finalHead = head
            case .body(let buffer):
                body += buffer.readableBytesView
            case .end:
                guard let finalHead else { throw EchoTestError.unexpected("end without a response head") }
                return EchoResponse(informational: informational, head: finalHead, body: body)
            }
        }
    }
}
