/// A connector's authentication with its keys read: what goes into each request.
enum ResolvedCredential: Sendable {
    case none
    /// A header with a fixed value (Basic, API key, fixed bearer token).
    case header(name: String, value: String)
    case acquiredBearer(ClientCredentialsTokenSource)

    /// The header this credential writes, which a caller's own headers must not also set.
    var headerName: String? {
        switch self {
        case .none: return nil
        case .header(let name, _): return name
        case .acquiredBearer: return "Authorization"
        }
    }
}
