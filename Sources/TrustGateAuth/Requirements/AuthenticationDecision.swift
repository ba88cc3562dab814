/// The answer to "may this request pass this route's requirement?".
public enum AuthenticationDecision: Sendable {
    case allowed(Principal)
    case denied(AuthenticationDenial)
}
