import Foundation
import SwiftASN1
import TrustGateX509
import X509

/// Certificates every test class uses, made once per test process (RSA key generation is slow in debug builds).
final class SharedCredentials: Sendable {
    let pki: TokenTestPKI
    /// RSA 2048, for RS256 / PS256 assertions (MSAL signs with RSA only).
    let rsa: TokenTestPKI.Credential
    /// A second RSA certificate for the same client (two registered certificates).
    let rsaSecond: TokenTestPKI.Credential
    /// P-256, for ES256 assertions.
    let ec: TokenTestPKI.Credential
    /// Subject `CN=sni-client,O=Example Corp`, for SN/I trust; `sniRenewed` is a later certificate with a new key
    /// and the same subject.
    let sni: TokenTestPKI.Credential
    let sniRenewed: TokenTestPKI.Credential
    /// Same subject, issued by a CA nobody trusts.
    let sniForeign: TokenTestPKI.Credential
    /// An RSA certificate that expired yesterday.
    let expired: TokenTestPKI.Credential
    /// Self-signed P-256 certificate.
    let selfSigned: TokenTestPKI.Credential
    /// One certificate per RFC 8705 matcher.
    let dnsClient: TokenTestPKI.Credential
    let uriClient: TokenTestPKI.Credential
    let ipClient: TokenTestPKI.Credential
    let emailClient: TokenTestPKI.Credential
    let dnClient: TokenTestPKI.Credential

    static let sniSubject = "CN=sni-client,O=Example Corp"

    static let shared: Result<SharedCredentials, any Error> = Result { try SharedCredentials() }

    static func get() throws -> SharedCredentials { try shared.get() }

    private init() throws {
        let pki = try TokenTestPKI()
        self.pki = pki
        rsa = try pki.client("rsa-client", key: .rsa2048)
        rsaSecond = try pki.client("rsa-client-2", key: .rsa2048)
        ec = try pki.client("ec-client")
        let sniName = try DistinguishedName(parsing: Self.sniSubject)
        sni = try pki.client("sni-client", subject: sniName, key: .rsa2048)
        sniRenewed = try pki.client("sni-client-renewed", subject: sniName, key: .rsa2048)
        sniForeign = try pki.client("sni-client-foreign", subject: sniName, key: .rsa2048, foreign: true)
        let now = Date()
        expired = try pki.client(
            "expired-client", key: .rsa2048,
            validity: try ValidityPeriod(notBefore: now.addingTimeInterval(-86_400 * 10), notAfter: now.addingTimeInterval(-86_400)))
        selfSigned = try pki.selfSigned("self-signed-client")
        dnsClient = try pki.client("dns-client", names: [.dnsName("orders.svc.example.com")])
        uriClient = try pki.client("uri-client", names: [.uniformResourceIdentifier("spiffe://example.com/orders")])
        ipClient = try pki.client("ip-client", names: [.ipAddress(ASN1OctetString(contentBytes: [10, 1, 2, 3]))])
        emailClient = try pki.client("email-client", names: [.rfc822Name("orders@example.com")])
        dnClient = try pki.client("dn-client", subject: try DistinguishedName(parsing: "CN=dn-client,OU=Payments,O=Example Corp,C=DE"))
    }
}
