import ArgumentParser
import Foundation
import TrustGateX509
import X509

struct PKIIssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue a client or server certificate with a new key from a CA made by init-ca.",
        discussion: """
            Writes PREFIX.pem (the certificate), PREFIX-chain.pem (the certificate, then the intermediate if any; \
            not the root — give that to the other side as its trust anchor) and PREFIX.key (PKCS#8 PEM, mode 0600). \
            Existing files are not replaced unless --force. The serial (16 random bytes) is recorded in the CA's \
            state.json, for revoke.

            client: keyUsage digitalSignature, extKeyUsage clientAuth.
            server: keyUsage digitalSignature (+ keyEncipherment for RSA), extKeyUsage serverAuth; without any \
            --dns/--ip the CN is used as the DNS name (clients ignore the CN).
            Both: basicConstraints CA:false, subject and authority key identifiers; the SAN extension is critical \
            when the subject is empty.

            Examples:
              trustgate pki issue --ca ./ca --type client --cn billing --out billing
              trustgate pki issue --ca ./ca --type client --subject "" \\
                  --uri spiffe://example.org/sa/billing --out svid
              trustgate pki issue --ca ./ca --type server --cn api.example.com \\
                  --dns api.example.com --ip 127.0.0.1 --out api
              trustgate pki issue --ca ./ca --type client --cn old \\
                  --not-before 2020-01-01 --not-after 2020-12-31 --out expired
            """)

    @Option(help: ArgumentHelp("The CA directory.", valueName: "dir"))
    var ca: String

    @Option(name: .customLong("type"), help: ArgumentHelp("client or server.", valueName: "type"))
    var type: String

    @OptionGroup(title: "Subject")
    var subject: SubjectOptions

    @OptionGroup(title: "Subject alternative names")
    var alternativeNames: AlternativeNameOptions

    @OptionGroup(title: "Key usage")
    var extendedKeyUsage: ExtendedKeyUsageOptions

    @OptionGroup(title: "Validity")
    var validity: ValidityOptions

    @Option(help: ArgumentHelp(
        "Key type: ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096.", valueName: "type"))
    var key: String = KeyAlgorithm.default.rawValue

    @Option(help: ArgumentHelp(
        "Output prefix: writes PREFIX.pem, PREFIX-chain.pem, PREFIX.key (a trailing .pem is ignored).", valueName: "prefix"))
    var out: String

    @Flag(help: "Replace existing output files.")
    var force = false

    func run() throws {
        try PKICommandRunner.run("issue") {
            let now = Date()
            let profile = try IssuanceProfile(parsing: type)
            let keyAlgorithm = try KeyAlgorithm(parsing: key)
            let name = try subject.distinguishedName(required: true)
            var names = try alternativeNames.generalNames()
            if profile == .server, alternativeNames.dnsNames.isEmpty, alternativeNames.ipAddresses.isEmpty,
               let commonName = PKINames.commonName(of: name) {
                names.insert(try Self.serverName(fromCommonName: commonName), at: 0)
            }
            var period = try validity.period(defaultDays: 365, now: now)
            let usages = try extendedKeyUsage.extendedKeyUsages()
            let output = try OutputPrefix(out)
            try SecureFileWriter.checkWritable([output.key, output.certificate, output.chain], overwrite: force)

            let authority = try CertificateAuthority.load(from: ca)
            // The default length yields to the CA's remaining life; an explicit one is refused instead (by issue).
            let caExpiry = authority.issuingCertificate.notValidAfter
            if validity.days == nil, validity.notAfter == nil, period.notAfter > caExpiry, period.notBefore < caExpiry {
                period = try ValidityPeriod(notBefore: period.notBefore, notAfter: caExpiry)
                PKIOutput.note("note: validity shortened to end with the issuing CA (\(PKIDate.format(caExpiry)))")
            }
            let issued = try authority.issue(
                IssuanceRequest(
                    profile: profile,
                    subject: name,
                    subjectAlternativeNames: names,
                    extendedKeyUsages: usages,
                    validity: period,
                    keyAlgorithm: keyAlgorithm),
                now: now)
            try IssuedCertificateFiles.write(issued, to: output, includeChain: true, force: force)

            IssuedCertificateFiles.describe(issued.certificate, kind: profile == .client ? "Client" : "Server")
            if period.notAfter < now {
                PKIOutput.note("note: this certificate has already expired")
            } else if period.notBefore > now {
                PKIOutput.note("note: this certificate is not valid yet")
            }
            PKIOutput.say("wrote \(output.certificate), \(output.chain), \(output.key) (0600)")
        }
    }

    /// The CN as a SAN for a server certificate: an IP address or a DNS name.
    private static func serverName(fromCommonName commonName: String) throws -> GeneralName {
        if let ip = try? SubjectAlternativeNameText.ipAddress(commonName) { return ip }
        do {
            return try SubjectAlternativeNameText.dnsName(commonName)
        } catch {
            throw PKIUsageError(
                "the CN '\(commonName)' is not a host name, so it cannot serve as the server's DNS name; give --dns or --ip")
        }
    }
}
