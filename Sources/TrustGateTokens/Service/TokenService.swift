public import Foundation
import TrustGateJOSE
public import TrustGateStore

/// The token service: token endpoint, discovery, JWKS and the authorization endpoint stub, behind one entry
/// point that any HTTP server can call with a collected request (`TokenServiceRoutes` in TrustGateTokensHummingbird; the
/// gateway through `endpoint(forPath:)` and `handle(_:)`).
public final class TokenService: Sendable {
    public let settings: TokenServiceSettings
    public let store: any RegistrationStore
    public let tokenEndpoint: TokenEndpoint
    private let discovery: TokenHTTPResponse
    private let clock: @Sendable () -> Date

    /// - Parameters:
    ///   - storeKey: opens the signing keys' private halves (once per key).
    ///   - clock: the service's notion of now (tests may pin it).
    public init(
        settings: TokenServiceSettings,
        store: any RegistrationStore,
        storeKey: KeyEncryptionKey,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws(TokenServiceSettingsError) {
        try settings.validate()
        self.settings = settings
        self.store = store
        self.clock = clock
        self.tokenEndpoint = TokenEndpoint(settings: settings, store: store, storeKey: storeKey, audit: TokenAuditLog(store: store), clock: clock)
        self.discovery = DiscoveryDocument.response(for: settings)
    }

    /// Which endpoint a request path addresses; nil for paths this service does not serve.
    public func endpoint(forPath path: some StringProtocol) -> TokenServiceEndpoint? {
        TokenServiceEndpoint.matching(path, in: settings.urls)
    }

    /// Answers a request for any of the service's paths (404 JSON for others).
    public func handle(_ request: TokenRequest) async -> TokenHTTPResponse {
        guard let endpoint = endpoint(forPath: request.path) else {
            return TokenHTTPResponse.json(status: 404, ["error": "not_found", "error_description": "no such endpoint"])
        }
        return await handle(request, at: endpoint)
    }

    public func handle(_ request: TokenRequest, at endpoint: TokenServiceEndpoint) async -> TokenHTTPResponse {
        switch endpoint {
        case .token:
            return await tokenEndpoint.handle(request)
        case .authorization:
            return AuthorizationEndpoint.response()
        case .jwks:
            guard Self.isRead(request.method) else { return Self.methodNotAllowed }
            return await PublishedKeySet.response(store: store, settings: settings, at: clock())
        case .openIDConfiguration, .authorizationServerMetadata, .entraOpenIDConfiguration:
            guard Self.isRead(request.method) else { return Self.methodNotAllowed }
            return discovery
        }
    }

    /// Audit events that could not be written since the service started.
    public var failedAuditWrites: Int { tokenEndpoint.audit.failedWrites }

    private static func isRead(_ method: String) -> Bool { method == "GET" || method == "HEAD" }

    private static let methodNotAllowed = TokenHTTPResponse(
        status: 405, headers: [("Allow", "GET, HEAD"), ("Content-Type", "application/json;charset=UTF-8")],
        body: Array(#"{"error":"invalid_request","error_description":"use GET"}"#.utf8))
}
