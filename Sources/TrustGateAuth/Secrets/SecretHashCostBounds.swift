/// The costs a stored secret hash may declare.
///
/// The floors keep a leaked configuration expensive to guess offline; the ceilings keep one entry (or one
/// typo) from making every login take seconds or gigabytes, which would let a configuration DoS the process.
/// Configuration always uses ``standard``; tests may lower the floors to run fast.
struct SecretHashCostBounds: Sendable {
    var pbkdf2Iterations: ClosedRange<Int>
    var scryptLogN: ClosedRange<Int>
    var scryptBlockSize: ClosedRange<Int>
    var scryptParallelism: ClosedRange<Int>
    /// 128 · r · N bytes: scrypt's working memory for one verification.
    var scryptMaxMemory: Int
    /// N · r · p: scrypt's work, proportional to its running time.
    var scryptMaxWork: Int

    /// PBKDF2-SHA256: at least 100,000 iterations (OWASP 2023 recommends 600,000), at most 2,000,000.
    /// scrypt: N = 2^14 … 2^20 with r ≥ 8 (RFC 7914 §2 and OWASP use r = 8), at most 256 MiB per
    /// verification and N·r·p ≤ 2^23.
    static let standard = SecretHashCostBounds(
        pbkdf2Iterations: 100_000...2_000_000,
        scryptLogN: 14...20,
        scryptBlockSize: 8...32,
        scryptParallelism: 1...16,
        scryptMaxMemory: 256 << 20,
        scryptMaxWork: 1 << 23
    )

    /// Same ceilings, no meaningful floors: for tests only, never reachable from configuration.
    static let testing = SecretHashCostBounds(
        pbkdf2Iterations: 1...2_000_000,
        scryptLogN: 1...20,
        scryptBlockSize: 1...32,
        scryptParallelism: 1...16,
        scryptMaxMemory: 256 << 20,
        scryptMaxWork: 1 << 23
    )

    func check(_ algorithm: SecretHash.Algorithm) throws(SecretHashError) {
        switch algorithm {
        case .sha256:
            return
        case .pbkdf2SHA256(let iterations):
            if iterations < pbkdf2Iterations.lowerBound {
                throw .costTooLow("pbkdf2-sha256 needs at least \(pbkdf2Iterations.lowerBound) iterations (OWASP 2023 recommends \(SecretHash.defaultPBKDF2Iterations))")
            }
            if iterations > pbkdf2Iterations.upperBound {
                throw .costTooHigh("pbkdf2-sha256 allows at most \(pbkdf2Iterations.upperBound) iterations")
            }
        case .scrypt(let logN, let blockSize, let parallelism):
            if logN < scryptLogN.lowerBound {
                throw .costTooLow("scrypt needs ln of at least \(scryptLogN.lowerBound) (N = 2^ln; OWASP recommends ln=17)")
            }
            if logN > scryptLogN.upperBound {
                throw .costTooHigh("scrypt allows ln of at most \(scryptLogN.upperBound)")
            }
            if blockSize < scryptBlockSize.lowerBound {
                throw .costTooLow("scrypt needs r of at least \(scryptBlockSize.lowerBound)")
            }
            if blockSize > scryptBlockSize.upperBound {
                throw .costTooHigh("scrypt allows r of at most \(scryptBlockSize.upperBound)")
            }
            if !scryptParallelism.contains(parallelism) {
                throw parallelism < scryptParallelism.lowerBound
                    ? .costTooLow("scrypt needs p of at least \(scryptParallelism.lowerBound)")
                    : .costTooHigh("scrypt allows p of at most \(scryptParallelism.upperBound)")
            }
            let memory = 128 * blockSize << logN
            if memory > scryptMaxMemory {
                throw .costTooHigh("scrypt with ln=\(logN),r=\(blockSize) needs \(memory >> 20) MiB per verification; at most \(scryptMaxMemory >> 20) MiB is allowed")
            }
            if (blockSize * parallelism) << logN > scryptMaxWork {
                throw .costTooHigh("scrypt with ln=\(logN),r=\(blockSize),p=\(parallelism) is too slow to verify per login (N·r·p must be at most 2^23)")
            }
        }
    }
}
