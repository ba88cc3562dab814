/// An authenticator that can say in words what it accepts ("HTTP Basic credentials for realm \"staff\""),
/// for requirement explanations (`trustgate serve --check-config`). Never mentions a secret.
public protocol DescribedAuthenticator: Authenticator {
    var summary: String { get }
}
