public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a CA remembers between commands, kept as `state.json` in its directory: the certificates it issued,
/// the ones it revoked, and the number of the last CRL.
///
/// Serials are upper-case hex without leading zeros (``SerialNumberText/hex(_:)``); dates are ISO 8601 UTC.
public struct CAState: Codable, Sendable, Hashable {
    public static let fileName = "state.json"
    public static let currentFormat = 1

    public struct IssuedCertificateRecord: Codable, Sendable, Hashable {
        public var serialNumber: String
        public var subject: String
        public var profile: String
        public var notBefore: Date
        public var notAfter: Date
        public var issuedAt: Date
    }

    public struct RevocationRecord: Codable, Sendable, Hashable {
        public var serialNumber: String
        public var revokedAt: Date
        public var reason: CertificateRevocationListBuilder.Reason?
    }

    public var format: Int
    /// The number of the issuing CA's last CRL; the next one gets `lastCRLNumber + 1`
    /// (RFC 5280 §5.2.3: monotonically increasing).
    public var lastCRLNumber: UInt64
    /// Certificates the issuing CA issued.
    public var issued: [IssuedCertificateRecord]
    /// Revocations listed on the issuing CA's CRL.
    public var revoked: [RevocationRecord]
    /// Revocations listed on the root's own CRL (the intermediate), when the root is not the issuing CA.
    public var rootRevoked: [RevocationRecord]
    /// The number of the root's last CRL (a separate sequence: each CA numbers its own CRLs).
    public var lastRootCRLNumber: UInt64

    public init() {
        format = Self.currentFormat
        lastCRLNumber = 0
        issued = []
        revoked = []
        rootRevoked = []
        lastRootCRLNumber = 0
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(Int.self, forKey: .format)
        lastCRLNumber = try container.decode(UInt64.self, forKey: .lastCRLNumber)
        issued = try container.decode([IssuedCertificateRecord].self, forKey: .issued)
        revoked = try container.decode([RevocationRecord].self, forKey: .revoked)
        rootRevoked = try container.decodeIfPresent([RevocationRecord].self, forKey: .rootRevoked) ?? []
        lastRootCRLNumber = try container.decodeIfPresent(UInt64.self, forKey: .lastRootCRLNumber) ?? 0
    }

    public func isIssued(_ serialHex: String) -> Bool {
        issued.contains { $0.serialNumber == serialHex }
    }

    public func revocation(of serialHex: String) -> RevocationRecord? {
        revoked.first { $0.serialNumber == serialHex }
    }

    // MARK: Persistence

    /// Reads the state of the CA in `directory`.
    public static func load(from directory: String) throws(PKIError) -> CAState {
        let path = directory + "/" + fileName
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PKIError.notACertificateAuthority(directory: directory, reason: "\(fileName) cannot be read")
        }
        let state: CAState
        do {
            state = try decoder.decode(CAState.self, from: data)
        } catch {
            throw PKIError.malformedState(path: path, reason: Self.describe(error))
        }
        guard state.format == currentFormat else {
            throw PKIError.malformedState(path: path, reason: "format \(state.format) is not supported (expected \(currentFormat))")
        }
        return state
    }

    /// Writes the state atomically (a reader never sees half a file).
    public func save(to directory: String) throws(PKIError) {
        let bytes: Data
        do {
            bytes = try Self.encoder.encode(self)
        } catch {
            throw PKIError.malformedState(path: directory + "/" + Self.fileName, reason: "cannot encode: \(error)")
        }
        try SecureFileWriter.write(Array(bytes) + [0x0A], to: directory + "/" + Self.fileName,
                                   mode: SecureFileWriter.privateMode, overwrite: true)
    }

    /// Runs `body` on the state while holding an exclusive lock on the CA directory, and saves what it changed.
    ///
    /// Two `pki issue` runs in parallel (a test suite fanning out, `xargs -P`) must not lose each other's records
    /// or hand out the same CRL number, so read-modify-write happens under `flock(2)` on `DIR/.state.lock`.
    public static func update<Result>(
        in directory: String,
        _ body: (inout CAState) throws(PKIError) -> Result
    ) throws(PKIError) -> Result {
        let lockPath = directory + "/.state.lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, SecureFileWriter.privateMode)
        guard fd >= 0 else {
            throw PKIError.fileSystem(path: lockPath, operation: "open lock file", reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw PKIError.fileSystem(path: lockPath, operation: "lock", reason: String(cString: strerror(errno)))
            }
        }
        defer { _ = flock(fd, LOCK_UN) }
        var state = try load(from: directory)
        let original = state
        let result = try body(&state)
        if state != original {
            try state.save(to: directory)
        }
        return result
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not valid JSON" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "" : " at \(keys.joined(separator: "."))"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing key '\(key.stringValue)'\(path(context))"
        case .typeMismatch(_, let context): return "wrong type\(path(context)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "missing value\(path(context))"
        case .dataCorrupted(let context): return "\(context.debugDescription)\(path(context))"
        @unknown default: return "not valid JSON"
        }
    }
}
