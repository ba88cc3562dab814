public import Hummingbird
public import TrustGateAuth

/// A Hummingbird request context that carries the authenticated principal, set by the authentication
/// middleware before any handler runs.
public protocol PrincipalRequestContext: RequestContext {
    var principal: Principal? { get set }
    /// The connection the request arrived on. Defaults to ``TrustGateConnection/current`` (set by the
    /// TrustGate server channels); a context may store it at init instead.
    var connection: TrustGateConnection? { get }
}

extension PrincipalRequestContext {
    public var connection: TrustGateConnection? { TrustGateConnection.current }
}
