import Foundation
import TrustGateX509
import X509

/// Evaluates one testcase with TrustGate's engine and turns the verdict into a limbo result.
enum LimboCaseRunner {
    static func run(_ testcase: LimboTestcase, mode: HarnessMode) async -> LimboTestcaseResult {
        let translated: TranslatedCase
        do {
            translated = try LimboCaseTranslation.translate(testcase, mode: mode)
        } catch {
            return .skipped(testcase.id, error.reason)
        }
        let evaluation = await CertificatePolicy(translated.settings).explain(translated.presented, at: translated.time)
        let notes = translated.notes.isEmpty ? "" : " [" + translated.notes.joined(separator: "; ") + "]"
        switch evaluation.verdict {
        case .accepted(let accepted):
            let warnings = accepted.warnings.isEmpty ? "" : "; warnings: " + accepted.warnings.map(\.description).joined(separator: "; ")
            return LimboTestcaseResult(
                id: testcase.id,
                outcome: .success,
                context: "accepted: chain of \(accepted.chain.count) (\(chainSummary(accepted.chain)))\(warnings)\(notes)"
            )
        case .rejected(let reasons):
            let codes = reasons.map(\.code.rawValue).joined(separator: ",")
            let messages = reasons.map(\.message).joined(separator: "; ")
            let refusals = translated.policyLog.recorded
            let policy = refusals.isEmpty ? "" : " {candidate chains refused by: " + refusals.joined(separator: " | ") + "}"
            return LimboTestcaseResult(id: testcase.id, outcome: .failure, context: "[\(codes)] \(messages)\(policy)\(notes)")
        }
    }

    private static func chainSummary(_ chain: [Certificate]) -> String {
        chain.map { certificate in
            let subject = String(describing: certificate.subject)
            return subject.isEmpty ? "<empty subject>" : subject
        }.joined(separator: " <- ")
    }
}
