import TrustGateX509

/// The per-request certificate decision, as a pure function of the host's mode, the path, the route and the
/// verdict on whatever certificate arrived — kept apart from I/O so every combination is unit-tested.
enum RequestAuthorization {
    enum Decision {
        /// Pass; the certificate (if any) is forwarded.
        case allow(AcceptedCertificate?)
        case deny(RejectionCode, detail: String)
    }

    /// The host-level part of the decision, which needs no route: a presented certificate that was refused,
    /// or none where the host requires one.
    static func hostDenial(mode: ClientCertificateMode, excluded: Bool, verdict: CertificateVerdict?) -> Decision? {
        switch verdict {
        case nil:
            if mode == .required && !excluded {
                return .deny(.noCertificate, detail: "A client certificate is required for this resource and none was presented.")
            }
            return nil
        case .rejected(let reasons)?:
            let first = reasons.first ?? CertificateRejection(.malformed, "the certificate could not be evaluated")
            return .deny(first.code, detail: first.message)
        case .accepted?:
            return nil
        }
    }

    /// - Parameters:
    ///   - verdict: nil when no certificate was presented.
    ///   - excluded: the path is in the host's `exclude_paths`.
    static func decide(
        mode: ClientCertificateMode,
        excluded: Bool,
        route: CompiledRoute,
        verdict: CertificateVerdict?
    ) -> Decision {
        guard let verdict else {
            let needed = route.configuration.requireCertificate || route.identity != nil || (mode == .required && !excluded)
            if needed {
                return .deny(.noCertificate, detail: "A client certificate is required for this resource and none was presented.")
            }
            return .allow(nil)
        }
        switch verdict {
        case .rejected(let reasons):
            // A certificate that was presented and refused is never ignored, not even on excluded paths:
            // the client asked to be that identity.
            let first = reasons.first ?? CertificateRejection(.malformed, "the certificate could not be evaluated")
            return .deny(first.code, detail: first.message)
        case .accepted(let accepted):
            if let identity = route.identity, let rejection = identity.rejection(for: accepted.identity) {
                return .deny(rejection.code, detail: rejection.message)
            }
            return .allow(accepted)
        }
    }
}
