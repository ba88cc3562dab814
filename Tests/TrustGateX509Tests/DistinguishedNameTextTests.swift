import Foundation
import SwiftASN1
import X509
import XCTest

@testable import TrustGateX509

final class DistinguishedNameTextTests: XCTestCase {
    private typealias Attribute = RelativeDistinguishedName.Attribute
    private typealias Types = ASN1ObjectIdentifier.RDNAttributeType

    private static let title: ASN1ObjectIdentifier = [2, 5, 4, 12]
    private static let givenName: ASN1ObjectIdentifier = [2, 5, 4, 42]
    private static let surname: ASN1ObjectIdentifier = [2, 5, 4, 4]
    private static let serialNumber: ASN1ObjectIdentifier = [2, 5, 4, 5]
    private static let userID: ASN1ObjectIdentifier = [0, 9, 2342, 19_200_300, 100, 1, 1]

    /// A name from (type, value) RDNs in encoding order (least specific first); inner arrays are multi-valued RDNs.
    private func name(_ rdns: [[(ASN1ObjectIdentifier, String)]]) throws -> DistinguishedName {
        DistinguishedName(
            rdns.map { attributes in
                RelativeDistinguishedName(attributes.map { Attribute(type: $0.0, utf8String: $0.1) })
            })
    }

    private var simple: DistinguishedName {
        get throws {
            try DistinguishedName {
                CountryName("US")
                OrganizationName("TrustGate Tests")
                OrganizationalUnitName("Engineering")
                CommonName("alice")
            }
        }
    }

    // MARK: - Formatting

    func testRFC4514AndDisplayForms() throws {
        let dn = try simple
        XCTAssertEqual(dn.rfc4514String, "CN=alice,OU=Engineering,O=TrustGate Tests,C=US")
        XCTAssertEqual(dn.displayString, "CN=alice, OU=Engineering, O=TrustGate Tests, C=US")
        XCTAssertEqual(DistinguishedName().rfc4514String, "")
    }

    func testEscaping() throws {
        let dn = try name([[(Types.commonName, #"a,b+c"d\e<f>g;h=i"#)]])
        XCTAssertEqual(dn.rfc4514String, #"CN=a\,b\+c\"d\\e\<f\>g\;h=i"#)
        XCTAssertEqual(dn.displayString, #"CN="a,b+c""d\e<f>g;h=i""#)

        let edges = try name([[(Types.organizationName, "#hash")], [(Types.commonName, " both ")]])
        XCTAssertEqual(edges.rfc4514String, ##"CN=\ both\ ,O=\#hash"##)
        XCTAssertEqual(edges.displayString, ##"CN=" both ", O="#hash""##)

        // Only the first and last space are escaped, '#' only at the start; control characters as \XX.
        let inner = try name([[(Types.commonName, "  a#b\tc  ")]])
        XCTAssertEqual(inner.rfc4514String, #"CN=\  a#b\09c \ "#)
    }

    func testMultiValuedRDN() throws {
        let dn = try name([[(Types.countryName, "US")], [(Types.organizationName, "Acme"), (Types.organizationalUnitName, "Eng")]])
        // swift-certificates keeps the RDN's attributes in DER SET OF order; both forms show them reversed, as OpenSSL does.
        XCTAssertTrue(["O=Acme+OU=Eng,C=US", "OU=Eng+O=Acme,C=US"].contains(dn.rfc4514String), dn.rfc4514String)
        XCTAssertTrue(dn.displayString.contains(" + "), dn.displayString)
    }

    func testKeywordsAndUnknownTypes() throws {
        let dn = DistinguishedName([
            RelativeDistinguishedName(try Attribute(type: Types.domainComponent, ia5String: "com")),
            RelativeDistinguishedName(try Attribute(type: Types.domainComponent, ia5String: "example")),
            RelativeDistinguishedName(Attribute(type: Types.stateOrProvinceName, utf8String: "WA")),
            RelativeDistinguishedName(try Attribute(type: Types.emailAddress, ia5String: "a@example.com")),
            RelativeDistinguishedName(Attribute(type: [1, 2, 3, 4], utf8String: "abc")),
            RelativeDistinguishedName(Attribute(type: Types.commonName, utf8String: "host")),
        ])
        XCTAssertEqual(
            dn.rfc4514String, "CN=host,1.2.3.4=#0C03616263,emailAddress=a@example.com,ST=WA,DC=example,DC=com")
        XCTAssertEqual(
            dn.displayString, "CN=host, OID.1.2.3.4=abc, E=a@example.com, S=WA, DC=example, DC=com")
    }

    func testNonStringValueIsHex() throws {
        // CN holding an INTEGER: not a string, so #hex of its DER.
        let value = try ASN1Any(derEncoded: [0x02, 0x01, 0x05])
        let dn = DistinguishedName([RelativeDistinguishedName(Attribute(type: Types.commonName, value: value))])
        XCTAssertEqual(dn.rfc4514String, "CN=#020105")
    }

    func testBMPStringValueIsDecoded() throws {
        // CN as BMPString "Zoë" (Windows CAs write these).
        let value = try ASN1Any(derEncoded: [0x1E, 0x06, 0x00, 0x5A, 0x00, 0x6F, 0x00, 0xEB])
        let dn = DistinguishedName([RelativeDistinguishedName(Attribute(type: Types.commonName, value: value))])
        XCTAssertEqual(dn.rfc4514String, "CN=Zoë")
        XCTAssertTrue(dn.isStructurallyEqual(to: try DistinguishedName(parsing: "CN=zoë")))
    }

    /// `openssl x509 -noout -subject -nameopt RFC2253` must print exactly `rfc4514String`.
    func testFormattingMatchesOpenSSL() throws {
        let names: [DistinguishedName] = [
            try simple,
            try name([[(Types.countryName, "US")], [(Types.organizationName, "Acme, Inc.")], [(Types.commonName, #"Smith+Jones "The" <Boss>; \x"#)]]),
            try name([[(Types.organizationName, "#1 Corp")], [(Types.commonName, " padded ")]]),
            try name([[(Types.countryName, "DE")], [(Types.organizationName, "Acme"), (Types.organizationalUnitName, "Eng")], [(Types.commonName, "bob")]]),
            try name([[(Types.domainComponent, "com")], [(Types.domainComponent, "example")], [(Types.localityName, "Köln")], [(Types.stateOrProvinceName, "NRW")], [(Types.commonName, "tab\there")]]),
            try name([[(Types.emailAddress, "a@example.com")], [(Self.serialNumber, "1234")], [(Self.title, "Dr")], [(Self.givenName, "Ann")], [(Self.surname, "Lee")], [(Self.userID, "u1")], [(Types.commonName, "x=y")]]),
        ]
        let directory = try makeTemporaryDirectory()
        for (index, dn) in names.enumerated() {
            let key = try TestPKI.makeKey()
            let certificate = try TestPKI.makeLeaf(subject: dn, issuer: nil, key: key).certificate
            let file = directory.appendingPathComponent("\(index).pem")
            try TestPKI.pem([certificate]).write(to: file, atomically: true, encoding: .utf8)
            // esc_msb off: OpenSSL then prints UTF-8 as it is, as rfc4514String does.
            let subject = try TestPKI.openssl(["x509", "-in", file.path, "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb"])
            XCTAssertEqual(
                subject.stdoutText.trimmingCharacters(in: .newlines), "subject=" + certificate.subject.rfc4514String)
        }
    }

    // MARK: - Parsing

    func testParsesEveryForm() throws {
        let expected = try simple
        for text in [
            "CN=alice,OU=Engineering,O=TrustGate Tests,C=US",
            "CN=alice, OU=Engineering, O=TrustGate Tests, C=US",
            "cn=alice; ou=Engineering; o=TrustGate Tests; c=US",
            "/C=US/O=TrustGate Tests/OU=Engineering/CN=alice",
            "  CN = alice , OU = Engineering , O = \"TrustGate Tests\" , C = US  ",
        ] {
            let parsed = try DistinguishedName(parsing: text)
            XCTAssertEqual(parsed, expected, text)
        }
        // #hex values keep their encoding; compare structurally.
        let hex = try DistinguishedName(parsing: "2.5.4.3=alice,OID.2.5.4.11=Engineering,O=TrustGate\\20Tests,C=#13025553")
        XCTAssertTrue(hex.isStructurallyEqual(to: expected))
        XCTAssertEqual(hex.rfc4514String, expected.rfc4514String)
    }

    func testParsedValuesUseRFC5280StringTypes() throws {
        let parsed = try DistinguishedName(parsing: "CN=alice,DC=example,C=US,E=a@b.c")
        let attributes = parsed.flatMap { $0 }
        // C is PrintableString (0x13), DC and emailAddress IA5String (0x16), CN UTF8String (0x0C).
        XCTAssertEqual(attributes.map { $0.value.derBytes.first }, [0x16, 0x13, 0x16, 0x0C])
    }

    func testParsesEscapesQuotesAndMultiValuedRDNs() throws {
        let parsed = try DistinguishedName(parsing: #"CN=a\,b\+c\"d\\e\<f\>g\;h,O="Acme, Inc.",OU=x+L=y"#)
        XCTAssertEqual(parsed.count, 3)
        XCTAssertEqual(parsed.last?.first.flatMap { String($0.value) }, #"a,b+c"d\e<f>g;h"#)
        XCTAssertEqual(parsed[1].first.flatMap { String($0.value) }, "Acme, Inc.")
        XCTAssertEqual(parsed[0].count, 2)
        // Hex escapes of UTF-8 bytes, .NET's doubled quotes, escaped leading/trailing spaces.
        let utf8 = try DistinguishedName(parsing: #"CN=caf\C3\A9,O="say ""hi""",L=\ x\ "#)
        XCTAssertEqual(utf8.last.flatMap { $0.first }.flatMap { String($0.value) }, "café")
        XCTAssertEqual(utf8[1].first.flatMap { String($0.value) }, #"say "hi""#)
        XCTAssertEqual(utf8[0].first.flatMap { String($0.value) }, " x ")
        // OpenSSL's slash form: ',' is literal, '+' joins an RDN.
        let slash = try DistinguishedName(parsing: "/C=US/O=Acme, Inc./OU=a+CN=b")
        XCTAssertEqual(slash.count, 3)
        XCTAssertEqual(slash[1].first.flatMap { String($0.value) }, "Acme, Inc.")
        XCTAssertEqual(slash[2].count, 2)
    }

    func testAliasesMapToTheSameTypes() throws {
        let parsed = try DistinguishedName(
            parsing: "S=WA,ST=WA,E=a@b.c,emailAddress=a@b.c,T=Dr,title=Dr,G=Ann,GN=Ann,givenName=Ann,SN=Lee,SERIALNUMBER=1,UID=u,STREET=Main,DC=x,L=y")
        let types = parsed.reversed().map { $0.first!.type }
        XCTAssertEqual(
            types,
            [
                Types.stateOrProvinceName, Types.stateOrProvinceName, Types.emailAddress, Types.emailAddress,
                Self.title, Self.title, Self.givenName, Self.givenName, Self.givenName, Self.surname,
                Self.serialNumber, Self.userID, Types.streetAddress, Types.domainComponent, Types.localityName,
            ])
    }

    func testRoundTrips() throws {
        let names: [DistinguishedName] = [
            try simple,
            try name([[(Types.commonName, #"a,b+c"d\e<f>g;h"#)]]),
            try name([[(Types.organizationName, "#1"), (Types.organizationalUnitName, " x ")], [(Types.commonName, "café")]]),
            try name([[([1, 2, 3, 4], "opaque")], [(Types.commonName, "tab\there")]]),
        ]
        for dn in names {
            let fromRFC4514 = try DistinguishedName(parsing: dn.rfc4514String)
            XCTAssertTrue(fromRFC4514.isStructurallyEqual(to: dn), dn.rfc4514String)
            XCTAssertEqual(fromRFC4514.rfc4514String, dn.rfc4514String)
            let fromDisplay = try DistinguishedName(parsing: dn.displayString)
            XCTAssertTrue(fromDisplay.isStructurallyEqual(to: dn), dn.displayString)
        }
    }

    func testParsingErrors() {
        let cases: [(String, DistinguishedNameParsingError)] = [
            ("", .empty),
            ("   ", .empty),
            ("hello world", .unknownAttributeType("hello", position: 0)),
            ("CN", .expectedEquals(position: 2)),
            ("=alice", .expectedAttributeType(position: 0)),
            ("XX=alice", .unknownAttributeType("XX", position: 0)),
            ("CN=a,,O=b", .expectedAttributeType(position: 5)),
            ("CN=a\\", .invalidEscape(position: 4)),
            ("CN=\"alice", .unterminatedQuote(position: 3)),
            ("CN=\"alice\" x", .unexpectedCharacter("x", position: 11)),
            ("CN=#zz", .invalidHexValue(position: 3)),
            ("CN=#0C05", .invalidHexValue(position: 3)),
            ("CN=\\FF\\FE", .invalidUTF8(position: 3)),
            ("1=x", .unknownAttributeType("1", position: 0)),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try DistinguishedName(parsing: text), text) { error in
                XCTAssertEqual(error as? DistinguishedNameParsingError, expected, "\(text): \(error)")
                XCTAssertFalse("\(error)".isEmpty)
            }
        }
    }

    /// Random text made of DN syntax characters must parse or fail with a typed error, never crash; whatever
    /// parses must survive a round trip through its RFC 4514 form.
    func testRandomTextNeverCrashes() throws {
        let alphabet = Array(#"CNOU=,+;/\"# + "\"#  0123456789abcdefABCDEFé.\t")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let length = Int.random(in: 0..<24, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            do {
                let parsed = try DistinguishedName(parsing: text)
                let reparsed = try DistinguishedName(parsing: parsed.rfc4514String)
                XCTAssertTrue(reparsed.isStructurallyEqual(to: parsed), "\(text) -> \(parsed.rfc4514String)")
            } catch {
                XCTAssertTrue(error is DistinguishedNameParsingError, "\(text): \(error)")
            }
        }
    }

    // MARK: - Structural equality

    func testStructuralEqualityIgnoresSpacingCaseQuotingAndEncoding() throws {
        let reference = try simple
        for text in [
            "cn=ALICE, ou=engineering, o=\"TrustGate   Tests\", c=us",
            "CN=  alice ,OU=Engineering,O=TrustGate\\20Tests,C=US",
            "/C=US/O=trustgate tests/OU=ENGINEERING/CN=Alice",
        ] {
            XCTAssertTrue(reference.isStructurallyEqual(to: try DistinguishedName(parsing: text)), text)
        }
        // PrintableString vs UTF8String for the same text.
        let printable = DistinguishedName([
            RelativeDistinguishedName(try Attribute(type: Types.commonName, printableString: "alice"))
        ])
        let utf8 = DistinguishedName([RelativeDistinguishedName(Attribute(type: Types.commonName, utf8String: "Alice"))])
        XCTAssertNotEqual(printable, utf8)
        XCTAssertTrue(printable.isStructurallyEqual(to: utf8))
        // Attribute order inside a multi-valued RDN does not matter.
        XCTAssertTrue(
            try DistinguishedName(parsing: "OU=a+CN=b,C=US").isStructurallyEqual(to: try DistinguishedName(parsing: "CN=B+OU=A,C=us")))
    }

    func testStructuralEqualityDetectsDifferences() throws {
        let reference = try DistinguishedName(parsing: "CN=alice,O=Acme,C=US")
        for text in [
            "O=Acme,CN=alice,C=US",  // order
            "OU=alice,O=Acme,C=US",  // type
            "CN=alice2,O=Acme,C=US",  // value
            "CN=alice,O=Acme",  // RDN count
            "CN=alice+O=Acme,C=US",  // grouping
            "CN=a lice,O=Acme,C=US",  // inner whitespace is collapsed, not removed
        ] {
            XCTAssertFalse(reference.isStructurallyEqual(to: try DistinguishedName(parsing: text)), text)
        }
    }
}
