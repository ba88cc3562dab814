import Foundation
import NIOHTTP1
import TrustGateClient
import TrustGateHummingbird
import TrustGateJOSE
import XCTest

/// Claims arrive as configured in each placement (B2C's `SendClaimsIn`), checked by what the server received.
final class ClaimsEncodingTests: XCTestCase {
    private var pki: ClientTestPKI!

    override func setUpWithError() throws {
        pki = try ClientTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    private let claims: JSONObject = [
        "email": "emily@example.com",
        "givenName": "Émily & Co",
        "loyaltyNumber": 290,
        "newsletter": true,
        "roles": ["gold", "early adopter"],
        "nothing": nil,
    ]

    private func call(port: Int, placement: ClaimsPlacement, method: HTTPMethod = .POST, path: String = "/echo") async throws -> Echo {
        var configuration = ConnectorConfiguration(serviceURL: URL(string: "https://127.0.0.1:\(port)\(path)")!, claimsPlacement: placement)
        configuration.method = method
        configuration.tls.trustedCAFiles = [pki.caFile]
        configuration.defaultClaims = ["locale": "en-US"]
        let response = try await Connector(configuration: configuration).call(claims: claims)
        XCTAssertEqual(response.status, 200, response.bodyText ?? "")
        return try Echo(response.body)
    }

    func testEachPlacementDeliversTheClaims() async throws {
        let api = EchoAPI()
        try await TestServer.run(router: api.router(nil), server: try pki.tlsServer(.ignore)) { port in
            let body = try await call(port: port, placement: .body)
            XCTAssertEqual(body.header("content-type"), ["application/json"])
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body.body.utf8)) as? [String: Any])
            XCTAssertEqual(json["email"] as? String, "emily@example.com")
            XCTAssertEqual(json["givenName"] as? String, "Émily & Co")
            XCTAssertEqual(json["loyaltyNumber"] as? Int, 290)
            XCTAssertEqual(json["newsletter"] as? Bool, true)
            XCTAssertEqual(json["roles"] as? [String], ["gold", "early adopter"])
            XCTAssertEqual(json["locale"] as? String, "en-US", "the connector's default claims are sent too")
            XCTAssertTrue(json.keys.contains("nothing"), "null stays null in JSON")

            let form = try await call(port: port, placement: .form)
            XCTAssertEqual(form.header("content-type"), ["application/x-www-form-urlencoded"])
            XCTAssertEqual(
                form.body,
                "locale=en-US&email=emily%40example.com&givenName=%C3%89mily+%26+Co&loyaltyNumber=290&newsletter=true&roles=gold&roles=early+adopter")

            let query = try await call(port: port, placement: .query, method: .GET, path: "/echo?api-version=2")
            XCTAssertEqual(query.method, "GET")
            XCTAssertEqual(
                query.query,
                "api-version=2&locale=en-US&email=emily%40example.com&givenName=%C3%89mily%20%26%20Co&loyaltyNumber=290&newsletter=true&roles=gold&roles=early%20adopter")
            XCTAssertEqual(query.body, "")

            let headers = try await call(port: port, placement: .header)
            XCTAssertEqual(headers.header("email"), ["emily@example.com"])
            XCTAssertEqual(headers.header("givenname"), ["Émily & Co"])
            XCTAssertEqual(headers.header("loyaltynumber"), ["290"])
            XCTAssertEqual(headers.header("newsletter"), ["true"])
            XCTAssertEqual(headers.header("roles"), ["gold", "early adopter"])
            XCTAssertEqual(headers.header("nothing"), [])
            XCTAssertEqual(headers.header("locale"), ["en-US"])
        }
    }

    func testClaimsThatCannotTravelAsConfiguredAreRefusedBeforeSending() async throws {
        var configuration = ConnectorConfiguration(serviceURL: URL(string: "https://127.0.0.1:1/echo")!, claimsPlacement: .header)
        let connector = try await Connector(configuration: configuration)
        for bad: JSONObject in [["bad name": "x"], ["name": "line\r\nInjected: yes"]] {
            let error = await connectorError { () async throws(ConnectorError) in _ = try await connector.call(claims: bad) }
            guard error?.code == .invalidClaims else { return XCTFail("\(bad): \(String(describing: error))") }
        }
        configuration.claimsPlacement = .body
        configuration.method = .GET
        let getter = try await Connector(configuration: configuration)
        let error = await connectorError { () async throws(ConnectorError) in _ = try await getter.call(claims: ["a": "b"]) }
        guard let error, error.code == .invalidClaims else { return XCTFail("a GET has no body for claims: \(String(describing: error))") }
        XCTAssertTrue(error.message.contains("query"), error.message)
    }
}
