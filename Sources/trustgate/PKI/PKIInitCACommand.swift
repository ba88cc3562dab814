import ArgumentParser
import Foundation
import TrustGateX509
import X509

struct PKIInitCACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-ca",
        abstract: "Create a CA: a root, and optionally an intermediate that then issues the certificates.",
        discussion: """
            Writes DIR/root.pem and DIR/root.key, with --intermediate also DIR/intermediate.pem and \
            DIR/intermediate.key, and DIR/state.json (issued serials, revocations, CRL number). Key files are \
            PKCS#8 PEM, mode 0600; DIR is created with mode 0700.

            The root has basicConstraints CA:true with pathLen 0 (1 with an intermediate, which gets pathLen 0), \
            keyUsage keyCertSign + cRLSign (both critical) and a subject key identifier.

            With an intermediate, root.key is only used again to sign the root's CRL (`pki crl --root`); it can \
            be kept offline in between.

            Examples:
              trustgate pki init-ca --dir ./ca
              trustgate pki init-ca --dir ./ca --key ec-p384 \\
                  --name "CN=Example Root CA, O=Example, C=US" --intermediate \\
                  --intermediate-name "CN=Example Issuing CA 1, O=Example, C=US"
            """)

    @Option(help: ArgumentHelp("The CA directory (created if missing).", valueName: "dir"))
    var dir: String

    @Option(help: ArgumentHelp(
        "The root's subject DN, e.g. \"CN=TrustGate Root CA, O=Example\". Default: CN=\(CertificateAuthority.defaultRootCommonName).",
        valueName: "dn"))
    var name: String?

    @Option(help: ArgumentHelp(
        "Key type of the CA keys: ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096.", valueName: "type"))
    var key: String = KeyAlgorithm.default.rawValue

    @Option(help: ArgumentHelp("Days of validity of the root (and of the intermediate unless --intermediate-days).", valueName: "n"))
    var days: Int = 3650

    @Flag(help: "Also create an intermediate CA, signed by the root; it becomes the issuing CA.")
    var intermediate = false

    @Option(name: .customLong("intermediate-name"), help: ArgumentHelp(
        "The intermediate's subject DN. Default: the root's DN with CN=\(CertificateAuthority.defaultIntermediateCommonName).",
        valueName: "dn"))
    var intermediateName: String?

    @Option(name: .customLong("intermediate-days"), help: ArgumentHelp(
        "Days of validity of the intermediate (at most the root's). Default: --days.", valueName: "n"))
    var intermediateDays: Int?

    @Flag(help: "Replace an existing CA in DIR (its keys, certificates and state are lost).")
    var force = false

    func run() throws {
        try PKICommandRunner.run("init-ca") {
            let now = Date()
            let keyAlgorithm = try KeyAlgorithm(parsing: key)
            let rootName = try parseName(name, option: "--name")
                ?? DistinguishedName([RelativeDistinguishedName(try PKINames.commonName(CertificateAuthority.defaultRootCommonName))])
            if (intermediateName != nil || intermediateDays != nil) && !intermediate {
                throw PKIUsageError("--intermediate-name and --intermediate-days need --intermediate")
            }
            let validity = try ValidityPeriod.resolve(days: days, notBefore: nil, notAfter: nil, defaultDays: days, now: now)
            var intermediateSubject: DistinguishedName?
            var intermediateValidity: ValidityPeriod?
            if intermediate {
                intermediateSubject = try parseName(intermediateName, option: "--intermediate-name")
                    ?? PKINames.replacingCommonName(of: rootName, with: CertificateAuthority.defaultIntermediateCommonName)
                if let intermediateDays {
                    intermediateValidity = try ValidityPeriod.resolve(
                        days: intermediateDays, notBefore: nil, notAfter: nil, defaultDays: intermediateDays, now: now)
                }
            }
            let ca = try CertificateAuthority.create(
                in: dir,
                options: .init(
                    rootSubject: rootName,
                    keyAlgorithm: keyAlgorithm,
                    validity: validity,
                    intermediateSubject: intermediateSubject,
                    intermediateValidity: intermediateValidity),
                overwrite: force)

            IssuedCertificateFiles.describe(ca.root, kind: "Root CA")
            if let intermediate = ca.intermediate {
                IssuedCertificateFiles.describe(intermediate, kind: "Intermediate CA")
            }
            var written = ["root.pem", "root.key (0600)"]
            if ca.intermediate != nil { written += ["intermediate.pem", "intermediate.key (0600)"] }
            written.append(CAState.fileName)
            PKIOutput.say("wrote \(written.map { dir + "/" + $0 }.joined(separator: ", "))")
        }
    }

    private func parseName(_ text: String?, option: String) throws -> DistinguishedName? {
        guard let text else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PKIUsageError("\(option) must not be empty: a CA needs a name")
        }
        do {
            return try DistinguishedName(parsing: text)
        } catch {
            throw PKIError.invalidName(text, reason: String(describing: error))
        }
    }
}
