import ArgumentParser
import Foundation
import TrustGateX509
import X509

/// `trustgate cert`: working with certificate files.
struct CertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Inspect certificates.",
        subcommands: [CertInspectCommand.self]
    )
}

/// `trustgate cert inspect FILE [--password P] [--json]`.
struct CertInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show subject, issuer, serial, validity, SANs, key usages, key, and thumbprints of certificates.",
        discussion: """
            FILE may hold PEM (one certificate or a bundle, optionally with a private key), DER, PKCS#7 (.p7b), \
            base64 DER (App Service X-ARR-ClientCert), URL-escaped PEM (nginx $ssl_client_escaped_cert), RFC 9440 \
            :base64: values (one or a comma-separated chain), or PKCS#12 / PFX (needs --password). Use - to read \
            standard input. Certificates are listed leaf first.
            Exit status: 0 success, 2 usage or input error.
            """
    )

    @Argument(help: "The certificate file, or - for standard input.")
    var file: String

    @OptionGroup(title: "Password of a PKCS#12 / PFX file or of an encrypted private key in the file")
    var passwordOptions: PasswordOptions

    @Flag(name: .long, help: "Print a JSON array with one summary per certificate.")
    var json = false

    func run() async throws {
        let password = try passwordOptions.resolve()
        let bundle: CertificateBundle
        let summaries: [CertificateSummary]
        do {
            bundle = try CertificateInput.load(file, password: password)
            summaries = try bundle.certificates.map(CertificateSummary.init)
        } catch let error as CertificateLoadingError {
            throw CommandFailure.input(Self.message(for: error, file: file))
        } catch {
            throw CommandFailure.input("\(file): \(error)")
        }
        guard !summaries.isEmpty else {
            throw CommandFailure.input("\(file): \(CertificateLoadingError.noCertificate(foundPEMTypes: []))")
        }

        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data: Data
            do {
                data = try encoder.encode(summaries)
            } catch {
                throw CommandFailure.failed("cannot encode JSON: \(error)")
            }
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(Self.text(summaries, hasPrivateKey: bundle.privateKey != nil))
        }
    }

    /// File errors already name the path; content errors get it as a prefix.
    static func message(for error: CertificateLoadingError, file: String) -> String {
        switch error.code {
        case .fileNotFound, .fileNotReadable, .fileTooLarge:
            return "\(error)"
        case .pkcs12PasswordRequired:
            return "\(file): \(error) (use --password)"
        default:
            return "\(file): \(error)"
        }
    }

    static func text(_ summaries: [CertificateSummary], hasPrivateKey: Bool) -> String {
        var lines = [String]()
        for (index, summary) in summaries.enumerated() {
            if index > 0 { lines.append("") }
            let role = summaries.count > 1 && index == 0 ? " (leaf)" : ""
            lines.append("Certificate \(index + 1) of \(summaries.count)\(role)")
            lines += fields(summary).map { name, value in "  " + name.padded(to: 22) + value }
        }
        if hasPrivateKey {
            lines.append("")
            lines.append("Private key: present (belongs to certificate 1)")
        }
        return lines.joined(separator: "\n")
    }

    static func fields(_ summary: CertificateSummary) -> [(String, String)] {
        let names = summary.subjectAlternativeNames
        let sans =
            names.dnsNames.map { "DNS:\($0)" } + names.uris.map { "URI:\($0)" } + names.emails.map { "email:\($0)" }
            + names.ipAddresses.map { "IP:\($0)" }
        var ca = summary.isCA ? "yes" : "no"
        if let pathLength = summary.pathLengthConstraint { ca += " (path length \(pathLength))" }
        return [
            ("Subject:", summary.subject),
            ("Subject (display):", summary.subjectDisplay),
            ("Issuer:", summary.issuer),
            ("Issuer (display):", summary.issuerDisplay),
            ("Serial number:", summary.serialNumberHex),
            ("Not before:", CertificateSummary.iso8601(summary.notBefore)),
            ("Not after:", CertificateSummary.iso8601(summary.notAfter)),
            ("SANs:", sans.isEmpty ? "(none)" : sans.joined(separator: ", ")),
            ("Extended key usage:", summary.extendedKeyUsages.isEmpty ? "(none)" : summary.extendedKeyUsages.joined(separator: ", ")),
            ("Key usage:", summary.keyUsages.isEmpty ? "(none)" : summary.keyUsages.joined(separator: ", ")),
            ("Key:", "\(summary.keyAlgorithm) (\(summary.keySizeBits) bits)"),
            ("Signature algorithm:", summary.signatureAlgorithm),
            ("CA:", ca),
            ("Self-signed:", summary.isSelfSigned ? "yes" : "no"),
            ("SHA-1 thumbprint:", summary.fingerprints.sha1Hex),
            ("SHA-256 thumbprint:", summary.fingerprints.sha256Hex),
            ("SPKI SHA-256:", summary.fingerprints.spkiSHA256Base64),
            ("x5t:", summary.fingerprints.x5t),
            ("x5t#S256:", summary.fingerprints.x5tS256),
        ]
    }
}

extension String {
    fileprivate func padded(to length: Int) -> String {
        count >= length ? self + " " : self + String(repeating: " ", count: length - count)
    }
}
