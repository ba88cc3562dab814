import ArgumentParser
import Foundation
import TrustGateX509
import X509

struct PKIExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Convert certificates between PEM and DER (.cer).",
        discussion: """
            Reads certificates in any form (PEM or a PEM bundle, DER, base64 DER, URL-escaped PEM) and writes them \
            as PEM (all of them, in order) or DER (one certificate: a .cer file as Windows and Azure use it). \
            Without --format, the format follows the extension of --out: .der/.cer → DER, .pem/.crt → PEM.

            Examples:
              trustgate pki export --in client.pem --format der --out client.cer
              trustgate pki export --in client-chain.pem --index 1 --out intermediate.cer
            """)

    @Option(name: .customLong("in"), help: ArgumentHelp("The certificate file to read.", valueName: "file"))
    var input: String

    @Option(help: ArgumentHelp("pem or der (alias: cer).", valueName: "format"))
    var format: String?

    @Option(help: ArgumentHelp("The file to write.", valueName: "file"))
    var out: String

    @Option(help: ArgumentHelp(
        "Export only the certificate at this position in the input (0 = first). Needed for DER when the input holds several.",
        valueName: "n"))
    var index: Int?

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    enum Format { case pem, der }

    func run() throws {
        try PKICommandRunner.run("export") {
            let format = try resolvedFormat()
            try PKIPaths.requireReadableFile(input)
            try PKIPaths.requireParentDirectory(of: out)
            let certificates: [Certificate]
            do {
                certificates = try CertificateDecoder.certificates(contentsOfFile: input)
            } catch {
                throw PKIError.unreadableFile(path: input, reason: String(describing: error))
            }
            guard !certificates.isEmpty else { throw PKIError.unreadableFile(path: input, reason: "it holds no certificate") }
            var selected = certificates
            if let index {
                guard certificates.indices.contains(index) else {
                    throw PKIUsageError("--index \(index) is out of range: \(input) holds \(certificates.count) certificate(s)")
                }
                selected = [certificates[index]]
            }
            switch format {
            case .pem:
                try SecureFileWriter.write(PEMSerialization.certificates(selected), to: out,
                                           mode: SecureFileWriter.publicMode, overwrite: force)
            case .der:
                guard selected.count == 1 else {
                    throw PKIUsageError("\(input) holds \(selected.count) certificates but DER holds one; choose it with --index N (0 = first)")
                }
                try SecureFileWriter.write(selected[0].derBytes, to: out, mode: SecureFileWriter.publicMode, overwrite: force)
            }
            PKIOutput.say("wrote \(selected.count) certificate(s) to \(out) (\(format == .pem ? "PEM" : "DER"))")
        }
    }

    private func resolvedFormat() throws -> Format {
        if let format {
            switch format.lowercased() {
            case "pem", "crt": return .pem
            case "der", "cer": return .der
            default: throw PKIUsageError("unknown format '\(format)'; use pem or der")
            }
        }
        switch (out as NSString).pathExtension.lowercased() {
        case "der", "cer": return .der
        case "pem", "crt": return .pem
        default: throw PKIUsageError("cannot tell the format from '\(out)'; give --format pem or --format der")
        }
    }
}
