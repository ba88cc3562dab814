import NIOHTTP1
import XCTest
@testable import TrustGateGateway

/// The name rules behind issue 12, without a network: how each client header name is classified with `_`
/// folded to `-`, what a trailer may carry, which Connection lists are refused.
final class RequestHeaderRulesTests: XCTestCase {
    func testUnderscoreSpellingsOfManagedNamesAreProtected() {
        for name in [
            "X_ARR_ClientCert", "x_arr_clientcert", "X-ARR_ClientCert", "Client_Cert", "client_cert_chain", "X_Forwarded_Client_Cert",
            "X_SSL_Client_Verify", "x_trustgate_principal", "SSL_Client_Cert", "X_Forwarded_For", "x_forwarded_proto", "X_Forwarded_Host",
            "Transfer_Encoding", "Content_Length", "Keep_Alive", "Proxy_Connection", "Proxy_Authorization",
        ] {
            XCTAssertEqual(RequestHeaderClass.of(name), .underscored(protected: true), name)
        }
        for name in ["X_Custom", "my_header", "X_ARR_ClientCertificate", "_"] {
            XCTAssertEqual(RequestHeaderClass.of(name), .underscored(protected: false), name)
        }
        XCTAssertEqual(RequestHeaderClass.of("X-Arr-ClientCERT"), .spoofable)
        XCTAssertEqual(RequestHeaderClass.of("CONTENT-LENGTH"), .contentLength)
        XCTAssertEqual(RequestHeaderClass.of("X-Custom"), .endToEnd)
        XCTAssertEqual(RequestHeaderClass.folded("X_ARR_ClientCert"), "x-arr-clientcert")
        // Responses come from the upstream: their names are not folded.
        XCTAssertTrue(RequestHeaderClass.isHopByHop("Transfer-Encoding"))
        XCTAssertFalse(RequestHeaderClass.isHopByHop("Transfer_Encoding"))
    }

    func testNIOHeaderLookupDoesNotFoldUnderscores() {
        // The trusted-proxy reader and the route's credential lookups rely on it: a proxy's `X_ARR_ClientCert`
        // is not its `X-ARR-ClientCert`.
        let headers = HTTPHeaders([("X_ARR_ClientCert", "abc"), ("x_functions_key", "k")])
        XCTAssertEqual(headers["x-arr-clientcert"], [])
        XCTAssertEqual(headers["x-functions-key"], [])
    }

    func testTrailersForbiddenByRFC9110AreRefused() {
        for name in ["Content-Length", "transfer-encoding", "Host", "Authorization", "TE", "Trailer", "Connection", "Content-Type", "Cookie", "Expect"] {
            XCTAssertEqual(RequestTrailers.judge(HTTPHeaders([(name, "x")]), allowsUnderscores: true, removed: []), .refuse(field: name), name)
        }
    }

    func testTrailersLoseWhatHeadersLose() {
        let trailers = HTTPHeaders([
            ("X-ARR-ClientCert", "a"), ("X_ARR_ClientCert", "b"), ("X-Forwarded-For", "c"), ("X-Caller", "d"), ("x_caller", "e"),
            ("X_Flag", "f"), ("X-Checksum", "g"),
        ])
        guard case .forward(let kept, let dropped) = RequestTrailers.judge(trailers, allowsUnderscores: false, removed: ["x-caller"]) else {
            return XCTFail("refused")
        }
        XCTAssertEqual(kept.map { Array($0.map(\.name)) }, ["X-Checksum"])
        XCTAssertEqual(dropped, ["X-ARR-ClientCert", "X_ARR_ClientCert", "X-Forwarded-For", "X-Caller", "x_caller", "X_Flag"])
        guard case .forward(let allowed, _) = RequestTrailers.judge(trailers, allowsUnderscores: true, removed: ["x-caller"]) else {
            return XCTFail("refused")
        }
        XCTAssertEqual(allowed.map { Array($0.map(\.name)) }, ["X_Flag", "X-Checksum"])
        XCTAssertEqual(RequestTrailers.judge(nil, allowsUnderscores: false, removed: []), .forward(nil, dropped: []))
    }

    func testConnectionListsNamingFramingAreFound() {
        XCTAssertEqual(ConnectionHeader.nominatedFramingField(in: HTTPHeaders([("Connection", "close, Content-Length")])), "content-length")
        XCTAssertEqual(ConnectionHeader.nominatedFramingField(in: HTTPHeaders([("Connection", "keep-alive"), ("connection", "transfer_encoding")])), "transfer_encoding")
        XCTAssertNil(ConnectionHeader.nominatedFramingField(in: HTTPHeaders([("Connection", "close, x-private, host")])))
        XCTAssertEqual(ConnectionHeader.nominatedNames(" Keep-Alive , X-A,,close, x-b "), ["x-a", "x-b"])
    }
}
