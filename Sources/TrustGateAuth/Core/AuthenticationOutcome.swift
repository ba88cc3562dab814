/// What one authenticator concluded about one request.
public enum AuthenticationOutcome: Sendable {
    case authenticated(Principal)
    /// No credential of this kind was in the request; the challenge (if the scheme has one) tells the client
    /// how to present it.
    case notPresented(AuthenticationChallenge?)
    case failed(AuthenticationFailure, challenge: AuthenticationChallenge?)
}
