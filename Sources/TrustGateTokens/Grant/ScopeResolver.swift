import Foundation
import TrustGateStore

/// Turns `scope` and RFC 8707 `resource` into one resource (GR-2 … GR-4).
///
/// - `scope` is space-delimited; each value must be `{resource}/.default` (Entra's client-credentials form),
///   and all values must name the same resource, else `invalid_scope`.
/// - `resource` (an absolute URI without fragment, possibly repeated) must name one registered resource, else
///   `invalid_target`; with a `scope` as well, both must name the same resource.
/// - Neither given: `invalid_scope`. This is the documented default (GR-3): there is no implicit audience, so a
///   token is never minted for an API the client did not name.
struct ScopeResolver: Sendable {
    let store: any RegistrationStore

    static let defaultSuffix = "/.default"

    func resolve(scope: String?, resources: [String], registration: ClientRegistration) async throws(TokenEndpointError) -> GrantedAccess {
        var scopeResource: String?
        if let scope {
            let values = scope.split(separator: " ", omittingEmptySubsequences: true)
            guard !values.isEmpty else { throw TokenEndpointError(.invalidScope, .missingScope, "scope is empty") }
            for value in values {
                // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
                guard value.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" }) else {
                    throw TokenEndpointError(.invalidScope, .malformedScope, "scope contains characters RFC 6749 does not allow")
                }
                guard value.hasSuffix(Self.defaultSuffix), value.count > Self.defaultSuffix.count else {
                    throw TokenEndpointError(
                        .invalidScope, .unsupportedScope, "client credentials take one scope of the form {resource}/.default")
                }
                let named = String(value.dropLast(Self.defaultSuffix.count))
                if let scopeResource, scopeResource != named {
                    throw TokenEndpointError(.invalidScope, .multipleResources, "the scopes name more than one resource; ask for one token per resource")
                }
                scopeResource = named
            }
        }

        var targetResource: String?
        for value in resources {
            guard Self.isAbsoluteURIWithoutFragment(value) else {
                throw TokenEndpointError(.invalidTarget, .malformedResource, "resource must be an absolute URI without a fragment (RFC 8707)")
            }
            if let targetResource, targetResource != value {
                throw TokenEndpointError(.invalidTarget, .multipleTargets, "a token is issued for one resource at a time")
            }
            targetResource = value
        }

        let identifier: String
        switch (scopeResource, targetResource) {
        case (let fromScope?, let fromTarget?):
            guard fromScope == fromTarget else {
                throw TokenEndpointError(.invalidTarget, .resourceScopeMismatch, "resource and scope name different resources")
            }
            identifier = fromScope
        case (let fromScope?, nil): identifier = fromScope
        case (nil, let fromTarget?): identifier = fromTarget
        case (nil, nil):
            throw TokenEndpointError(.invalidScope, .missingScope, "scope is required: ask for {resource}/.default")
        }

        let found: Resource?
        do {
            found = try await store.resource(identifier: identifier)
        } catch {
            throw .serverError(.storeFailure)
        }
        guard let resource = found else {
            if scopeResource == nil {
                throw TokenEndpointError(.invalidTarget, .unknownTarget, "the resource is not known to this issuer")
            }
            throw TokenEndpointError(.invalidScope, .unknownResource, "the scope names no resource known to this issuer")
        }
        let roles = registration.roles(on: resource.identifier).filter { resource.appRoles.contains($0) }.sorted()
        return GrantedAccess(resource: resource, roles: roles, scope: resource.defaultScope)
    }

    /// RFC 8707 §2: an absolute URI (RFC 3986 §4.3: scheme ":" hier-part, no fragment). A UUID resource id (the
    /// Entra application-id form) is accepted too, as it is in scopes.
    static func isAbsoluteURIWithoutFragment(_ text: String) -> Bool {
        guard !text.contains("#"), !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7F }) else { return false }
        if UUID(uuidString: text) != nil { return true }
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex else {
            return false
        }
        let scheme = text[..<colon]
        guard let first = scheme.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
        return scheme.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)) }
    }
}
