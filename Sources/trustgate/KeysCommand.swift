import ArgumentParser
import Foundation
import TrustGateStore
import TrustGateX509

/// `trustgate keys`: the token service's signing keys.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the token service's signing keys and the named keys connectors use (all encrypted with the store key).",
        discussion: """
            Private keys are encrypted (AES-256-GCM) with the store key: a file given with --key-file (32 random \
            bytes, raw or base64, mode 0600) or the base64 in $TRUSTGATE_STORE_KEY. Create one with \
            `trustgate keys create-store-key FILE`. Without the store key no token can be signed; keep a copy \
            of it apart from the store.

            Rotation: `keys rotate` publishes a new key in the JWKS at once and makes it the signing key after \
            --publish-delay. Set that to the JWKS cache time of your resource servers (the delay defaults to 0: \
            the new key signs at once, which is right for the first key and for resource servers that refetch \
            the JWKS on an unknown kid). The previous key stops signing then and stays in the JWKS for the \
            longest client token lifetime plus --jwks-cache-time, so every token it signed keeps verifying.

            Named keys (B2C's policy keys) are the credentials `trustgate call` and connector files refer to by \
            name: secrets (`keys add-secret NAME`: passwords, API keys, bearer tokens, client secrets) and client \
            certificates (`keys add-pfx NAME --file F`). `keys list-named` shows their names, kinds and creation \
            times (and a certificate's subject and expiry), never their values; `keys remove NAME` deletes one. \
            `keys list` lists only signing keys.

            Exit status: 0 success, 2 bad usage or input, 1 any other failure (store key missing or wrong).
            """,
        subcommands: [KeysListCommand.self, KeysRotateCommand.self, KeysCreateStoreKeyCommand.self,
            KeysAddSecretCommand.self, KeysAddPFXCommand.self, KeysListNamedCommand.self, KeysRemoveCommand.self]
    )
}

struct KeysListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List signing keys with their state (scheduled, published, active, retired, removed).")

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print a JSON array.")
    var json = false

    func run() async throws {
        try await StoreCommand.run {
            let keys = try await store.open(create: false).signingKeys()
            let now = Date()
            if json {
                try StoreCommand.printJSON(keys.map { SigningKeyView($0, now: now) })
                return
            }
            if keys.isEmpty {
                print("No signing keys (create one with `trustgate keys rotate`).")
                return
            }
            for key in keys {
                let view = SigningKeyView(key, now: now)
                print("\(view.kid)  \(view.algorithm)  \(view.state)")
                StoreCommand.printFields(
                    [
                        ("Published:", StoreCommand.format(view.publishedAt)),
                        ("Signs from:", StoreCommand.format(view.activeFrom)),
                        ("Retired:", StoreCommand.format(view.retiredAt)),
                        ("Leaves JWKS:", StoreCommand.format(view.removedAt)),
                    ], indent: "  ")
            }
        }
    }
}

/// `--algorithm RS256|PS256|ES256`.
enum SigningAlgorithmArgument: String, ExpressibleByArgument, CaseIterable {
    case rs256 = "RS256"
    case ps256 = "PS256"
    case es256 = "ES256"

    init?(argument: String) {
        self.init(rawValue: argument.uppercased())
    }

    var algorithm: SigningKeyAlgorithm {
        switch self {
        case .rs256: return .rs256
        case .ps256: return .ps256
        case .es256: return .es256
        }
    }
}

struct KeysRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Generate a signing key, publish it, and retire the current one (see `keys --help`).")

    @Option(help: ArgumentHelp("RS256 (default), PS256 or ES256.", valueName: "alg"))
    var algorithm: SigningAlgorithmArgument = .rs256

    @Option(
        name: .customLong("publish-delay"),
        help: ArgumentHelp("How long the new key is only published before it signs (default 0; e.g. 1h).", valueName: "duration"))
    var publishDelay = DurationArgument(seconds: 0)

    @Option(
        name: .customLong("jwks-cache-time"),
        help: ArgumentHelp("How long resource servers cache the JWKS (default 1h); retired keys stay that much longer.", valueName: "duration"))
    var jwksCacheTime = DurationArgument(seconds: Int(SigningKeyRotation.defaultJWKSCacheTime))

    @OptionGroup var store: StoreOptions
    @OptionGroup var storeKey: StoreKeyOptions

    @Flag(help: "Print the new and the retired keys as JSON.")
    var json = false

    func run() async throws {
        try await StoreCommand.run {
            let key = try storeKey.resolve()
            let opened = try store.open(create: true)
            let now = Date()
            // A store key that cannot open the current keys is almost certainly the wrong file: refuse before
            // adding a key nobody else can decrypt.
            for existing in try await opened.signingKeys() where existing.isPublished(at: now) {
                _ = try existing.privateKey(using: key)
            }
            let rotation = SigningKeyRotation(publishDelay: publishDelay.timeInterval, jwksCacheTime: jwksCacheTime.timeInterval)
            let result = try await rotation.rotate(in: opened, algorithm: algorithm.algorithm, storeKey: key, now: now)
            if json {
                try StoreCommand.printJSON(
                    RotationView(
                        newKey: SigningKeyView(result.newKey, now: now),
                        retiredKeys: result.retiredKeys.map { SigningKeyView($0, now: now) },
                        retentionSeconds: Int(result.retention)))
                return
            }
            print("New signing key \(result.newKey.keyID) (\(result.newKey.algorithm.rawValue)), in the JWKS now, signing from \(StoreCommand.format(result.newKey.activeFrom)).")
            for retired in result.retiredKeys {
                print("Key \(retired.keyID) stops signing \(StoreCommand.format(retired.retiredAt)) and leaves the JWKS \(StoreCommand.format(retired.removedAt)).")
            }
        }
    }

    struct RotationView: Encodable {
        let newKey: SigningKeyView
        let retiredKeys: [SigningKeyView]
        let retentionSeconds: Int

        enum CodingKeys: String, CodingKey {
            case newKey = "new_key"
            case retiredKeys = "retired_keys"
            case retentionSeconds = "retention_seconds"
        }
    }
}

struct KeysCreateStoreKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-store-key",
        abstract: "Write a new random store key (32 bytes) to FILE with mode 0600.",
        discussion: "Never overwrites a file: losing the store key makes every signing key in the store unusable.")

    @Argument(help: ArgumentHelp("The file to create.", valueName: "file"))
    var file: String

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        try await StoreCommand.run {
            do {
                try SecureFileWriter.write(KeyEncryptionKey.generate().rawBytes, to: file, mode: SecureFileWriter.privateMode, overwrite: false)
            } catch {
                throw CommandFailure.failed("\(error)")
            }
            if json {
                try StoreCommand.printJSON(["key_file": file])
            } else {
                print("Wrote a new store key to \(file) (mode 0600). Use it with --key-file \(file).")
            }
        }
    }
}
