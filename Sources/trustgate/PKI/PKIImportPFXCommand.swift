import ArgumentParser
import Foundation
import TrustGateX509
import X509

struct PKIImportPFXCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-pfx",
        abstract: "Unpack a PKCS#12 / PFX file into PEM: the chain and the private key.",
        discussion: """
            Writes PREFIX-chain.pem (the certificate the key belongs to first, then the others), PREFIX.pem (that \
            certificate alone) and PREFIX.key (PKCS#8 PEM, mode 0600). Reads files from `openssl pkcs12 -export` \
            (AES-256/PBKDF2), `-legacy` ones (3DES/RC2), and those Windows, Key Vault and Java write.

            Prefer --password-file (or --password-env) to --password: a command line is visible to other users.

            Example:
              trustgate pki import-pfx client.pfx --password-file pw.txt \\
                  --out client
            """)

    @Argument(help: ArgumentHelp("The PFX / .p12 file.", valueName: "file"))
    var file: String

    @OptionGroup(title: "PFX password")
    var password: PasswordOptions

    @Option(help: ArgumentHelp(
        "Output prefix: writes PREFIX-chain.pem, PREFIX.pem, PREFIX.key (a trailing .pem is ignored).", valueName: "prefix"))
    var out: String

    @Flag(help: "Replace existing output files.")
    var force = false

    func run() throws {
        try PKICommandRunner.run("import-pfx") {
            let secret = try resolvedPassword()
            try PKIPaths.requireReadableFile(file)
            let output = try OutputPrefix(out)
            try SecureFileWriter.checkWritable([output.key, output.certificate, output.chain], overwrite: force)
            let bytes: [UInt8]
            do {
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw PKIError.unreadableFile(path: file, reason: error.localizedDescription)
            }
            let bundle: CertificateBundle
            do {
                bundle = try CertificateBundle.pkcs12(bytes, password: secret)
            } catch {
                throw PKIError.unreadableFile(path: file, reason: String(describing: error))
            }
            guard let leaf = bundle.certificates.first else {
                throw PKIError.unreadableFile(path: file, reason: "it holds no certificate")
            }
            guard let key = bundle.privateKey else {
                throw PKIError.unreadableFile(path: file, reason: "it holds no private key (only certificates); use `pki export` for those")
            }
            guard key.publicKey == leaf.publicKey else {
                throw PKIError.unreadableFile(path: file, reason: "its private key does not belong to its first certificate")
            }
            try SecureFileWriter.write(PEMSerialization.privateKey(key), to: output.key,
                                       mode: SecureFileWriter.privateMode, overwrite: force)
            try SecureFileWriter.write(PEMSerialization.certificates([leaf]), to: output.certificate,
                                       mode: SecureFileWriter.publicMode, overwrite: force)
            try SecureFileWriter.write(PEMSerialization.certificates(bundle.certificates), to: output.chain,
                                       mode: SecureFileWriter.publicMode, overwrite: force)
            IssuedCertificateFiles.describe(leaf, kind: "Imported")
            PKIOutput.say("chain: \(bundle.certificates.count) certificate(s)")
            PKIOutput.say("wrote \(output.chain), \(output.certificate), \(output.key) (0600)")
        }
    }

    private func resolvedPassword() throws -> String {
        let secret: String?
        do {
            secret = try password.resolve()
        } catch {
            throw PKIUsageError(error.message)
        }
        guard let secret else {
            throw PKIUsageError("give the PFX password with --password-file FILE, --password-env NAME or --password P (\"\" for none)")
        }
        return secret
    }
}
