import Foundation

extension SecretHash {
    /// Reads `$id$params$salt$hash` (or `$sha256$hash`) strictly: known identifiers and parameter names in
    /// their fixed order, decimal numbers without signs or leading zeros, canonical base64, sane lengths.
    /// Error messages never quote the string (it is not the secret, but it is not for logs either).
    static func parse(_ text: String, bounds: SecretHashCostBounds) throws(SecretHashError) -> SecretHash {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("$") else {
            throw .malformed("a secret hash starts with $ (e.g. $pbkdf2-sha256$i=600000$…); make one with `trustgate hash-secret`")
        }
        let fields = trimmed.dropFirst().split(separator: "$", omittingEmptySubsequences: false)
        let identifier = fields.first.map(String.init) ?? ""
        let algorithm: Algorithm
        let salt: [UInt8]
        let encodedDigest: Substring
        switch identifier {
        case "sha256":
            guard fields.count == 2 else { throw .malformed("expected $sha256$<base64 hash>") }
            algorithm = .sha256
            salt = []
            encodedDigest = fields[1]
        case "pbkdf2-sha256":
            guard fields.count == 4 else { throw .malformed("expected $pbkdf2-sha256$i=<iterations>$<base64 salt>$<base64 hash>") }
            let parameters = try Self.parameters(fields[1], names: ["i"], algorithm: identifier)
            algorithm = .pbkdf2SHA256(iterations: parameters[0])
            salt = try Self.salt(fields[2])
            encodedDigest = fields[3]
        case "scrypt":
            guard fields.count == 4 else { throw .malformed("expected $scrypt$ln=<log2 N>,r=<r>,p=<p>$<base64 salt>$<base64 hash>") }
            let parameters = try Self.parameters(fields[1], names: ["ln", "r", "p"], algorithm: identifier)
            algorithm = .scrypt(logN: parameters[0], blockSize: parameters[1], parallelism: parameters[2])
            salt = try Self.salt(fields[2])
            encodedDigest = fields[3]
        case "2a", "2b", "2y", "argon2i", "argon2d", "argon2id", "pbkdf2", "pbkdf2-sha512", "pbkdf2-sha1", "1", "5", "6":
            throw .unsupportedAlgorithm("the $\(identifier)$ algorithm is not supported: use pbkdf2-sha256, scrypt or (for generated keys) sha256")
        default:
            throw .unsupportedAlgorithm("unknown secret hash algorithm (expected $pbkdf2-sha256$, $scrypt$ or $sha256$)")
        }
        guard let digest = PHCBase64.decode(encodedDigest) else { throw .malformed("the hash is not valid base64") }
        if algorithm == .sha256 {
            guard digest.count == 32 else { throw .malformed("a sha256 hash has 32 bytes, this one has \(digest.count)") }
        } else {
            guard allowedDerivedLengths.contains(digest.count) else {
                throw .malformed("the hash must have \(allowedDerivedLengths.lowerBound) to \(allowedDerivedLengths.upperBound) bytes, this one has \(digest.count)")
            }
        }
        try bounds.check(algorithm)
        return SecretHash(algorithm: algorithm, salt: salt, digest: digest)
    }

    private static func salt(_ field: Substring) throws(SecretHashError) -> [UInt8] {
        guard let salt = PHCBase64.decode(field) else { throw .malformed("the salt is not valid base64") }
        guard allowedSaltLengths.contains(salt.count) else {
            throw .malformed("the salt must have \(allowedSaltLengths.lowerBound) to \(allowedSaltLengths.upperBound) bytes, this one has \(salt.count)")
        }
        return salt
    }

    /// `name=value,name=value` with exactly `names`, in that order.
    private static func parameters(_ field: Substring, names: [String], algorithm: String) throws(SecretHashError) -> [Int] {
        let expected = names.map { "\($0)=<number>" }.joined(separator: ",")
        let pairs = field.split(separator: ",", omittingEmptySubsequences: false)
        guard pairs.count == names.count else { throw .malformed("\(algorithm) parameters must be \(expected)") }
        var values: [Int] = []
        for (pair, name) in zip(pairs, names) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { throw .malformed("\(algorithm) parameters must be \(expected)") }
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 9, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  digits == "0" || digits.first != "0", let value = Int(digits)
            else { throw .malformed("\(algorithm) parameter \(name) must be a decimal number without sign or leading zeros") }
            values.append(value)
        }
        return values
    }
}
