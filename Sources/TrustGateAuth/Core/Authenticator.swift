/// Turns a request's credentials of one kind into a `Principal`, or says why not.
public protocol Authenticator: Sendable {
    /// The configured name of this scheme (`staff`, `functions`, `entra`, `certificate`).
    var name: String { get }
    var method: AuthenticationMethod { get }
    /// Lower-cased names of the headers this authenticator reads, so callers copy only those.
    var headerNames: [String] { get }
    /// The outcome without suspending when it is already known (a cached verification, a missing or
    /// malformed credential); nil when answering needs work that must not run on an event loop (a slow
    /// password hash, a signature, a key fetch).
    func immediateOutcome(for request: AuthenticationRequest) -> AuthenticationOutcome?
    func authenticate(_ request: AuthenticationRequest) async -> AuthenticationOutcome
}
