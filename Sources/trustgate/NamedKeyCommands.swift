import ArgumentParser
import Foundation
import TrustGateStore
import TrustGateX509

// `trustgate keys add-secret | add-pfx | list-named | remove`: the named keys connectors refer to (B2C's policy
// keys). `keys list` stays the signing keys' list; named keys have their own, `list-named`, so neither list's
// JSON changes shape with the other.

struct KeysAddSecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-secret",
        abstract: "Store a secret (password, API key, bearer token, client secret) under a name, encrypted.",
        discussion: """
            The value is read from a prompt that does not echo (asked twice), from stdin (--stdin, its first line) \
            or from an environment variable (--env); never from the command line. It is encrypted with the store \
            key (AES-256-GCM) and never printed. Connectors refer to it by NAME (`password: NAME`, `--key NAME`).

            Examples:
              trustgate keys add-secret rest-password
              printf '%s\\n' "$FUNCTIONS_KEY" | trustgate keys add-secret functions-key --stdin
            """)

    @Argument(help: ArgumentHelp("The key's name.", valueName: "name"))
    var name: String

    @Flag(help: "Read the value from stdin (its first line).")
    var stdin = false

    @Option(help: ArgumentHelp("Read the value from this environment variable.", valueName: "variable"))
    var env: String?

    @Flag(help: "Replace a key of the same name.")
    var replace = false

    @OptionGroup var store: StoreOptions
    @OptionGroup var storeKey: StoreKeyOptions

    @Flag(help: "Print the stored key's description as JSON.")
    var json = false

    func validate() throws {
        if stdin, env != nil { throw ValidationError("give only one of --stdin and --env") }
    }

    func run() async throws {
        try await StoreCommand.run {
            try NamedKey.checkName(name)
            let key = try storeKey.resolve()
            let value = try NamedKeySecretInput.read(environmentVariable: env, stdin: stdin, prompt: "Value of \(name): ", twice: true)
            guard !value.isEmpty else { throw CommandFailure.input("the value is empty") }
            let opened = try store.open(create: true)
            let namedKey = try NamedKey.secret(name: name, value: value, storeKey: key)
            try await NamedKeyCommandSupport.add(namedKey, to: opened, replacing: replace)
            if json {
                try StoreCommand.printJSON(NamedKeyView(namedKey))
            } else {
                print("Stored secret '\(name)' (encrypted with the store key).")
            }
        }
    }
}

struct KeysAddPFXCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-pfx",
        abstract: "Store a client certificate and its private key from a PFX (PKCS#12) file under a name, encrypted.",
        discussion: """
            The PFX must open with its password and hold a private key with its certificate; the key and chain \
            are then stored encrypted with the store key (the PFX password is not kept). The password is \
            prompted for without echo unless --password-file or --password-env gives it (--password \"\" for none).

            Example:
              trustgate keys add-pfx rest-client-cert --file b2c-connector.pfx --password-env PFX_PASSWORD
            """)

    @Argument(help: ArgumentHelp("The key's name.", valueName: "name"))
    var name: String

    @Option(help: ArgumentHelp("The PFX / PKCS#12 file.", valueName: "file"))
    var file: String

    @OptionGroup var password: PasswordOptions

    @Flag(help: "Replace a key of the same name.")
    var replace = false

    @OptionGroup var store: StoreOptions
    @OptionGroup var storeKey: StoreKeyOptions

    @Flag(help: "Print the stored key's description as JSON.")
    var json = false

    func run() async throws {
        try await StoreCommand.run {
            try NamedKey.checkName(name)
            let key = try storeKey.resolve()
            let bytes = try StoreCommand.readFile(file, option: "--file")
            let passwordText: String
            if let given = try password.resolve() {
                passwordText = given
            } else {
                passwordText = String(decoding: try NamedKeySecretInput.read(
                    environmentVariable: nil, stdin: false, prompt: "Password of \(file): ", twice: false), as: UTF8.self)
            }
            let bundle: CertificateBundle
            do {
                bundle = try CertificateBundle.pkcs12(bytes, password: passwordText)
            } catch let error as CertificateLoadingError {
                throw CommandFailure.input("--file \(file): \(error)")
            }
            guard bundle.privateKey != nil else { throw CommandFailure.input("--file \(file): the PFX holds no private key") }
            let namedKey: NamedKey
            do {
                namedKey = try NamedKey.certificate(name: name, bundle: bundle, storeKey: key)
            } catch let error as NamedKeyError {
                throw CommandFailure.input(error.description)
            }
            try await NamedKeyCommandSupport.add(namedKey, to: try store.open(create: true), replacing: replace)
            if json {
                try StoreCommand.printJSON(NamedKeyView(namedKey))
            } else {
                let facts = namedKey.certificate
                print("Stored certificate '\(name)': \(facts?.subject ?? "-"), valid until \(StoreCommand.format(facts?.notAfter)) (encrypted with the store key).")
            }
        }
    }
}

struct KeysListNamedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-named",
        abstract: "List named keys (secrets and certificates for calling APIs): names, kinds, created; never values.")

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print a JSON array.")
    var json = false

    func run() async throws {
        try await StoreCommand.run {
            let keys = try await store.open(create: false).namedKeys()
            if json {
                try StoreCommand.printJSON(keys.map(NamedKeyView.init))
                return
            }
            if keys.isEmpty {
                print("No named keys (add one with `trustgate keys add-secret NAME` or `add-pfx NAME --file F`).")
                return
            }
            for key in keys {
                print("\(key.name)  \(key.kind.rawValue)  created \(StoreCommand.format(key.createdAt))")
                if let facts = key.certificate {
                    StoreCommand.printFields(
                        [("Subject:", facts.subject), ("SHA-256:", NamedKeyView.hex(facts.sha256)), ("Not after:", StoreCommand.format(facts.notAfter))],
                        indent: "  ")
                }
            }
        }
    }
}

struct KeysRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a named key (signing keys are not removed this way: they leave through `keys rotate`).")

    @Argument(help: ArgumentHelp("The key's name.", valueName: "name"))
    var name: String

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        try await StoreCommand.run {
            do {
                try await store.open(create: false).removeNamedKey(name: name)
            } catch let error as NamedKeyError {
                throw CommandFailure.failed(error.description)
            }
            if json {
                try StoreCommand.printJSON(["removed": name])
            } else {
                print("Removed named key '\(name)'.")
            }
        }
    }
}

enum NamedKeyCommandSupport {
    static func add(_ key: NamedKey, to store: SQLiteRegistrationStore, replacing: Bool) async throws {
        do {
            try await store.addNamedKey(key, replacing: replacing)
        } catch let error as NamedKeyError {
            throw CommandFailure.failed(error.description)
        }
    }
}

/// `keys list-named --json`: public facts only.
struct NamedKeyView: Encodable {
    let name: String
    let kind: String
    let createdAt: Date
    let certificateSubject: String?
    let certificateSHA256: String?
    let certificateNotAfter: Date?

    init(_ key: NamedKey) {
        name = key.name
        kind = key.kind.rawValue
        createdAt = key.createdAt
        certificateSubject = key.certificate?.subject
        certificateSHA256 = key.certificate.map { Self.hex($0.sha256) }
        certificateNotAfter = key.certificate?.notAfter
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    enum CodingKeys: String, CodingKey {
        case name, kind
        case createdAt = "created_at"
        case certificateSubject = "certificate_subject"
        case certificateSHA256 = "certificate_sha256"
        case certificateNotAfter = "certificate_not_after"
    }
}
