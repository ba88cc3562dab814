import ArgumentParser
import Foundation
import TrustGateX509
import X509

struct PKICRLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crl",
        abstract: "Write a signed v2 CRL of the issuing CA listing every recorded revocation.",
        discussion: """
            The CRL is signed by the issuing CA (the intermediate if there is one), carries an authority key \
            identifier and the next CRL number (kept in state.json, always increasing), thisUpdate = now and \
            nextUpdate = now + --days. Each entry has its revocation date and, unless unspecified, its reason code.

            FILE is replaced if it exists (publishing a newer CRL is the point), atomically: readers never see \
            half a CRL.

            With an intermediate, --root writes the root's CRL instead (signed with root.key, listing the \
            intermediate if it was revoked): verifiers that check the whole chain need both.

            --this-update/--next-update set the dates explicitly, e.g. a nextUpdate in the past to test how \
            stale CRLs are handled.

            Example:
              trustgate pki crl --ca ./ca --days 7 --out ./ca/crl.pem
            """)

    @Option(help: ArgumentHelp("The CA directory.", valueName: "dir"))
    var ca: String

    @Option(help: ArgumentHelp("Days until nextUpdate (default 7).", valueName: "n"))
    var days: Int?

    @Option(name: .customLong("this-update"), help: ArgumentHelp("thisUpdate, ISO 8601. Default: now.", valueName: "date"))
    var thisUpdate: String?

    @Option(name: .customLong("next-update"), help: ArgumentHelp("nextUpdate, ISO 8601. Replaces --days.", valueName: "date"))
    var nextUpdate: String?

    @Option(help: ArgumentHelp("The CRL file to write.", valueName: "file"))
    var out: String

    @Flag(help: "Write DER instead of PEM.")
    var der = false

    @Flag(help: "Write the root's CRL (covering the intermediate) instead of the issuing CA's.")
    var root = false

    func run() throws {
        try PKICommandRunner.run("crl") {
            if days != nil && nextUpdate != nil {
                throw PKIUsageError("give either --days or --next-update, not both")
            }
            if let days, !(1...3650).contains(days) {
                throw PKIUsageError("--days must be between 1 and 3650, not \(days)")
            }
            let start = try thisUpdate.map(PKIDate.parse) ?? Date()
            let end = try nextUpdate.map(PKIDate.parse) ?? start.addingTimeInterval(TimeInterval(days ?? 7) * 86_400)
            try PKIPaths.requireParentDirectory(of: out)
            let authority = try CertificateAuthority.load(from: ca)
            let crl = try authority.makeCRL(thisUpdate: start, nextUpdate: end, signer: root ? .root : .issuingCA)
            let signer = root ? authority.root : authority.issuingCertificate
            if der {
                try SecureFileWriter.write(crl.derBytes, to: out, mode: SecureFileWriter.publicMode, overwrite: true)
            } else {
                try SecureFileWriter.write(crl.pemString, to: out, mode: SecureFileWriter.publicMode, overwrite: true)
            }
            PKIOutput.say("CRL number \(crl.crlNumber) of \(PKIOutput.name(signer.subject)): "
                + "\(crl.revokedCount) revoked, thisUpdate \(PKIDate.format(crl.thisUpdate)), nextUpdate \(PKIDate.format(crl.nextUpdate))")
            PKIOutput.say("wrote \(out)\(der ? " (DER)" : "")")
        }
    }
}
