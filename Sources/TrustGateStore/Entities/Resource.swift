public import Foundation

/// An API that tokens are issued for. Its `identifier` is the token's `aud`, and `{identifier}/.default` is the
/// scope a client asks for to receive every app role it was granted on it.
public struct Resource: Sendable, Hashable {
    /// An absolute URI (`api://loyalty`, `https://api.example.com`) or a UUID (an Entra-style application id).
    public var identifier: String
    public var name: String
    /// The app roles clients may be granted on this resource, in the order they were declared.
    public var appRoles: [String]
    public var tokenProfile: TokenProfile
    /// Overrides the client's token lifetime for tokens with this audience (the shorter of the two applies, so
    /// a sensitive API can insist on short-lived tokens).
    public var accessTokenLifetime: TokenLifetime?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        identifier: String,
        name: String,
        appRoles: [String],
        tokenProfile: TokenProfile = .rfc9068,
        accessTokenLifetime: TokenLifetime? = nil,
        createdAt: Date = Date(),
        updatedAt: Date? = nil
    ) throws(InvalidRegistrationValue) {
        self.identifier = identifier
        self.name = name
        self.appRoles = appRoles
        self.tokenProfile = tokenProfile
        self.accessTokenLifetime = accessTokenLifetime
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        try validate()
    }

    /// The rules every stored resource satisfies; the store checks them again before writing, because the
    /// properties are mutable.
    public func validate() throws(InvalidRegistrationValue) {
        try Self.checkIdentifier(identifier)
        try RegistrationText.checkName(name, field: "name")
        try AppRoleName.checkList(appRoles)
    }

    /// The `.default` scope for this resource.
    public var defaultScope: String { identifier + "/.default" }

    /// An absolute URI without fragment (RFC 8707 §2 `resource`), or a UUID.
    public static func checkIdentifier(_ identifier: String) throws(InvalidRegistrationValue) {
        try RegistrationText.checkIdentifier(identifier, field: "resource identifier", maxLength: 512)
        if UUID(uuidString: identifier) != nil { return }
        guard let colon = identifier.firstIndex(of: ":"), colon != identifier.startIndex else {
            throw InvalidRegistrationValue(
                field: "resource identifier", reason: "'\(identifier)' is neither an absolute URI (api://name) nor a UUID")
        }
        let scheme = identifier[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
        else {
            throw InvalidRegistrationValue(field: "resource identifier", reason: "'\(scheme)' is not a URI scheme")
        }
        guard identifier.index(after: colon) < identifier.endIndex else {
            throw InvalidRegistrationValue(field: "resource identifier", reason: "nothing follows the scheme")
        }
        guard !identifier.contains("#") else {
            throw InvalidRegistrationValue(field: "resource identifier", reason: "a resource URI has no fragment (RFC 8707)")
        }
        guard !identifier.hasSuffix("/.default") else {
            throw InvalidRegistrationValue(field: "resource identifier", reason: "give the resource, not its /.default scope")
        }
    }
}
