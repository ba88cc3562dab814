import Crypto
import Foundation
import TrustGateX509
import _CryptoExtras

/// A stored secret — a password, an API key, a static bearer token — as a PHC-style string, parsed once when
/// the configuration is read and verified in constant time per request.
///
/// - `$pbkdf2-sha256$i=600000$<salt>$<hash>`: PBKDF2-HMAC-SHA256. Use it for passwords people choose.
///   600,000 iterations is OWASP's 2023 recommendation; 100,000 … 2,000,000 are accepted.
/// - `$scrypt$ln=17,r=8,p=1$<salt>$<hash>`: scrypt (RFC 7914) with N = 2^ln. ln 14 … 20, r ≥ 8, at most
///   256 MiB per verification.
/// - `$sha256$<hash>`: one unsalted SHA-256. **Only for generated high-entropy secrets** (the 256-bit keys
///   `trustgate hash-secret --generate` makes, static tokens): guessing those is infeasible however fast the
///   hash, and a fast hash lets an API key be checked on the event loop. Never use it for a password.
///
/// Salt and hash are standard base64, without padding as PHC writes them (padding is accepted too).
public struct SecretHash: Sendable, CustomStringConvertible {
    public enum Algorithm: Sendable, Hashable {
        case pbkdf2SHA256(iterations: Int)
        /// N = 2^logN, r = blockSize, p = parallelism.
        case scrypt(logN: Int, blockSize: Int, parallelism: Int)
        case sha256
    }

    /// OWASP Password Storage Cheat Sheet (2023) for PBKDF2-HMAC-SHA256.
    public static let defaultPBKDF2Iterations = 600_000
    /// OWASP's scrypt recommendation: N = 2^17, r = 8, p = 1 (128 MiB per verification).
    public static let defaultScrypt = Algorithm.scrypt(logN: 17, blockSize: 8, parallelism: 1)
    static let saltByteCount = 16
    static let derivedByteCount = 32
    static let allowedSaltLengths = 8...64
    static let allowedDerivedLengths = 16...64

    public let algorithm: Algorithm
    let salt: [UInt8]
    let digest: [UInt8]

    init(algorithm: Algorithm, salt: [UInt8], digest: [UInt8]) {
        self.algorithm = algorithm
        self.salt = salt
        self.digest = digest
    }

    /// Parses a stored hash, refusing malformed strings and costs outside the accepted bounds.
    public init(_ text: String) throws(SecretHashError) {
        self = try Self.parse(text, bounds: .standard)
    }

    /// Whether verifying costs real time (PBKDF2, scrypt): such verifications must not run on an event loop,
    /// and their results are worth caching.
    public var isSlow: Bool {
        if case .sha256 = algorithm { return false }
        return true
    }

    /// The PHC string, for configuration files.
    public var encoded: String {
        let hash = PHCBase64.encodeUnpadded(digest)
        switch algorithm {
        case .sha256:
            return "$sha256$\(hash)"
        case .pbkdf2SHA256(let iterations):
            return "$pbkdf2-sha256$i=\(iterations)$\(PHCBase64.encodeUnpadded(salt))$\(hash)"
        case .scrypt(let logN, let blockSize, let parallelism):
            return "$scrypt$ln=\(logN),r=\(blockSize),p=\(parallelism)$\(PHCBase64.encodeUnpadded(salt))$\(hash)"
        }
    }

    /// The algorithm and its cost, never the salt or hash: safe for logs and explanations.
    public var description: String {
        switch algorithm {
        case .sha256: return "sha256"
        case .pbkdf2SHA256(let iterations): return "pbkdf2-sha256 (\(iterations) iterations)"
        case .scrypt(let logN, let blockSize, let parallelism): return "scrypt (ln=\(logN), r=\(blockSize), p=\(parallelism))"
        }
    }

    // MARK: - Verification

    /// Whether `secret` is the secret this hash was made from. The comparison takes the same time wherever the
    /// bytes differ; a slow algorithm takes its full cost whatever the input.
    public func verify(_ secret: some Collection<UInt8>) -> Bool {
        guard let derived = Self.derive(Array(secret), algorithm: algorithm, salt: salt, byteCount: digest.count) else { return false }
        return ConstantTime.equal(derived, digest)
    }

    /// For `$sha256$` hashes: whether a SHA-256 the caller computed once equals this one (API keys compare one
    /// presented digest with every configured key).
    func matches(sha256Digest: [UInt8]) -> Bool {
        guard case .sha256 = algorithm else { return false }
        return ConstantTime.equal(sha256Digest, digest)
    }

    /// A hash with the same algorithm and cost that no secret matches: verified for unknown user names, so
    /// that a response's timing does not tell which names exist.
    func decoy() -> SecretHash {
        SecretHash(algorithm: algorithm, salt: Self.randomBytes(salt.count), digest: Self.randomBytes(digest.count))
    }

    // MARK: - Creation

    /// Hashes `secret` with a fresh random 16-byte salt.
    public static func create(
        for secret: some Collection<UInt8>,
        algorithm: Algorithm = .pbkdf2SHA256(iterations: defaultPBKDF2Iterations)
    ) throws(SecretHashError) -> SecretHash {
        try create(for: secret, algorithm: algorithm, bounds: .standard)
    }

    static func create(for secret: some Collection<UInt8>, algorithm: Algorithm, bounds: SecretHashCostBounds) throws(SecretHashError) -> SecretHash {
        try bounds.check(algorithm)
        let salt: [UInt8]
        if case .sha256 = algorithm { salt = [] } else { salt = randomBytes(saltByteCount) }
        let byteCount = algorithm == .sha256 ? SHA256.byteCount : derivedByteCount
        guard let digest = derive(Array(secret), algorithm: algorithm, salt: salt, byteCount: byteCount) else {
            throw .malformed("the key derivation failed for \(algorithm)")
        }
        return SecretHash(algorithm: algorithm, salt: salt, digest: digest)
    }

    // MARK: - Derivation

    /// The raw KDF output, or nil when the library refuses the parameters (which the bounds prevent).
    static func derive(_ secret: [UInt8], algorithm: Algorithm, salt: [UInt8], byteCount: Int) -> [UInt8]? {
        switch algorithm {
        case .sha256:
            return Array(SHA256.hash(data: secret))
        case .pbkdf2SHA256(let iterations):
            // The unchecked entry point: our own bounds apply (swift-crypto's checked one demands 210,000).
            guard let key = try? KDF.Insecure.PBKDF2.deriveKey(
                from: secret, salt: salt, using: .sha256, outputByteCount: byteCount, unsafeUncheckedRounds: iterations)
            else { return nil }
            return key.withUnsafeBytes { Array($0) }
        case .scrypt(let logN, let blockSize, let parallelism):
            guard let key = try? KDF.Scrypt.deriveKey(
                from: secret, salt: salt, outputByteCount: byteCount, rounds: 1 << logN, blockSize: blockSize, parallelism: parallelism)
            else { return nil }
            return key.withUnsafeBytes { Array($0) }
        }
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        // SystemRandomNumberGenerator is the platform CSPRNG (getrandom / arc4random).
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

extension SecretHash.Algorithm {
    /// The PHC identifier: `pbkdf2-sha256`, `scrypt`, `sha256`.
    public var identifier: String {
        switch self {
        case .pbkdf2SHA256: return "pbkdf2-sha256"
        case .scrypt: return "scrypt"
        case .sha256: return "sha256"
        }
    }
}
