import Foundation
import TrustGateJOSE

/// What an authenticated principal must also have for a route: every listed role, every listed scope, each
/// claim with exactly the given value (e.g. Entra's `azpacr: "2"`, the client authenticated with a
/// certificate), and optionally an app-only token. Roles, scopes and claims come from a validated access
/// token; a principal without one (Basic, API key) has none.
public struct PrincipalConstraints: Sendable, Equatable {
    public var roles: [String]
    public var scopes: [String]
    /// Top-level token claim → required value. String claims must be equal exactly; numbers match their
    /// decimal text and booleans `true` / `false`.
    public var claims: [String: String]
    public var appOnly: Bool

    public init(roles: [String] = [], scopes: [String] = [], claims: [String: String] = [:], appOnly: Bool = false) {
        self.roles = roles
        self.scopes = scopes
        self.claims = claims
        self.appOnly = appOnly
    }

    public static let none = PrincipalConstraints()

    public var isEmpty: Bool { roles.isEmpty && scopes.isEmpty && claims.isEmpty && !appOnly }

    /// What `principal` lacks, in words naming the missing role, scope or claim (never a claim's actual
    /// value); nil when every constraint holds.
    public func violation(by principal: Principal) -> String? {
        var missing: [String] = []
        for role in roles where !principal.roles.contains(role) { missing.append("role \(role)") }
        for scope in scopes where !principal.scopes.contains(scope) { missing.append("scope \(scope)") }
        for (claim, expected) in claims.sorted(by: { $0.key < $1.key }) {
            let actual = principal.token?.all[claim].flatMap(Self.claimText)
            if actual != expected { missing.append("claim \(claim) = \(expected)") }
        }
        if appOnly, principal.token?.isAppOnly != true { missing.append("an app-only token") }
        guard !missing.isEmpty else { return nil }
        return "the credentials lack " + missing.joined(separator: ", ")
    }

    /// "with role service-api and azpacr = 2", or "" without constraints.
    public var summary: String {
        var parts = roles.map { "role \($0)" } + scopes.map { "scope \($0)" }
        parts += claims.sorted(by: { $0.key < $1.key }).map { "\($0.key) = \($0.value)" }
        if appOnly { parts.append("an app-only token") }
        return parts.isEmpty ? "" : "with " + parts.joined(separator: " and ")
    }

    static func claimText(_ value: any Sendable) -> String? {
        switch value {
        case let text as String: return text
        case let json as JSONValue:
            switch json {
            case .string(let text): return text
            case .number(let number): return number.text
            case .bool(let flag): return flag ? "true" : "false"
            default: return nil
            }
        case let integer as Int: return String(integer)
        case let number as Double:
            if number.rounded() == number, abs(number) < 1e15 { return String(Int(number)) }
            return String(number)
        case let flag as Bool: return flag ? "true" : "false"
        default: return nil
        }
    }
}
