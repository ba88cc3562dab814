import Crypto

/// The PKCS#12 password-integrity MAC (RFC 7292 §5 and Appendix B): HMAC over the AuthenticatedSafe with a key
/// derived from the password by the PKCS#12 key-derivation function.
///
/// Checking the MAC ourselves tells a wrong password apart from every other failure before BoringSSL is involved,
/// and lets `PKCS12Reader` build the small helper PFX it hands to BoringSSL.
enum PKCS12Integrity {
    enum Digest: Sendable {
        case sha1, sha256, sha384, sha512

        init?(oid: String) {
            switch oid {
            case "1.3.14.3.2.26": self = .sha1
            case "2.16.840.1.101.3.4.2.1": self = .sha256
            case "2.16.840.1.101.3.4.2.2": self = .sha384
            case "2.16.840.1.101.3.4.2.3": self = .sha512
            default: return nil
            }
        }

        var outputSize: Int {
            switch self {
            case .sha1: return 20
            case .sha256: return 32
            case .sha384: return 48
            case .sha512: return 64
            }
        }

        /// The hash's input block size, `v` in RFC 7292 Appendix B.
        var blockSize: Int {
            switch self {
            case .sha1, .sha256: return 64
            case .sha384, .sha512: return 128
            }
        }

        func hash(_ data: [UInt8]) -> [UInt8] {
            switch self {
            case .sha1: return Array(Insecure.SHA1.hash(data: data))
            case .sha256: return Array(SHA256.hash(data: data))
            case .sha384: return Array(SHA384.hash(data: data))
            case .sha512: return Array(SHA512.hash(data: data))
            }
        }

        func hmac(key: [UInt8], data: [UInt8]) -> [UInt8] {
            let key = SymmetricKey(data: key)
            switch self {
            case .sha1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: data, using: key))
            case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: key))
            case .sha384: return Array(HMAC<SHA384>.authenticationCode(for: data, using: key))
            case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: data, using: key))
            }
        }
    }

    /// Iteration counts above this are refused: real files use 1–10,000, and a huge count is a denial of service.
    static let maximumIterations = 1_000_000

    /// The password as PKCS#12 encodes it: a BMPString (UTF-16 big-endian) with a two-byte NUL terminator.
    static func bmpPassword(_ password: String) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(password.utf16.count * 2 + 2)
        for unit in password.utf16 {
            bytes.append(UInt8(unit >> 8))
            bytes.append(UInt8(unit & 0xFF))
        }
        bytes.append(contentsOf: [0, 0])
        return bytes
    }

    /// RFC 7292 Appendix B.2. `id` is 1 for cipher keys, 2 for IVs, 3 for MAC keys.
    static func deriveKey(
        digest: Digest,
        password: [UInt8],
        salt: [UInt8],
        iterations: Int,
        id: UInt8,
        length: Int
    ) -> [UInt8] {
        let u = digest.outputSize
        let v = digest.blockSize
        let diversifier = [UInt8](repeating: id, count: v)
        func repeatedToBlocks(_ bytes: [UInt8]) -> [UInt8] {
            guard !bytes.isEmpty else { return [] }
            let count = v * ((bytes.count + v - 1) / v)
            return (0..<count).map { bytes[$0 % bytes.count] }
        }
        var input = repeatedToBlocks(salt) + repeatedToBlocks(password)
        var output = [UInt8]()
        output.reserveCapacity(length + u)
        while output.count < length {
            var block = digest.hash(diversifier + input)
            for _ in 1..<max(iterations, 1) {
                block = digest.hash(block)
            }
            output += block
            guard output.count < length else { break }
            // I_j = (I_j + B + 1) mod 2^(8v), with B the block repeated to v bytes.
            let b = (0..<v).map { block[$0 % u] }
            var start = 0
            while start < input.count {
                var carry: UInt16 = 1
                for offset in stride(from: v - 1, through: 0, by: -1) {
                    let sum = UInt16(input[start + offset]) + UInt16(b[offset]) + carry
                    input[start + offset] = UInt8(sum & 0xFF)
                    carry = sum >> 8
                }
                start += v
            }
        }
        return Array(output.prefix(length))
    }

    static func mac(digest: Digest, password: [UInt8], salt: [UInt8], iterations: Int, data: [UInt8]) -> [UInt8] {
        let key = deriveKey(
            digest: digest, password: password, salt: salt, iterations: iterations, id: 3, length: digest.outputSize)
        return digest.hmac(key: key, data: data)
    }

    /// Constant-time comparison of two MACs.
    static func equal(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        ConstantTime.equal(left, right)
    }
}
