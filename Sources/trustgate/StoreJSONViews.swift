import Foundation
import TrustGateAuth
import TrustGateJOSE
import TrustGateStore
import TrustGateX509
import X509

// What the store commands print with --json. Stable snake_case names; secrets appear only in
// `GeneratedSecretView`, printed once by `client add-secret`.

struct ResourceView: Encodable {
    let identifier: String
    let name: String
    let appRoles: [String]
    let tokenProfile: String
    let accessTokenLifetime: Int?
    let defaultScope: String
    let createdAt: Date
    let updatedAt: Date

    init(_ resource: Resource) {
        identifier = resource.identifier
        name = resource.name
        appRoles = resource.appRoles
        tokenProfile = resource.tokenProfile.rawValue
        accessTokenLifetime = resource.accessTokenLifetime?.seconds
        defaultScope = resource.defaultScope
        createdAt = resource.createdAt
        updatedAt = resource.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case identifier, name
        case appRoles = "app_roles"
        case tokenProfile = "token_profile"
        case accessTokenLifetime = "access_token_lifetime"
        case defaultScope = "default_scope"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(identifier, forKey: .identifier)
        try container.encode(name, forKey: .name)
        try container.encode(appRoles, forKey: .appRoles)
        try container.encode(tokenProfile, forKey: .tokenProfile)
        try container.encode(accessTokenLifetime, forKey: .accessTokenLifetime)
        try container.encode(defaultScope, forKey: .defaultScope)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

struct ClientView: Encodable {
    let clientID: String
    let objectID: String
    let name: String
    let enabled: Bool
    let authenticationMethods: [String]
    let tokenLifetime: Int
    let allowAssertionReuse: Bool
    let certificateBoundAccessTokens: Bool
    let assertionSigningAlgorithm: String?
    let createdAt: Date
    let updatedAt: Date

    init(_ client: Client) {
        clientID = client.id
        objectID = client.objectID.uuidString.lowercased()
        name = client.name
        enabled = client.enabled
        authenticationMethods = client.sortedAuthenticationMethods.map(\.rawValue)
        tokenLifetime = client.tokenLifetime.seconds
        allowAssertionReuse = client.allowAssertionReuse
        certificateBoundAccessTokens = client.certificateBoundAccessTokens
        assertionSigningAlgorithm = client.assertionSigningAlgorithm?.rawValue
        createdAt = client.createdAt
        updatedAt = client.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case objectID = "object_id"
        case name, enabled
        case authenticationMethods = "authentication_methods"
        case tokenLifetime = "token_lifetime"
        case allowAssertionReuse = "allow_assertion_reuse"
        case certificateBoundAccessTokens = "certificate_bound_access_tokens"
        case assertionSigningAlgorithm = "assertion_signing_alg"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(clientID, forKey: .clientID)
        try container.encode(objectID, forKey: .objectID)
        try container.encode(name, forKey: .name)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(authenticationMethods, forKey: .authenticationMethods)
        try container.encode(tokenLifetime, forKey: .tokenLifetime)
        try container.encode(allowAssertionReuse, forKey: .allowAssertionReuse)
        try container.encode(certificateBoundAccessTokens, forKey: .certificateBoundAccessTokens)
        try container.encode(assertionSigningAlgorithm, forKey: .assertionSigningAlgorithm)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// A secret as `client show` lists it: hint and dates, never the hash's salt or digest.
struct SecretView: Encodable {
    let id: String
    let hint: String
    let hashAlgorithm: String
    let createdAt: Date
    let expiresAt: Date?
    let expired: Bool

    init(_ secret: ClientSecret, now: Date) {
        id = secret.id.uuidString.lowercased()
        hint = secret.hint
        hashAlgorithm = secret.hash.algorithm.identifier
        createdAt = secret.createdAt
        expiresAt = secret.expiresAt
        expired = secret.isExpired(at: now)
    }

    enum CodingKeys: String, CodingKey {
        case id, hint, expired
        case hashAlgorithm = "hash_algorithm"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(hint, forKey: .hint)
        try container.encode(hashAlgorithm, forKey: .hashAlgorithm)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(expired, forKey: .expired)
    }
}

/// The one place a secret is printed: right after `client add-secret` generated it.
struct GeneratedSecretView: Encodable {
    let clientID: String
    let secretID: String
    let secret: String
    let hint: String
    let createdAt: Date
    let expiresAt: Date?

    enum CodingKeys: String, CodingKey {
        case secret, hint
        case clientID = "client_id"
        case secretID = "secret_id"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(clientID, forKey: .clientID)
        try container.encode(secretID, forKey: .secretID)
        try container.encode(secret, forKey: .secret)
        try container.encode(hint, forKey: .hint)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(expiresAt, forKey: .expiresAt)
    }
}

struct CertificateView: Encodable {
    let subject: String
    let issuer: String
    let notBefore: Date
    let notAfter: Date
    let x5t: String
    let x5tS256: String
    let sha1Hex: String
    let sha256Hex: String
    let addedAt: Date

    init(_ certificate: ClientCertificate) {
        subject = certificate.subject
        issuer = certificate.issuer
        notBefore = certificate.notBefore
        notAfter = certificate.notAfter
        x5t = certificate.x5t
        x5tS256 = certificate.x5tS256
        sha1Hex = CertificateFingerprints.upperHex(certificate.sha1)
        sha256Hex = CertificateFingerprints.upperHex(certificate.sha256)
        addedAt = certificate.addedAt
    }

    enum CodingKeys: String, CodingKey {
        case subject, issuer, x5t
        case x5tS256 = "x5t#S256"
        case notBefore = "not_before"
        case notAfter = "not_after"
        case sha1Hex = "sha1"
        case sha256Hex = "sha256"
        case addedAt = "added_at"
    }
}

struct SubjectIssuerRuleView: Encodable {
    struct Anchor: Encodable {
        let subject: String
        let sha256: String
    }

    let id: String
    let trustedCAs: [Anchor]
    let subject: String?
    let sanDNS: [String]
    let sanURI: [String]
    let sanIP: [String]
    let sanEmail: [String]
    let createdAt: Date

    init(_ rule: SubjectIssuerRule) {
        id = rule.id.uuidString.lowercased()
        trustedCAs = rule.trustAnchors.map { anchor in
            Anchor(subject: anchor.subject.rfc4514String, sha256: CertificateFingerprints(anchor).sha256Hex)
        }
        subject = rule.subjectText
        sanDNS = rule.alternativeNames.dnsNames
        sanURI = rule.alternativeNames.uris
        sanIP = rule.alternativeNames.ipAddresses
        sanEmail = rule.alternativeNames.emails
        createdAt = rule.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, subject
        case trustedCAs = "trusted_cas"
        case sanDNS = "san_dns"
        case sanURI = "san_uri"
        case sanIP = "san_ip"
        case sanEmail = "san_email"
        case createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(trustedCAs, forKey: .trustedCAs)
        try container.encode(subject, forKey: .subject)
        try container.encode(sanDNS, forKey: .sanDNS)
        try container.encode(sanURI, forKey: .sanURI)
        try container.encode(sanIP, forKey: .sanIP)
        try container.encode(sanEmail, forKey: .sanEmail)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

struct GrantView: Encodable {
    let clientID: String
    let resource: String
    let roles: [String]

    init(_ grant: RoleGrant) {
        clientID = grant.clientID
        resource = grant.resource
        roles = grant.roles
    }

    init(clientID: String, resource: String, roles: [String]) {
        self.clientID = clientID
        self.resource = resource
        self.roles = roles
    }

    enum CodingKeys: String, CodingKey {
        case resource, roles
        case clientID = "client_id"
    }
}

struct ClientRegistrationView: Encodable {
    let client: ClientView
    let secrets: [SecretView]
    let certificates: [CertificateView]
    let subjectIssuerRules: [SubjectIssuerRuleView]
    let grants: [GrantView]

    init(_ registration: ClientRegistration, now: Date) {
        client = ClientView(registration.client)
        secrets = registration.secrets.map { SecretView($0, now: now) }
        certificates = registration.certificates.map(CertificateView.init)
        subjectIssuerRules = registration.subjectIssuerRules.map(SubjectIssuerRuleView.init)
        grants = registration.grants.map(GrantView.init)
    }

    enum CodingKeys: String, CodingKey {
        case client, secrets, certificates, grants
        case subjectIssuerRules = "subject_issuer_rules"
    }
}

struct SigningKeyView: Encodable {
    let kid: String
    let algorithm: String
    let state: String
    let createdAt: Date
    let publishedAt: Date
    let activeFrom: Date?
    let retiredAt: Date?
    let removedAt: Date?

    init(_ key: SigningKey, now: Date) {
        kid = key.keyID
        algorithm = key.algorithm.rawValue
        state = key.state(at: now).rawValue
        createdAt = key.createdAt
        publishedAt = key.publishedAt
        activeFrom = key.activeFrom
        retiredAt = key.retiredAt
        removedAt = key.removedAt
    }

    enum CodingKeys: String, CodingKey {
        case kid, algorithm, state
        case createdAt = "created_at"
        case publishedAt = "published_at"
        case activeFrom = "active_from"
        case retiredAt = "retired_at"
        case removedAt = "removed_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kid, forKey: .kid)
        try container.encode(algorithm, forKey: .algorithm)
        try container.encode(state, forKey: .state)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(publishedAt, forKey: .publishedAt)
        try container.encode(activeFrom, forKey: .activeFrom)
        try container.encode(retiredAt, forKey: .retiredAt)
        try container.encode(removedAt, forKey: .removedAt)
    }
}
