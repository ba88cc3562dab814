import Crypto
public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The AES-256 key that encrypts signing keys' private halves in the store. It lives outside the store (a file
/// with mode 0600, or an environment variable), so a copy of the database alone reveals no private key.
public struct KeyEncryptionKey: Sendable {
    public static let byteCount = 32
    public static let environmentVariable = "TRUSTGATE_STORE_KEY"

    let key: SymmetricKey

    public init(bytes: some Collection<UInt8>, source: String = "the given bytes") throws(KeyEncryptionKeyError) {
        guard bytes.count == Self.byteCount else { throw .wrongLength(source: source, byteCount: bytes.count) }
        self.key = SymmetricKey(data: Array(bytes))
    }

    /// A new random key (for `trustgate keys create-store-key` and tests).
    public static func generate() -> KeyEncryptionKey {
        KeyEncryptionKey(key: SymmetricKey(size: .bits256))
    }

    private init(key: SymmetricKey) {
        self.key = key
    }

    /// The raw 32 bytes, to write a new key file.
    public var rawBytes: [UInt8] { key.withUnsafeBytes { Array($0) } }

    /// Reads a key file: 32 raw bytes, or the base64 of 32 bytes (with optional trailing newline). The file must
    /// not be readable by group or others.
    public static func load(file path: String) throws(KeyEncryptionKeyError) -> KeyEncryptionKey {
        // FileManager rather than stat(2): with --static-swift-stdlib (scripts/package.sh) the members of
        // `struct stat` belong to whichever module included <sys/stat.h> first (CoreFoundation there, CDispatch or
        // Glibc elsewhere), and MemberImportVisibility refuses them unless that very module is imported. Like
        // stat(2), judge what a symbolic link points to (a Kubernetes Secret mount is one).
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: target)
        } catch {
            // The POSIX error underneath, worded as strerror(3) words it ("No such file or directory").
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey].flatMap { $0 as? any Error }
            throw .fileUnreadable(path: path, reason: underlying.map { String(cString: strerror(Int32(($0 as NSError).code))) } ?? error.localizedDescription)
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else { throw .notARegularFile(path: path) }
        let permissions = (attributes[.posixPermissions] as? NSNumber)?.uint32Value ?? 0o777
        guard permissions & 0o077 == 0 else { throw .fileTooOpen(path: path, mode: UInt32(S_IFREG) | permissions) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .fileUnreadable(path: path, reason: "permission denied or unreadable")
        }
        let bytes = Array(data)
        if bytes.count == byteCount { return try KeyEncryptionKey(bytes: bytes, source: path) }
        guard let decoded = decodeBase64(String(decoding: bytes, as: UTF8.self)) else {
            throw .wrongLength(source: path, byteCount: bytes.count)
        }
        return try KeyEncryptionKey(bytes: decoded, source: path)
    }

    /// The key from an environment variable's value: standard or URL-safe base64, padded or not.
    public static func fromEnvironmentValue(_ value: String, variable: String = environmentVariable) throws(KeyEncryptionKeyError) -> KeyEncryptionKey {
        guard let decoded = decodeBase64(value) else { throw .notBase64(source: variable) }
        return try KeyEncryptionKey(bytes: decoded, source: variable)
    }

    /// `--key-file` when given, else the environment variable, else `.missing`.
    public static func resolve(
        file: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KeyEncryptionKeyError) -> KeyEncryptionKey {
        if let file { return try load(file: file) }
        if let value = environment[environmentVariable], !value.isEmpty {
            return try fromEnvironmentValue(value)
        }
        throw .missing(environmentVariable: environmentVariable)
    }

    static func decodeBase64(_ text: String) -> [UInt8]? {
        var normalized = String(text.filter { !$0.isWhitespace }.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while normalized.count % 4 != 0 { normalized.append("=") }
        return Data(base64Encoded: normalized).map(Array.init)
    }
}
