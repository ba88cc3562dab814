import Foundation
public import TrustGateConfiguration
import TrustGateX509

/// Reads a route's requirement, referring to schemes by name:
///
/// ```yaml
/// auth: staff                                  # one scheme (`certificate` is built in)
/// auth: { any_of: [staff, functions] }
/// auth: { all_of: [certificate, { scheme: entra, roles: [service-api], scopes: [x], claims: { azpacr: "2" }, app_only: true }] }
/// ```
///
/// `roles`, `scopes`, `claims` and `app_only` come from an access token, so they are accepted on `jwt`
/// schemes only (on any other they could never hold).
public enum AuthenticationRequirementConfiguration {
    static let keys: Set<String> = ["any_of", "all_of", "scheme", "roles", "scopes", "claims", "app_only"]
    static let constraintKeys = ["roles", "scopes", "claims", "app_only"]

    public static func parse(_ node: ConfigurationNode, schemes: AuthenticationSchemes) throws -> AuthenticationRequirement {
        if let name = try? node.string() {
            return try scheme(named: name, node: node, schemes: schemes, constraints: .none)
        }
        let map: ConfigurationMapping
        do {
            map = try node.mapping(allowedKeys: keys)
        } catch let error as ConfigurationError where error.keyPath == node.keyPath {
            throw node.error("expected a scheme name, { any_of: [...] }, { all_of: [...] } or { scheme: name, roles: [...] }")
        }
        let forms = ["any_of", "all_of", "scheme"].filter { map[$0] != nil }
        guard forms.count == 1 else {
            throw node.error(forms.isEmpty
                ? "needs one of any_of, all_of or scheme"
                : "give only one of any_of, all_of, scheme (found \(forms.joined(separator: ", ")))")
        }
        if let list = map["any_of"] ?? map["all_of"] {
            if let constraint = constraintKeys.first(where: { map[$0] != nil }) {
                throw node.error("\(constraint) belongs to a { scheme: … } entry, not to any_of / all_of")
            }
            let items = try list.list()
            guard !items.isEmpty else { throw list.error("needs at least one requirement") }
            let children = try items.map { try parse($0, schemes: schemes) }
            return map["any_of"] != nil ? .anyOf(children) : .allOf(children)
        }
        let schemeNode = try map.required("scheme")
        return try scheme(named: try schemeNode.nonEmptyString(), node: schemeNode, schemes: schemes, constraints: constraints(map))
    }

    private static func scheme(
        named name: String, node: ConfigurationNode, schemes: AuthenticationSchemes, constraints: PrincipalConstraints
    ) throws -> AuthenticationRequirement {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard let entry = schemes.entry(named: trimmed) else {
            throw node.error("unknown auth scheme '\(trimmed)' (defined: \(schemes.names.joined(separator: ", ")))")
        }
        if !constraints.isEmpty, entry.authenticator.method != .jwtBearer {
            throw node.error("roles, scopes, claims and app_only need a jwt scheme: '\(trimmed)' is \(entry.authenticator.method.rawValue), whose principals carry none")
        }
        return .scheme(entry.authenticator, constraints, summary: entry.summary)
    }

    private static func constraints(_ map: ConfigurationMapping) throws -> PrincipalConstraints {
        var constraints = PrincipalConstraints()
        if let roles = map["roles"] { constraints.roles = try roles.list().map { try $0.nonEmptyString() } }
        if let scopes = map["scopes"] { constraints.scopes = try scopes.list().map { try $0.nonEmptyString() } }
        if let claims = map["claims"] {
            let mapping = try claims.mappingWithAnyKeys()
            for name in mapping.order {
                constraints.claims[name] = try mapping.required(name).string()
            }
        }
        if let appOnly = map["app_only"] { constraints.appOnly = try appOnly.bool() }
        return constraints
    }
}
