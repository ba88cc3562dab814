import ArgumentParser
import Foundation
import TrustGateAuth
import TrustGateStore
import TrustGateX509
import X509

/// `trustgate client add-secret ID [--expires 90d]`: generates a secret, prints it once, stores its hash.
struct ClientAddSecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-secret",
        abstract: "Generate a client secret; it is printed once and only its hash is stored.",
        discussion: """
            The secret is 32 random bytes, base64url (43 characters). The store keeps a PBKDF2-SHA256 hash \
            (600000 iterations unless --iterations says otherwise) and the first 3 characters as a hint; the \
            secret cannot be shown again. A client may hold several secrets at once, to rotate without downtime.
            """)

    @Argument(help: ArgumentHelp("The client_id.", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("Expire the secret after this long (e.g. 90d, 12h). Default: never.", valueName: "duration"))
    var expires: DurationArgument?

    @Option(help: ArgumentHelp("PBKDF2 iterations (100000 to 2000000; default 600000).", valueName: "n"))
    var iterations: Int?

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the secret and its id as JSON.")
    var json = false

    func validate() throws {
        if let expires, expires.seconds < 60 { throw ValidationError("--expires must be at least 60s") }
    }

    func run() async throws {
        try await StoreCommand.run {
            let opened = try store.open(create: false)
            // Checked first, so no secret is generated (and hashed, slowly) for a client that does not exist.
            guard try await opened.client(id: id) != nil else { throw RegistrationStoreError.unknownClient(id) }
            let now = Date()
            let generated = try Self.generate(
                for: id, expiresAt: expires.map { now.addingTimeInterval($0.timeInterval) },
                iterations: iterations ?? SecretHash.defaultPBKDF2Iterations, now: now)
            try await opened.addSecret(generated.record)
            let record = generated.record
            if json {
                try StoreCommand.printJSON(
                    GeneratedSecretView(
                        clientID: id, secretID: record.id.uuidString.lowercased(), secret: generated.value, hint: record.hint,
                        createdAt: record.createdAt, expiresAt: record.expiresAt))
            } else {
                print("New secret for client \(id) (shown only now; the store keeps a hash):")
                print("  \(generated.value)")
                print("Secret id \(record.id.uuidString.lowercased()), expires \(record.expiresAt.map { StoreCommand.format($0) } ?? "never").")
            }
        }
    }
}

extension ClientAddSecretCommand {
    static func generate(for clientID: String, expiresAt: Date?, iterations: Int, now: Date) throws -> GeneratedClientSecret {
        let result = Result { () throws(ClientSecretGenerationError) -> GeneratedClientSecret in
            try ClientSecret.generate(for: clientID, expiresAt: expiresAt, hashAlgorithm: .pbkdf2SHA256(iterations: iterations), now: now)
        }
        switch result {
        case .success(let generated):
            return generated
        case .failure(let error) where error.hashError?.code == .costTooLow || error.hashError?.code == .costTooHigh:
            throw CommandFailure.input("--iterations: \(error.hashError?.message ?? error.message)")
        case .failure(let error):
            throw CommandFailure.failed(error.description)
        }
    }
}

/// `trustgate client add-cert ID --file F`: registers a certificate (PEM or DER).
struct ClientAddCertificateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-cert",
        abstract: "Register a certificate for private_key_jwt or self_signed_tls_client_auth (PEM or DER .cer).",
        discussion: "A PEM file with a chain registers its first certificate (the leaf).")

    @Argument(help: ArgumentHelp("The client_id.", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("The certificate file: PEM (.pem, .crt) or DER (.cer).", valueName: "file"))
    var file: String

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the certificate's summary as JSON.")
    var json = false

    func run() async throws {
        try await StoreCommand.run {
            let bytes = try StoreCommand.readFile(file, option: "--file")
            let certificate: ClientCertificate
            do {
                certificate = try ClientCertificate(clientID: id, fileBytes: bytes)
            } catch {
                throw CommandFailure.input("--file \(file): \((error as? InvalidRegistrationValue)?.reason ?? "\(error)")")
            }
            try await store.open(create: false).addCertificate(certificate)
            if json {
                try StoreCommand.printJSON(CertificateView(certificate))
            } else {
                print("Registered certificate \(certificate.subject) for client \(id).")
                StoreCommand.printFields(
                    [("x5t#S256:", certificate.x5tS256), ("x5t:", certificate.x5t), ("Not after:", StoreCommand.format(certificate.notAfter))],
                    indent: "  ")
            }
        }
    }
}

/// `trustgate client add-jwks ID --file jwks.json`.
struct ClientAddJWKSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-jwks",
        abstract: "Register the client's public keys as a JWKS for private_key_jwt (replaces its earlier JWKS).",
        discussion: """
            The file is a JWK set, {"keys": [...]}. Every key needs a kid (assertions name their key by kid), must \
            be RSA (2048 bits or more), EC or OKP, and may hold public members only: a set with a private member \
            (d, p, q, dp, dq, qi, oth, k) is refused. Keys in an assertion's own header (jwk, jku, x5u) are never used.
            """)

    @Argument(help: ArgumentHelp("The client_id.", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("The JWKS file (JSON).", valueName: "file"))
    var file: String

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the registered key ids as JSON.")
    var json = false

    func run() async throws {
        try await StoreCommand.run {
            let bytes = try StoreCommand.readFile(file, option: "--file")
            let keys: [ClientJSONWebKey]
            do {
                keys = try ClientJSONWebKey.keySet(clientID: id, jwksBytes: bytes)
            } catch {
                throw CommandFailure.input("--file \(file): \((error as? InvalidRegistrationValue)?.description ?? "\(error)")")
            }
            try await store.open(create: false).replaceClientKeys(clientID: id, with: keys)
            if json {
                try StoreCommand.printJSON(RegisteredKeysView(client_id: id, kids: keys.map(\.keyID)))
            } else {
                print("Registered \(keys.count) key(s) for client \(id): \(keys.map(\.keyID).joined(separator: ", ")).")
            }
        }
    }

    private struct RegisteredKeysView: Encodable {
        let client_id: String
        let kids: [String]
    }
}

/// `trustgate client add-sni-rule ID --ca FILE [--subject DN] [--san-dns …] …`.
struct ClientAddSubjectIssuerRuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-sni-rule",
        abstract: "Trust certificates from a CA by subject and/or SAN (RFC 8705 tls_client_auth; x5c assertions).",
        discussion: """
            The presented chain must lead to one of the --ca certificates, and the leaf must match every name \
            given: --subject compares distinguished names (attribute by attribute, case and spacing ignored), \
            each --san-* value must be among the certificate's SANs. Give at least one name.

            Example:
              trustgate client add-sni-rule billing --ca ca/root.pem --subject "CN=billing,O=Example"
            """)

    @Argument(help: ArgumentHelp("The client_id.", valueName: "id"))
    var id: String

    @Option(name: .customLong("ca"), help: ArgumentHelp("A file with trusted CA certificates (PEM or DER; repeatable).", valueName: "file"))
    var caFiles: [String] = []

    @Option(help: ArgumentHelp("The subject DN, RFC 4514 (CN=billing,O=Example).", valueName: "dn"))
    var subject: String?

    @Option(name: .customLong("san-dns"), help: ArgumentHelp("A DNS name the certificate must carry (repeatable).", valueName: "name"))
    var sanDNS: [String] = []

    @Option(name: .customLong("san-uri"), help: ArgumentHelp("A URI SAN, e.g. a SPIFFE ID (repeatable).", valueName: "uri"))
    var sanURI: [String] = []

    @Option(name: .customLong("san-ip"), help: ArgumentHelp("An IP address SAN (repeatable).", valueName: "address"))
    var sanIP: [String] = []

    @Option(name: .customLong("san-email"), help: ArgumentHelp("An email SAN (repeatable).", valueName: "address"))
    var sanEmail: [String] = []

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the rule as JSON.")
    var json = false

    func validate() throws {
        if caFiles.isEmpty { throw ValidationError("give at least one --ca") }
        if subject == nil, sanDNS.isEmpty, sanURI.isEmpty, sanIP.isEmpty, sanEmail.isEmpty {
            throw ValidationError("give --subject or at least one --san-dns/--san-uri/--san-ip/--san-email")
        }
    }

    func run() async throws {
        try await StoreCommand.run {
            var anchors: [Certificate] = []
            for file in caFiles {
                let bytes = try StoreCommand.readFile(file, option: "--ca")
                do {
                    anchors += try CertificateDecoder.certificates(from: bytes)
                } catch {
                    throw CommandFailure.input("--ca \(file): \(error)")
                }
            }
            let rule = try SubjectIssuerRule(
                clientID: id, trustAnchors: anchors, subject: try subject.map { try SubjectIssuerRule.parseSubject($0) },
                alternativeNames: try SubjectAlternativeNameMatchers(dnsNames: sanDNS, uris: sanURI, ipAddresses: sanIP, emails: sanEmail))
            try await store.open(create: false).addSubjectIssuerRule(rule)
            if json {
                try StoreCommand.printJSON(SubjectIssuerRuleView(rule))
            } else {
                print("Added subject/issuer rule \(rule.id.uuidString.lowercased()) for client \(id).")
            }
        }
    }
}
