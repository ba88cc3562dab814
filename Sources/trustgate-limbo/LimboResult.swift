/// The harness's answer to the suite (`LimboResult`), written to stdout.
struct LimboResult: Encodable {
    let version = 1
    let harness = "trustgate"
    let results: [LimboTestcaseResult]
}

struct LimboTestcaseResult: Encodable, Sendable {
    enum Outcome: String, Encodable, Sendable {
        case success = "SUCCESS"
        case failure = "FAILURE"
        case skipped = "SKIPPED"
    }

    let id: String
    let outcome: Outcome
    /// Why: the verdict's reason codes and messages for a failure, the skip reason, or the accepted chain.
    let context: String

    enum CodingKeys: String, CodingKey {
        case id
        case outcome = "actual_result"
        case context
    }

    static func skipped(_ id: String, _ reason: String) -> Self {
        Self(id: id, outcome: .skipped, context: reason)
    }
}
