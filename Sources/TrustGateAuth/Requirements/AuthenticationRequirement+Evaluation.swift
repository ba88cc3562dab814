extension AuthenticationRequirement {
    /// The decision when every authenticator consulted can answer without suspending (cached verifications,
    /// fast hashes, missing or malformed credentials); nil when a slow hash, a signature check or a policy
    /// evaluation is needed — then run ``decide(_:allowInsecure:)`` off the event loop.
    public func immediateDecision(for request: AuthenticationRequest, allowInsecure: Bool) -> AuthenticationDecision? {
        immediateResult(request, allowInsecure: allowInsecure)?.decision
    }

    /// The decision, running whatever verification is needed. Call from a task, not on an event loop.
    public func decide(_ request: AuthenticationRequest, allowInsecure: Bool) async -> AuthenticationDecision {
        await result(request, allowInsecure: allowInsecure).decision
    }

    private func immediateResult(_ request: AuthenticationRequest, allowInsecure: Bool) -> RequirementResult? {
        switch node {
        case .scheme(let scheme):
            if let refusal = scheme.transportRefusal(request, allowInsecure: allowInsecure) { return refusal }
            return scheme.authenticator.immediateOutcome(for: request).map(scheme.result)
        case .anyOf(let alternatives):
            var combination = AnyOfCombination()
            for alternative in alternatives {
                guard let result = alternative.immediateResult(request, allowInsecure: allowInsecure) else { return nil }
                if case .satisfied = result { return result }
                combination.add(result)
            }
            return combination.result
        case .allOf(let parts):
            var combination = AllOfCombination()
            for part in parts {
                guard let result = part.immediateResult(request, allowInsecure: allowInsecure) else { return nil }
                if let denial = combination.add(result) { return denial }
            }
            return combination.result
        }
    }

    private func result(_ request: AuthenticationRequest, allowInsecure: Bool) async -> RequirementResult {
        switch node {
        case .scheme(let scheme):
            if let refusal = scheme.transportRefusal(request, allowInsecure: allowInsecure) { return refusal }
            let authenticator = scheme.authenticator
            if let outcome = authenticator.immediateOutcome(for: request) { return scheme.result(outcome) }
            return scheme.result(await authenticator.authenticate(request))
        case .anyOf(let alternatives):
            var combination = AnyOfCombination()
            for alternative in alternatives {
                let result = await alternative.result(request, allowInsecure: allowInsecure)
                if case .satisfied = result { return result }
                combination.add(result)
            }
            return combination.result
        case .allOf(let parts):
            var combination = AllOfCombination()
            for part in parts {
                if let denial = combination.add(await part.result(request, allowInsecure: allowInsecure)) { return denial }
            }
            return combination.result
        }
    }
}

/// What one node of a requirement concluded.
enum RequirementResult {
    case satisfied(Principal)
    /// Nothing this node accepts was presented.
    case absent(challenges: [AuthenticationChallenge], methods: [AuthenticationMethod])
    /// A credential was presented and refused (wrong, malformed, insufficient, insecure).
    case refused(AuthenticationFailure, challenges: [AuthenticationChallenge])

    var decision: AuthenticationDecision {
        switch self {
        case .satisfied(let principal):
            return .allowed(principal)
        case .absent(let challenges, let methods):
            return .denied(AuthenticationDenial(nothingPresented: challenges, methods: methods))
        case .refused(let failure, let challenges):
            return .denied(AuthenticationDenial(failure, challenges: challenges))
        }
    }
}

extension SchemeRequirement {
    /// Over plain HTTP a present password, key or token is refused unread; an absent one is just absent.
    func transportRefusal(_ request: AuthenticationRequest, allowInsecure: Bool) -> RequirementResult? {
        guard !request.isSecureTransport, !allowInsecure, authenticator.method != .clientCertificate else { return nil }
        if case .notPresented(let challenge)? = authenticator.immediateOutcome(for: request) {
            return .absent(challenges: challenge.map { [$0] } ?? [], methods: [authenticator.method])
        }
        let failure = AuthenticationFailure(
            .insecureTransport, scheme: authenticator.name, method: authenticator.method,
            detail: "credentials sent over plain HTTP are refused on this route: use https")
        return .refused(failure, challenges: [])
    }

    func result(_ outcome: AuthenticationOutcome) -> RequirementResult {
        switch outcome {
        case .authenticated(let principal):
            guard let missing = constraints.violation(by: principal) else { return .satisfied(principal) }
            let failure = AuthenticationFailure(.insufficientScope, scheme: authenticator.name, method: authenticator.method, detail: missing)
            return .refused(failure, challenges: isBearer ? [insufficientScopeChallenge] : [])
        case .notPresented(let challenge):
            return .absent(challenges: challenge.map { [$0] } ?? [], methods: [authenticator.method])
        case .failed(let failure, let challenge):
            return .refused(failure, challenges: challenge.map { [$0] } ?? [])
        }
    }
}

/// `anyOf` without a success so far: keeps the first refusal and every challenge.
struct AnyOfCombination {
    private var refusal: (failure: AuthenticationFailure, challenges: [AuthenticationChallenge])?
    private var absentChallenges: [AuthenticationChallenge] = []
    private var absentMethods: [AuthenticationMethod] = []

    mutating func add(_ result: RequirementResult) {
        switch result {
        case .satisfied:
            return
        case .absent(let challenges, let methods):
            absentChallenges.appendUnique(challenges)
            absentMethods += methods
        case .refused(let failure, let challenges):
            if refusal == nil { refusal = (failure, challenges) }
        }
    }

    var result: RequirementResult {
        guard let refusal else { return .absent(challenges: absentChallenges, methods: absentMethods) }
        var challenges = refusal.challenges
        // A 401 lists the other ways in too, so the client can pick one it has.
        if AuthenticationDenial.status(of: refusal.failure.kind) == 401 { challenges.appendUnique(absentChallenges) }
        return .refused(refusal.failure, challenges: challenges)
    }
}

/// `allOf`: accumulates principals until the first part that is not satisfied.
struct AllOfCombination {
    private var principal: Principal?

    /// The result that ends the evaluation (the first part not satisfied), or nil to go on.
    mutating func add(_ result: RequirementResult) -> RequirementResult? {
        guard case .satisfied(let next) = result else { return result }
        principal = principal.map { $0.merged(with: next) } ?? next
        return nil
    }

    /// Fails closed for an empty list.
    var result: RequirementResult {
        principal.map(RequirementResult.satisfied) ?? .absent(challenges: [], methods: [])
    }
}

extension Array where Element == AuthenticationChallenge {
    fileprivate mutating func appendUnique(_ challenges: [AuthenticationChallenge]) {
        for challenge in challenges where !contains(challenge) { append(challenge) }
    }
}
