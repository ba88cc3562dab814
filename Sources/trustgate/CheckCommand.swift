import ArgumentParser
import Foundation
import TrustGateConfiguration
import TrustGateX509
import X509

/// `trustgate check`: evaluates a certificate exactly as the gateway would and explains the verdict —
/// the answer to "why did Verify() fail?".
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Evaluate a client certificate against a policy and explain the verdict.",
        discussion: """
            CERT may be PEM (a bundle is read as leaf + intermediates), DER, base64 DER, URL-escaped PEM, \
            an RFC 9440 :base64: value, or PKCS#12 with --password.
            Exit status: 0 accepted, 1 rejected, 2 usage or input error.
            """
    )

    @Option(name: .long, help: "The certificate policy (YAML).")
    var policy: String

    @Argument(help: "The client certificate (leaf first if the file holds a chain); - reads it from standard input.")
    var certificate: String

    @Option(name: .long, parsing: .upToNextOption, help: "Files with intermediates the client would send.")
    var chain: [String] = []

    @Option(name: .long, help: "Evaluate at this time (ISO 8601, e.g. 2026-01-31T12:00:00Z) instead of now.")
    var at: String?

    @OptionGroup(title: "PKCS#12 password")
    var password: PasswordOptions

    @Flag(name: .long, help: "Print the verdict as JSON.")
    var json = false

    func run() async throws {
        let time = try evaluationTime()
        let settings: CertificatePolicySettings
        do {
            settings = try CertificatePolicyConfiguration.load(contentsOfFile: policy)
        } catch {
            throw CommandFailure.input("invalid policy: \(error)")
        }
        let password = try self.password.resolve()
        var presented: [Certificate]
        do {
            presented = try CertificateInput.load(certificate, password: password).certificates
            for file in chain {
                presented += try CertificateDecoder.certificates(contentsOfFile: file)
            }
        } catch {
            throw CommandFailure.input("\(error)")
        }
        guard !presented.isEmpty else { throw CommandFailure.input("\(certificate): no certificate found") }

        let evaluation = await CertificatePolicy(settings).explain(PresentedCertificateChain(presented), at: time)
        let report = CheckReport(evaluation, evaluatedAt: time ?? Date(), anchors: settings.trustAnchors)
        if json {
            print(try report.jsonString())
        } else {
            print(report.text)
        }
        if !evaluation.verdict.isAccepted { throw ExitCode(1) }
    }

    private func evaluationTime() throws -> Date? {
        guard let at else { return nil }
        let strategies: [Date.ISO8601FormatStyle] = [
            .iso8601,
            Date.ISO8601FormatStyle(includingFractionalSeconds: true),
            Date.ISO8601FormatStyle().year().month().day(),
        ]
        for strategy in strategies {
            if let date = try? Date(at, strategy: strategy) { return date }
        }
        throw CommandFailure.input("--at: '\(at)' is not an ISO 8601 time (e.g. 2026-01-31T12:00:00Z)")
    }
}

/// The printable form of an evaluation.
struct CheckReport: Encodable {
    struct ChainEntry: Encodable {
        let subject: String
        let issuer: String
        let serialNumber: String
        let notBefore: Date
        let notAfter: Date
        let sha1: String
        let sha256: String
        let role: String
    }

    let accepted: Bool
    let evaluatedAt: Date
    let reasons: [CertificateRejection]
    let warnings: [CertificateRejection]
    let chain: [ChainEntry]

    init(_ evaluation: CertificateEvaluation, evaluatedAt: Date, anchors: [Certificate]) {
        self.accepted = evaluation.verdict.isAccepted
        self.evaluatedAt = evaluatedAt
        self.reasons = evaluation.verdict.rejections
        if case .accepted(let accepted) = evaluation.verdict {
            self.warnings = accepted.warnings
        } else {
            self.warnings = []
        }
        let count = evaluation.chain.count
        self.chain = evaluation.chain.enumerated().map { index, certificate in
            let prints = CertificateFingerprints(certificate)
            let role: String
            if index == 0 {
                role = "client certificate"
            } else if anchors.contains(certificate) {
                role = "trust anchor"
            } else {
                role = index == count - 1 ? "issuer (not trusted)" : "intermediate"
            }
            return ChainEntry(
                subject: certificate.subject.displayString,
                issuer: certificate.issuer.displayString,
                serialNumber: SerialNumberText.hex(certificate.serialNumber),
                notBefore: certificate.notValidBefore,
                notAfter: certificate.notValidAfter,
                sha1: prints.sha1Hex,
                sha256: prints.sha256Hex,
                role: role
            )
        }
    }

    var text: String {
        var lines: [String] = []
        lines.append(accepted ? "ACCEPTED" : "REJECTED")
        for reason in reasons { lines.append("  \(reason.code.rawValue): \(reason.message)") }
        for warning in warnings { lines.append("  warning \(warning.code.rawValue): \(warning.message)") }
        lines.append(accepted ? "chain:" : "chain (best attempt):")
        for (index, entry) in chain.enumerated() {
            lines.append("  [\(index)] \(entry.subject.isEmpty ? "(empty subject)" : entry.subject)  — \(entry.role)")
            lines.append("      issuer \(entry.issuer)  serial \(entry.serialNumber)")
            lines.append("      valid \(entry.notBefore.formatted(.iso8601)) … \(entry.notAfter.formatted(.iso8601))  SHA-1 \(entry.sha1)")
        }
        lines.append("evaluated at \(evaluatedAt.formatted(.iso8601))")
        return lines.joined(separator: "\n")
    }

    func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
