import ArgumentParser
import Foundation
import TrustGateX509
import X509

struct PKIRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Record the revocation of a certificate issued by the CA (publish it with `pki crl`).",
        discussion: """
            Give the certificate by serial (hex, colons optional, as `openssl x509 -serial` prints it) or as a file \
            (any form: PEM, DER, base64; the first certificate is taken and must have been signed by the CA). \
            Revoking a serial twice keeps the first record and exits 0. Revoking the intermediate puts it on the \
            root's CRL (`pki crl --root`).

            Reasons: \(CertificateRevocationListBuilder.Reason.selectable.map(\.name).joined(separator: ", ")).

            Example:
              trustgate pki revoke --ca ./ca --cert billing.pem --reason keyCompromise
              trustgate pki crl --ca ./ca --out ./ca/crl.pem
            """)

    @Option(help: ArgumentHelp("The CA directory.", valueName: "dir"))
    var ca: String

    @Option(help: ArgumentHelp("Serial number of the certificate, in hex.", valueName: "hex"))
    var serial: String?

    @Option(help: ArgumentHelp("The certificate file.", valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("Revocation reason (default: none, i.e. unspecified).", valueName: "reason"))
    var reason: String?

    @Option(name: .customLong("revoked-at"), help: ArgumentHelp(
        "Revocation date, ISO 8601. Default: now.", valueName: "date"))
    var revokedAt: String?

    @Flag(name: .customLong("allow-unknown-serial"), help: ArgumentHelp(
        "With --serial: record it even if the CA's state has no record of issuing it (e.g. issued by another tool with this CA's key)."))
    var allowUnknownSerial = false

    func run() throws {
        try PKICommandRunner.run("revoke") {
            guard (serial == nil) != (cert == nil) else {
                throw PKIUsageError("give exactly one of --serial HEX or --cert FILE")
            }
            if allowUnknownSerial && serial == nil {
                throw PKIUsageError("--allow-unknown-serial only applies to --serial")
            }
            let parsedReason = try reason.map(CertificateRevocationListBuilder.Reason.init(parsing:))
            let date = try revokedAt.map(PKIDate.parse) ?? Date()
            let authority = try CertificateAuthority.load(from: ca)
            let outcome: CertificateAuthority.RevocationOutcome
            if let serial {
                let serialNumber = try SerialNumberText.parse(serial)
                outcome = try authority.revoke(
                    serialNumber: serialNumber, reason: parsedReason, at: date, requireIssued: !allowUnknownSerial)
            } else if let cert {
                try PKIPaths.requireReadableFile(cert)
                let certificates: [Certificate]
                do {
                    certificates = try CertificateDecoder.certificates(contentsOfFile: cert)
                } catch {
                    throw PKIError.unreadableFile(path: cert, reason: String(describing: error))
                }
                guard let certificate = certificates.first else {
                    throw PKIError.unreadableFile(path: cert, reason: "it holds no certificate")
                }
                outcome = try authority.revoke(certificate: certificate, reason: parsedReason, at: date)
            } else {
                throw PKIUsageError("give exactly one of --serial HEX or --cert FILE")
            }
            switch outcome {
            case .revoked(let record):
                PKIOutput.say("revoked serial \(record.serialNumber) at \(PKIDate.format(record.revokedAt))"
                    + (record.reason.map { " (\($0.name))" } ?? ""))
                PKIOutput.say("publish it: trustgate pki crl --ca \(ca) --out CRL-FILE")
            case .alreadyRevoked(let record):
                PKIOutput.note("note: serial \(record.serialNumber) was already revoked at \(PKIDate.format(record.revokedAt))"
                    + (record.reason.map { " (\($0.name))" } ?? "") + "; nothing changed")
            }
        }
    }
}
