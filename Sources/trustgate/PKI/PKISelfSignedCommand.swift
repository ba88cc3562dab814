import ArgumentParser
import Foundation
import TrustGateX509
import X509

struct PKISelfSignedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "self-signed",
        abstract: "Make a self-signed certificate, as Azure Key Vault's default policy does.",
        discussion: """
            RSA 2048 by default (RSA below 2048 bits is refused; EC P-256/P-384 allowed), 365 days, \
            extKeyUsage serverAuth + clientAuth, keyUsage digitalSignature (+ keyEncipherment for RSA), \
            basicConstraints CA:false, subject key identifier. Writes PREFIX.pem and PREFIX.key (PKCS#8 PEM, 0600).

            A gateway accepts such a certificate only when it is pinned by thumbprint or SPKI.

            Example:
              trustgate pki self-signed --cn legacy-client --out legacy
            """)

    @OptionGroup(title: "Subject")
    var subject: SubjectOptions

    @OptionGroup(title: "Subject alternative names")
    var alternativeNames: AlternativeNameOptions

    @OptionGroup(title: "Key usage")
    var extendedKeyUsage: ExtendedKeyUsageOptions

    @OptionGroup(title: "Validity")
    var validity: ValidityOptions

    @Option(help: ArgumentHelp(
        "Key type: rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384.", valueName: "type"))
    var key: String = KeyAlgorithm.rsa2048.rawValue

    @Option(help: ArgumentHelp(
        "Output prefix: writes PREFIX.pem and PREFIX.key (a trailing .pem is ignored).", valueName: "prefix"))
    var out: String

    @Flag(help: "Replace existing output files.")
    var force = false

    func run() throws {
        try PKICommandRunner.run("self-signed") {
            let now = Date()
            let keyAlgorithm = try KeyAlgorithm(parsing: key)
            let name = try subject.distinguishedName(required: true)
            guard !name.isEmpty else {
                throw PKIUsageError("a self-signed certificate needs a subject (--cn): it is also its issuer")
            }
            let request = IssuanceRequest(
                profile: .selfSigned,
                subject: name,
                subjectAlternativeNames: try alternativeNames.generalNames(),
                extendedKeyUsages: try extendedKeyUsage.extendedKeyUsages(),
                validity: try validity.period(defaultDays: 365, now: now),
                keyAlgorithm: keyAlgorithm)
            let output = try OutputPrefix(out)
            try SecureFileWriter.checkWritable([output.key, output.certificate], overwrite: force)
            let issued = try SelfSignedCertificate.make(request)
            try IssuedCertificateFiles.write(issued, to: output, includeChain: false, force: force)
            IssuedCertificateFiles.describe(issued.certificate, kind: "Self-signed")
            PKIOutput.say("wrote \(output.certificate), \(output.key) (0600)")
        }
    }
}
