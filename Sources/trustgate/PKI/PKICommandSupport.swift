import ArgumentParser
import Foundation
import SwiftASN1
import TrustGateX509
import X509

/// Error reporting shared by the `pki` subcommands: one line on stderr, exit 2 for bad input, 1 for failures.
enum PKICommandRunner {
    static func run(_ command: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as PKIError {
            throw fail(command, error.description, exitCode: error.isInputError ? 2 : 1)
        } catch let error as PKIUsageError {
            throw fail(command, error.message, exitCode: 2)
        } catch let error as ExitCode {
            throw error
        } catch {
            throw fail(command, String(describing: error), exitCode: 1)
        }
    }

    private static func fail(_ command: String, _ message: String, exitCode: Int32) -> ExitCode {
        PKIOutput.error("trustgate pki \(command): error: \(message)")
        return ExitCode(exitCode)
    }
}

/// A problem with the command line that the library cannot know about (flag combinations, missing files).
struct PKIUsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

enum PKIOutput {
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func say(_ line: String) {
        print(line)
    }

    /// `CN=alice, O=Example` (most specific first), or `(empty)`.
    static func name(_ name: DistinguishedName) -> String {
        name.isEmpty ? "(empty)" : name.displayString
    }

    static func alternativeNames(_ names: [GeneralName]) -> String {
        names.map { name -> String in
            switch name {
            case .dnsName(let value): return "DNS:\(value)"
            case .uniformResourceIdentifier(let value): return "URI:\(value)"
            case .rfc822Name(let value): return "email:\(value)"
            case .ipAddress(let bytes): return "IP:\(IPAddressText.text(Array(bytes.bytes)))"
            default: return String(describing: name)
            }
        }.joined(separator: ", ")
    }

    static func extendedKeyUsages(_ usages: [ExtendedKeyUsage.Usage]) -> String {
        usages.isEmpty ? "(none)" : usages.map { String(describing: $0) }.joined(separator: ", ")
    }
}

/// Output paths: `PREFIX.pem`, `PREFIX-chain.pem`, `PREFIX.key`.
struct OutputPrefix {
    let prefix: String

    /// A trailing `.pem`, `.crt` or `.key` on the prefix is dropped: `--out client.pem` means `client`.
    init(_ text: String) throws {
        guard !text.isEmpty else { throw PKIUsageError("--out must not be empty") }
        var prefix = text
        for suffix in [".pem", ".crt", ".key"] where prefix.hasSuffix(suffix) && prefix.count > suffix.count {
            prefix.removeLast(suffix.count)
            break
        }
        self.prefix = prefix
        try PKIPaths.requireParentDirectory(of: prefix + ".pem")
    }

    var certificate: String { prefix + ".pem" }
    var chain: String { prefix + "-chain.pem" }
    var key: String { prefix + ".key" }
}

enum PKIPaths {
    static func requireParentDirectory(of path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty else { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PKIUsageError("the directory \(parent) does not exist")
        }
    }

    static func requireReadableFile(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PKIUsageError("\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw PKIUsageError("\(path) is a directory, not a file") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw PKIUsageError("\(path): permission denied") }
    }
}

// MARK: Option groups

struct SubjectOptions: ParsableArguments {
    @Option(name: .customLong("cn"), help: ArgumentHelp(
        "The subject's common name.", valueName: "name"))
    var commonName: String?

    @Option(help: ArgumentHelp(
        "The full subject DN: \"CN=alice, O=Example, C=US\", RFC 4514 \"CN=alice,O=Example\" or \"/C=US/O=Example/CN=alice\". "
            + "With --cn, the CN is added to it. \"\" for an empty subject (then a SAN is required and marked critical).",
        valueName: "dn"))
    var subject: String?

    /// The subject from `--subject` and `--cn`; a CN given in both is refused as ambiguous.
    func distinguishedName(required: Bool) throws -> DistinguishedName {
        var name = DistinguishedName()
        if let subject, !subject.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                name = try DistinguishedName(parsing: subject)
            } catch {
                throw PKIError.invalidName(subject, reason: String(describing: error))
            }
        }
        if let commonName {
            let hasCommonName = name.contains { rdn in rdn.contains { $0.type == .RDNAttributeType.commonName } }
            guard !hasCommonName else {
                throw PKIUsageError("the subject already has a CN; give it either in --subject or with --cn, not both")
            }
            name = DistinguishedName(Array(name) + [RelativeDistinguishedName(try PKINames.commonName(commonName))])
        }
        if required && commonName == nil && subject == nil {
            throw PKIUsageError("give the subject with --cn NAME (or --subject DN)")
        }
        return name
    }
}

enum PKINames {
    /// RFC 5280's upper bound for a common name; longer names belong in a SAN.
    static let commonNameLimit = 64

    static func commonName(_ text: String) throws -> RelativeDistinguishedName.Attribute {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw PKIUsageError("--cn must not be empty") }
        guard trimmed.count <= commonNameLimit else {
            throw PKIUsageError("a common name is at most \(commonNameLimit) characters (RFC 5280); put longer identifiers in a SAN (--uri, --dns)")
        }
        return RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: trimmed)
    }

    /// The value of the (last) CN, if any.
    static func commonName(of name: DistinguishedName) -> String? {
        for rdn in name.reversed() {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(describing: attribute.value)
            }
        }
        return nil
    }

    /// `name` with its CN replaced by (or extended with) `commonName`.
    static func replacingCommonName(of name: DistinguishedName, with commonName: String) throws -> DistinguishedName {
        let attribute = try self.commonName(commonName)
        var rdns: [RelativeDistinguishedName] = []
        var replaced = false
        for rdn in name {
            if rdn.contains(where: { $0.type == .RDNAttributeType.commonName }) {
                if !replaced { rdns.append(RelativeDistinguishedName(attribute)) }
                replaced = true
            } else {
                rdns.append(rdn)
            }
        }
        if !replaced { rdns.append(RelativeDistinguishedName(attribute)) }
        return DistinguishedName(rdns)
    }
}

struct AlternativeNameOptions: ParsableArguments {
    @Option(name: .customLong("dns"), help: ArgumentHelp(
        "A DNS name SAN, e.g. api.example.com or *.example.com (repeatable).", valueName: "name"))
    var dnsNames: [String] = []

    @Option(name: .customLong("uri"), help: ArgumentHelp(
        "A URI SAN, e.g. spiffe://example.org/ns/prod/sa/billing (repeatable).", valueName: "uri"))
    var uris: [String] = []

    @Option(name: .customLong("email"), help: ArgumentHelp("An email SAN (repeatable).", valueName: "address"))
    var emails: [String] = []

    @Option(name: .customLong("ip"), help: ArgumentHelp(
        "An IP address SAN, IPv4 or IPv6 (repeatable).", valueName: "address"))
    var ipAddresses: [String] = []

    var isEmpty: Bool { dnsNames.isEmpty && uris.isEmpty && emails.isEmpty && ipAddresses.isEmpty }

    /// In the order DNS, URI, email, IP; duplicates removed.
    func generalNames() throws -> [GeneralName] {
        var names: [GeneralName] = []
        for value in dnsNames { names.append(try SubjectAlternativeNameText.dnsName(value)) }
        for value in uris { names.append(try SubjectAlternativeNameText.uri(value)) }
        for value in emails { names.append(try SubjectAlternativeNameText.email(value)) }
        for value in ipAddresses { names.append(try SubjectAlternativeNameText.ipAddress(value)) }
        var unique: [GeneralName] = []
        for name in names where !unique.contains(name) { unique.append(name) }
        return unique
    }
}

struct ValidityOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Days of validity from --not-before (or now). Default: 365 (issue: ending no later than the issuing CA).",
        valueName: "n"))
    var days: Int?

    @Option(name: .customLong("not-before"), help: ArgumentHelp(
        "Start of validity, ISO 8601 (2025-01-31T12:00:00Z, 2025-01-31). May be in the past or the future, "
            + "e.g. for expired or not-yet-valid test certificates. Default: now.",
        valueName: "date"))
    var notBefore: String?

    @Option(name: .customLong("not-after"), help: ArgumentHelp(
        "End of validity, ISO 8601. Replaces --days.", valueName: "date"))
    var notAfter: String?

    func period(defaultDays: Int, now: Date) throws -> ValidityPeriod {
        try ValidityPeriod.resolve(
            days: days,
            notBefore: try notBefore.map(PKIDate.parse),
            notAfter: try notAfter.map(PKIDate.parse),
            defaultDays: defaultDays,
            now: now)
    }
}

struct ExtendedKeyUsageOptions: ParsableArguments {
    @Option(name: .customLong("eku"), help: ArgumentHelp(
        "An extended key usage, replacing the type's default: clientAuth, serverAuth, codeSigning, emailProtection, "
            + "timeStamping, ocspSigning or a dotted OID (repeatable).",
        valueName: "usage"))
    var usages: [String] = []

    @Flag(name: .customLong("no-eku"), help: "Leave the extended key usage extension out (any purpose).")
    var noExtendedKeyUsage = false

    /// `nil` for the profile's default.
    func extendedKeyUsages() throws -> [ExtendedKeyUsage.Usage]? {
        if noExtendedKeyUsage {
            guard usages.isEmpty else { throw PKIUsageError("give either --eku or --no-eku, not both") }
            return []
        }
        guard !usages.isEmpty else { return nil }
        var parsed: [ExtendedKeyUsage.Usage] = []
        for text in usages {
            let usage = try IssuanceProfile.extendedKeyUsage(parsing: text)
            if !parsed.contains(usage) { parsed.append(usage) }
        }
        return parsed
    }
}

/// Writes the three files of an issued certificate, refusing to replace existing ones unless `force`.
enum IssuedCertificateFiles {
    static func write(_ issued: IssuedCertificate, to output: OutputPrefix, includeChain: Bool, force: Bool) throws {
        var paths = [output.key, output.certificate]
        if includeChain { paths.append(output.chain) }
        try SecureFileWriter.checkWritable(paths, overwrite: force)
        try SecureFileWriter.write(PEMSerialization.privateKey(issued.privateKey), to: output.key,
                                   mode: SecureFileWriter.privateMode, overwrite: force)
        try SecureFileWriter.write(PEMSerialization.certificates([issued.certificate]), to: output.certificate,
                                   mode: SecureFileWriter.publicMode, overwrite: force)
        if includeChain {
            try SecureFileWriter.write(PEMSerialization.certificates(issued.chain), to: output.chain,
                                       mode: SecureFileWriter.publicMode, overwrite: force)
        }
    }

    static func describe(_ certificate: Certificate, kind: String) {
        let extensions = certificate.extensions
        PKIOutput.say("\(kind) certificate")
        PKIOutput.say("  subject:    \(PKIOutput.name(certificate.subject))")
        PKIOutput.say("  issuer:     \(PKIOutput.name(certificate.issuer))")
        PKIOutput.say("  serial:     \(SerialNumberText.hex(certificate.serialNumber))")
        let fingerprints = CertificateFingerprints(certificate)
        PKIOutput.say("  SHA-1:      \(fingerprints.sha1Hex)")
        PKIOutput.say("  SHA-256:    \(fingerprints.sha256Hex)")
        PKIOutput.say("  valid:      \(PKIDate.format(certificate.notValidBefore)) to \(PKIDate.format(certificate.notValidAfter))")
        if let key = KeyAlgorithm(of: certificate.publicKey) {
            PKIOutput.say("  key:        \(key)")
        }
        if let names = try? extensions.subjectAlternativeNames, !names.isEmpty {
            PKIOutput.say("  SANs:       \(PKIOutput.alternativeNames(Array(names)))")
        }
        if let usages = try? extensions.extendedKeyUsage {
            PKIOutput.say("  EKU:        \(PKIOutput.extendedKeyUsages(Array(usages)))")
        }
    }
}
