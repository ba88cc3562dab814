import Foundation
import SwiftASN1
import X509
import XCTest

@testable import TrustGateX509

/// Forwarded client-certificate headers: every format round-trips the exact DER, foreign encoders' output is
/// read, bad values give typed errors that never echo the value.
final class ForwardedCertificateHeaderTests: XCTestCase {
    func chainDER() throws -> (leaf: [UInt8], intermediate: [UInt8], identity: CertificateIdentity) {
        let chain = try TestPKI.makeChain(sans: [.dnsName("orders.example.com"), .uniformResourceIdentifier("spiffe://example.org/orders")])
        let leaf = chain.leaf.certificate.derBytes
        let identity = try CertificateIdentity(leaf: chain.leaf.certificate, leafDER: leaf, issuer: chain.intermediate.certificate)
        return (leaf, chain.intermediate.certificate.derBytes, identity)
    }

    func decode(_ headers: [(name: String, value: String)], _ format: ForwardedCertificateFormat) throws -> [[UInt8]]? {
        try ForwardedCertificateHeader.chain(format: format) { name in
            headers.filter { $0.name.lowercased() == name }.map(\.value)
        }
    }

    func testEveryFormatRoundTripsTheExactDER() throws {
        let (leaf, intermediate, identity) = try chainDER()
        for format in ForwardedCertificateFormat.allCases {
            let headers = ForwardedCertificateHeader.headers(for: [leaf, intermediate], format: format, identity: identity)
            XCTAssertFalse(headers.isEmpty)
            for header in headers {
                XCTAssertTrue(format.headerNames.contains(header.name.lowercased()), "\(format): \(header.name)")
                XCTAssertFalse(header.value.contains("\n"), "\(format): header values are one line")
            }
            let decoded = try decode(headers, format)
            // App Service and nginx's $ssl_client_escaped_cert carry the leaf only.
            let expected = format == .arrClientCert || format == .nginxEscapedPEM ? [leaf] : [leaf, intermediate]
            XCTAssertEqual(decoded, expected, "\(format)")
        }
    }

    func testAbsentHeadersMeanNoCertificate() throws {
        for format in ForwardedCertificateFormat.allCases {
            XCTAssertNil(try decode([], format), "\(format)")
        }
        XCTAssertEqual(ForwardedCertificateFormat.allHeaderNames,
                       ["x-arr-clientcert", "client-cert", "client-cert-chain", "x-forwarded-client-cert", "x-ssl-client-cert"])
    }

    /// Seed 002's Python sample: `base64.b64decode(header)` → DER → `x509.load_der_x509_certificate`.
    func testAppServiceHeaderDecodesAsTheSeedsPythonSampleDoes() throws {
        let (leaf, _, _) = try chainDER()
        let value = ForwardedCertificateHeader.headers(for: [leaf], format: .arrClientCert)[0].value
        let script = """
            import base64, hashlib, sys
            from cryptography import x509
            der = base64.b64decode(sys.stdin.read())
            cert = x509.load_der_x509_certificate(der)
            print(hashlib.sha1(der).hexdigest().upper())
            print(cert.subject.rfc4514_string())
            """
        let result = try TestPKI.runProcess("python3", ["-c", script], stdin: Array(value.utf8))
        guard result.status == 0 else {
            if result.stderrText.contains("No module named") { throw XCTSkip("python3 lacks the cryptography package") }
            return XCTFail(result.stderrText)
        }
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, try CertificateFingerprints(derBytes: leaf).sha1Hex)
        XCTAssertEqual(lines.last, try Certificate(derEncoded: leaf).subject.rfc4514String)
    }

    func testEnvoyStyleXFCCIsReadFromTheLastElement() throws {
        let (leaf, intermediate, _) = try chainDER()
        let hash = ForwardedCertificateHeader.lowerHex(CertificateFingerprints(try Certificate(derEncoded: leaf)).sha256)
        let cert = ForwardedCertificateHeader.percentEncoded(ForwardedCertificateHeader.pem(leaf))
        let chain = ForwardedCertificateHeader.percentEncoded(ForwardedCertificateHeader.pem(leaf) + ForwardedCertificateHeader.pem(intermediate))
        // As Envoy writes it: an earlier proxy's element, then the immediate peer's, with a quoted Subject holding , and =.
        let value = #"By=spiffe://edge;Hash=0000;Subject="CN=old,O=x",By=spiffe://mesh/gw;Hash=\#(hash);Cert="\#(cert)";Chain="\#(chain)";Subject="CN=orders,O=TrustGate Tests,C=US";URI=spiffe://example.org/orders;DNS=orders.example.com;DNS=b.example.com"#
        XCTAssertEqual(try decode([("X-Forwarded-Client-Cert", value)], .xfcc), [leaf, intermediate])
        // Split over two header lines (list semantics) reads the same.
        let parts = value.split(separator: ",", maxSplits: 1).map(String.init)
        XCTAssertEqual(try decode([("x-forwarded-client-cert", parts[0]), ("x-forwarded-client-cert", parts[1])], .xfcc), [leaf, intermediate])
        // An element without Cert (the immediate proxy saw no client certificate) means none.
        XCTAssertNil(try decode([("x-forwarded-client-cert", "By=spiffe://a;Hash=\(hash);Cert=\"\(cert)\",By=spiffe://b")], .xfcc))
    }

    func testXFCCIntegrityAndSyntaxErrors() throws {
        let (leaf, intermediate, _) = try chainDER()
        let cert = ForwardedCertificateHeader.percentEncoded(ForwardedCertificateHeader.pem(leaf))
        let other = ForwardedCertificateHeader.percentEncoded(ForwardedCertificateHeader.pem(intermediate))
        XCTAssertThrowsError(try decode([("x-forwarded-client-cert", "Hash=\(String(repeating: "ab", count: 32));Cert=\"\(cert)\"")], .xfcc)) {
            XCTAssertEqual($0 as? ForwardedCertificateError, .hashMismatch)
        }
        XCTAssertThrowsError(try decode([("x-forwarded-client-cert", "Cert=\"\(cert)\";Chain=\"\(other)\"")], .xfcc)) {
            XCTAssertEqual($0 as? ForwardedCertificateError, .invalidXFCC(reason: "Chain does not start with Cert"))
        }
        for bad in ["Cert=\"unterminated", "Cert", "=value;Cert=x", "Cert=\"%ZZ\""] {
            XCTAssertThrowsError(try decode([("x-forwarded-client-cert", bad)], .xfcc), bad)
        }
    }

    func testXFCCElementsKeepQuotedSeparatorsEscapesAndUTF8() throws {
        let elements = try XFCCElements.parse(#"By=spiffe://a;Subject="CN=Zoë \"x\", O=Ünï; Ltd";DNS=a.test;DNS=b.test, URI= "spiffe://b";Hash=ab"#)
        XCTAssertEqual(elements.count, 2)
        XCTAssertEqual(elements[0]["subject"], #"CN=Zoë "x", O=Ünï; Ltd"#)
        XCTAssertEqual(elements[0]["dns"], "a.test", "the first of repeated keys is kept")
        XCTAssertEqual(elements[0]["by"], "spiffe://a")
        XCTAssertEqual(elements[1]["uri"], "spiffe://b")
        XCTAssertEqual(elements[1]["hash"], "ab")
    }

    func testNginxEscapedPEMAsNginxWritesIt() throws {
        let (leaf, _, _) = try chainDER()
        // nginx's $ssl_client_escaped_cert: spaces and newlines escaped, the rest literal except reserved characters.
        let body = Base64Text.encode(leaf)
        var lines: [String] = []
        var index = body.startIndex
        while index < body.endIndex {
            let end = body.index(index, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
            lines.append(String(body[index..<end]))
            index = end
        }
        let nginx = "-----BEGIN%20CERTIFICATE-----%0A" + lines.joined(separator: "%0A").replacingOccurrences(of: "+", with: "%2B")
            .replacingOccurrences(of: "/", with: "%2F").replacingOccurrences(of: "=", with: "%3D") + "%0A-----END%20CERTIFICATE-----%0A"
        XCTAssertEqual(try decode([("X-SSL-Client-Cert", nginx)], .nginxEscapedPEM), [leaf])
        XCTAssertEqual(ForwardedCertificateHeader.headers(for: [leaf], format: .nginxEscapedPEM)[0].value, nginx)
    }

    func testMalformedValuesGiveTypedErrorsWithoutEchoingThem() throws {
        let secretLooking = "c2VjcmV0LXRva2VuLXZhbHVl"  // base64 of text, not a certificate
        let cases: [(ForwardedCertificateFormat, [(name: String, value: String)])] = [
            (.arrClientCert, [("X-ARR-ClientCert", "not base64 !!")]),
            (.arrClientCert, [("X-ARR-ClientCert", secretLooking)]),
            (.arrClientCert, [("X-ARR-ClientCert", "MAo="), ("X-ARR-ClientCert", "MAo=")]),
            (.rfc9440, [("Client-Cert", secretLooking)]),
            (.rfc9440, [("Client-Cert", ":\(secretLooking):")]),
            (.rfc9440, [("Client-Cert", ":MAA=:"), ("Client-Cert-Chain", ":MAA=: trailing")]),
            (.nginxEscapedPEM, [("X-SSL-Client-Cert", "-----BEGIN%20CERTIFICATE-----%0A\(secretLooking)%0A-----END%20CERTIFICATE-----")]),
            (.arrClientCert, [("X-ARR-ClientCert", String(repeating: "A", count: ForwardedCertificateHeader.maxValueLength + 4))]),
        ]
        for (format, headers) in cases {
            XCTAssertThrowsError(try decode(headers, format), "\(format) \(headers.map(\.name))") { error in
                XCTAssertTrue(error is ForwardedCertificateError)
                XCTAssertFalse(String(describing: error).contains(secretLooking), "errors never repeat the value")
            }
        }
    }
}
