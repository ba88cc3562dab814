import TrustGateX509

/// A refused request, ready to render: the status (400, 401 or 403), the `WWW-Authenticate` challenges to
/// send (one header field each), and the problem+json body.
public struct AuthenticationDenial: Error, Sendable {
    public var status: Int
    public var challenges: [AuthenticationChallenge]
    public var problem: AuthenticationProblem
    /// The failure behind the denial (for logs); nil when no accepted credential was presented at all.
    public var failure: AuthenticationFailure?

    public init(status: Int, challenges: [AuthenticationChallenge], problem: AuthenticationProblem, failure: AuthenticationFailure?) {
        self.status = status
        self.challenges = challenges
        self.problem = problem
        self.failure = failure
    }

    /// The `WWW-Authenticate` field values, in order.
    public var wwwAuthenticateValues: [String] { challenges.map(\.headerValue) }

    /// A credential was presented and failed. 401 for wrong credentials and tokens (with the challenges),
    /// 400 for a malformed request, 403 for missing permissions, insecure transport and refused certificates.
    init(_ failure: AuthenticationFailure, challenges: [AuthenticationChallenge]) {
        let status = Self.status(of: failure.kind)
        let (reason, title): (String, String)
        switch failure.kind {
        case .invalidCredentials: (reason, title) = ("invalid_credentials", "Invalid credentials")
        case .invalidToken: (reason, title) = ("invalid_token", "Invalid access token")
        case .invalidRequest: (reason, title) = ("invalid_request", "Malformed credentials")
        case .insufficientScope: (reason, title) = ("insufficient_scope", "Insufficient permissions")
        case .insecureTransport: (reason, title) = ("insecure_transport", "Credentials over plain HTTP")
        case .invalidCertificate(let code): (reason, title) = (code.rawValue, "Invalid client certificate")
        }
        self.init(
            status: status, challenges: challenges,
            problem: AuthenticationProblem(status: status, title: title, detail: failure.detail, reason: reason),
            failure: failure)
    }

    /// Nothing the requirement accepts was presented: 401 with every alternative's challenge, or, when only
    /// a client certificate would do (no challenge exists for it), 403 `no_certificate` as the gateway answers
    /// a missing certificate.
    init(nothingPresented challenges: [AuthenticationChallenge], methods: [AuthenticationMethod]) {
        if !methods.isEmpty, methods.allSatisfy({ $0 == .clientCertificate }) {
            self.init(
                status: 403, challenges: [],
                problem: AuthenticationProblem(
                    status: 403, title: "Invalid client certificate", detail: "This route requires a client certificate.",
                    reason: RejectionCode.noCertificate.rawValue),
                failure: nil)
        } else {
            self.init(
                status: 401, challenges: challenges,
                problem: AuthenticationProblem(
                    status: 401, title: "Authentication required",
                    detail: "The request carries no credentials that this route accepts.", reason: "authentication_required"),
                failure: nil)
        }
    }

    static func status(of kind: AuthenticationFailure.Kind) -> Int {
        switch kind {
        case .invalidCredentials, .invalidToken: return 401
        case .invalidRequest: return 400
        case .insufficientScope, .insecureTransport, .invalidCertificate: return 403
        }
    }
}
