/// What a route demands of a request: one scheme (with constraints on the principal), any one of several
/// requirements, or all of several.
///
/// Evaluation (``immediateDecision(for:allowInsecure:)`` on an event loop, ``decide(_:allowInsecure:)``
/// otherwise):
/// - Over plain HTTP (``AuthenticationRequest/isSecureTransport`` false) and unless `allowInsecure`, a
///   Basic, API-key or bearer credential that is present is not evaluated at all: 403 `insecure_transport`.
///   Client certificates come with TLS and are unaffected.
/// - `anyOf`: in order, the first success wins. Without one, a credential that was presented and failed
///   decides (over alternatives that saw nothing); if nothing was presented, 401 with every alternative's
///   challenge.
/// - `allOf`: every part must succeed, in order; the first that does not decides. The principals merge: the
///   first one's name, all methods and schemes, roles and scopes united, certificate and token kept.
/// - A scheme's constraints failing gives 403 `insufficient_scope` (bearer schemes add a `Bearer
///   error="insufficient_scope"` challenge naming the required scopes).
public struct AuthenticationRequirement: Sendable {
    public enum Node: Sendable {
        case scheme(SchemeRequirement)
        case anyOf([AuthenticationRequirement])
        case allOf([AuthenticationRequirement])
    }

    public let node: Node

    public init(_ node: Node) {
        self.node = node
    }

    /// One scheme. `summary` overrides the authenticator's own description in ``explanation``.
    public static func scheme(_ authenticator: any Authenticator, _ constraints: PrincipalConstraints = .none, summary: String? = nil) -> Self {
        Self(.scheme(SchemeRequirement(authenticator, constraints: constraints, summary: summary)))
    }

    public static func anyOf(_ alternatives: [AuthenticationRequirement]) -> Self { Self(.anyOf(alternatives)) }

    public static func allOf(_ parts: [AuthenticationRequirement]) -> Self { Self(.allOf(parts)) }

    /// Every scheme in the requirement, in order of first appearance.
    public var schemes: [SchemeRequirement] {
        switch node {
        case .scheme(let scheme): return [scheme]
        case .anyOf(let children), .allOf(let children): return children.flatMap(\.schemes)
        }
    }

    /// The lower-cased names of every header any scheme reads, each once: callers copy only these.
    public var headerNames: [String] {
        var names: [String] = []
        for scheme in schemes {
            for name in scheme.authenticator.headerNames where !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// Whether some way of satisfying the requirement involves a client certificate (so the TLS server must
    /// ask for one).
    public var usesClientCertificate: Bool {
        schemes.contains { $0.authenticator.method == .clientCertificate }
    }

    /// The requirement in words, for `--check-config`: "a client certificate AND a bearer token from
    /// https://login.example.com/v2.0 (audience api://loyalty) with role service-api and azpacr = 2".
    public var explanation: String {
        switch node {
        case .scheme(let scheme):
            return scheme.explanation
        case .anyOf(let children):
            return Self.join(children, with: " OR ", empty: "nothing (every request is refused)")
        case .allOf(let children):
            return Self.join(children, with: " AND ", empty: "nothing (every request is refused)")
        }
    }

    private var isComposite: Bool {
        switch node {
        case .scheme: return false
        case .anyOf(let children), .allOf(let children): return children.count > 1
        }
    }

    private static func join(_ children: [AuthenticationRequirement], with separator: String, empty: String) -> String {
        guard !children.isEmpty else { return empty }
        if children.count == 1 { return children[0].explanation }
        return children.map { $0.isComposite ? "(\($0.explanation))" : $0.explanation }.joined(separator: separator)
    }
}

/// One scheme in a requirement, with the constraints its principal must meet.
public struct SchemeRequirement: Sendable {
    public let authenticator: any Authenticator
    public let constraints: PrincipalConstraints
    public let summary: String
    /// The challenge the scheme sends when nothing was presented (its realm), learnt once by asking the
    /// authenticator about an empty request.
    let challenge: AuthenticationChallenge?

    public init(_ authenticator: any Authenticator, constraints: PrincipalConstraints = .none, summary: String? = nil) {
        self.authenticator = authenticator
        self.constraints = constraints
        self.summary = summary ?? (authenticator as? any DescribedAuthenticator)?.summary ?? Self.genericSummary(of: authenticator)
        let probe = AuthenticationRequest(headers: [], isSecureTransport: true, clientCertificate: nil)
        if case .notPresented(let challenge)? = authenticator.immediateOutcome(for: probe) {
            self.challenge = challenge
        } else {
            self.challenge = nil
        }
    }

    public var name: String { authenticator.name }

    public var explanation: String {
        let constraintText = constraints.summary
        return constraintText.isEmpty ? summary : "\(summary) \(constraintText)"
    }

    var isBearer: Bool { authenticator.method == .jwtBearer || authenticator.method == .staticBearer }

    /// RFC 6750 §3.1: `Bearer realm="…", error="insufficient_scope", scope="<required scopes>"`.
    var insufficientScopeChallenge: AuthenticationChallenge {
        var parameters = challenge?.parameters.filter { $0.name == "realm" } ?? []
        if parameters.isEmpty { parameters = [("realm", authenticator.name)] }
        parameters.append(("error", "insufficient_scope"))
        if !constraints.scopes.isEmpty { parameters.append(("scope", constraints.scopes.joined(separator: " "))) }
        return AuthenticationChallenge(scheme: "Bearer", parameters: parameters)
    }

    private static func genericSummary(of authenticator: any Authenticator) -> String {
        switch authenticator.method {
        case .clientCertificate: return "a client certificate"
        case .basic: return "HTTP Basic credentials (scheme \(authenticator.name))"
        case .apiKey: return "an API key (scheme \(authenticator.name))"
        case .staticBearer: return "a static bearer token (scheme \(authenticator.name))"
        case .jwtBearer: return "a bearer token (scheme \(authenticator.name))"
        }
    }
}
