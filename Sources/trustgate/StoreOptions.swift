import ArgumentParser
import Foundation
import TrustGateStore

/// `--store PATH`: the registration store every `resource`, `client` and `keys` command works on.
struct StoreOptions: ParsableArguments {
    static let environmentVariable = "TRUSTGATE_STORE"
    static let defaultPath = "./trustgate.db"

    @Option(
        name: .customLong("store"),
        help: ArgumentHelp("The registration store, an SQLite file (default: $TRUSTGATE_STORE, else ./trustgate.db).", valueName: "path"))
    var path: String?

    var resolvedPath: String {
        if let path { return path }
        if let fromEnvironment = ProcessInfo.processInfo.environment[Self.environmentVariable], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return Self.defaultPath
    }

    /// Opens the store. Commands that register something create it; commands that only read require it to exist,
    /// so a typo in the path does not silently show an empty store.
    func open(create: Bool) throws -> SQLiteRegistrationStore {
        do {
            return try SQLiteRegistrationStore(path: resolvedPath, create: create)
        } catch where error.code == .storeNotFound {
            throw CommandFailure.failed("no store at \(resolvedPath) (give --store PATH or set \(Self.environmentVariable); commands that register something create it)")
        } catch {
            throw CommandFailure.failed(error.description)
        }
    }
}

/// `--key-file FILE` / `$TRUSTGATE_STORE_KEY`: the key that encrypts signing keys in the store. Only commands
/// that create or use private keys need it.
struct StoreKeyOptions: ParsableArguments {
    @Option(
        name: .customLong("key-file"),
        help: ArgumentHelp(
            "The store key: a file with 32 random bytes (raw or base64), mode 0600 (default: $\(KeyEncryptionKey.environmentVariable), base64).",
            valueName: "file"))
    var file: String?

    func resolve() throws -> KeyEncryptionKey {
        do {
            return try KeyEncryptionKey.resolve(file: file)
        } catch {
            throw CommandFailure.failed(error.description)
        }
    }
}
