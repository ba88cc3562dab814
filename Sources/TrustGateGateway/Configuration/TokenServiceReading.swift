import Foundation
import TrustGateConfiguration
import TrustGateStore
import TrustGateTokens
import TrustGateX509

/// Reads `token_service:`.
///
/// ```yaml
/// token_service:
///   issuer: https://127.0.0.1:8443/demo  # required: https, may carry a tenant-style path; the gateway serves
///                                        #   {issuer}/oauth2/v2.0/token, /discovery/v2.0/keys, discovery documents
///   store: trustgate.db                  # required: the SQLite registration store (created when missing)
///   store_key_file: store.key            # the key that opens the signing keys (32 bytes, mode 0600);
///                                        #   default: base64 in $TRUSTGATE_STORE_KEY
///   hosts: [localhost]                   # configured host names that serve it; absent: every host
///   signing_algorithm: RS256             # RS256 (default) | PS256 | ES256: keys the service generates
///   clock_skew: 60s                      # ≤ 60s
///   max_assertion_age: 10m               # how old a client assertion's iat may be (no iat: how far exp may be)
///   strict_assertion_audience: false     # true: an assertion's aud must be the issuer, not the token endpoint
///   bind_tokens_to_certificates: true    # cnf.x5t#S256 whenever the request presented a certificate
///   tenant_id: demo                      # the Entra profile's tid (default: the issuer's last path segment)
///   jwks_cache_time: 1h                  # Cache-Control max-age of the JWKS
///   key_rotation:                        # absent: keys rotate only with `trustgate keys rotate`
///     interval: 90d                      #   a new signing key when the current one has signed this long
///     publish_ahead: 1h                  #   the new key is in the JWKS this long before it signs (≥ jwks_cache_time;
///                                        #   default: jwks_cache_time); the old key stays for the longest token
///                                        #   lifetime plus jwks_cache_time
/// ```
enum TokenServiceReading {
    static let keys: Set<String> = [
        "issuer", "store", "store_key_file", "hosts", "signing_algorithm", "clock_skew", "max_assertion_age",
        "strict_assertion_audience", "bind_tokens_to_certificates", "tenant_id", "jwks_cache_time", "key_rotation",
    ]

    static func read(_ node: ConfigurationNode, listeners: [ListenerConfiguration], environment: [String: String]) throws -> TokenServiceConfiguration {
        let map = try node.mapping(allowedKeys: keys)
        let issuerNode = try map.required("issuer")
        var settings: TokenServiceSettings
        do {
            settings = try TokenServiceSettings(issuer: try issuerNode.nonEmptyString())
        } catch {
            throw issuerNode.error("\(error)")
        }
        if let item = map["signing_algorithm"] { settings.accessTokenAlgorithm = try item.oneOf(SigningKeyAlgorithm.self) }
        if let item = map["clock_skew"] { settings.clockSkew = try item.duration(max: 60) }
        if let item = map["max_assertion_age"] { settings.maximumAssertionAge = try item.duration(max: 86_400) }
        if let item = map["strict_assertion_audience"] { settings.strictAssertionAudience = try item.bool() }
        if let item = map["bind_tokens_to_certificates"] { settings.bindTokensToPresentedCertificates = try item.bool() }
        if let item = map["tenant_id"] { settings.tenantID = try item.nonEmptyString() }
        if let item = map["jwks_cache_time"] { settings.jwksCacheTime = try item.duration(max: 30 * 86_400) }
        do {
            try settings.validate()
        } catch {
            throw node.error("\(error)")
        }

        let storePath = try map.required("store").path()
        let keyNode = map["store_key_file"]
        let storeKey: KeyEncryptionKey
        do {
            storeKey = try KeyEncryptionKey.resolve(file: try keyNode?.path(), environment: environment)
        } catch {
            throw (keyNode ?? node).error("\(error)")
        }

        var hosts: [String] = []
        if let item = map["hosts"] {
            let configured = Set(listeners.flatMap { $0.hosts.flatMap(\.names) })
            for entry in try item.list() {
                let name = try GatewayAddressParsing.virtualHostName(entry)
                guard configured.contains(name) else {
                    throw entry.error("no configured host is named '\(name)' (host names: \(configured.sorted().joined(separator: ", ")))")
                }
                if !hosts.contains(name) { hosts.append(name) }
            }
        }
        let keyRotation = try map["key_rotation"].map { try readKeyRotation($0, jwksCacheTime: settings.jwksCacheTime) }
        return TokenServiceConfiguration(settings: settings, storePath: storePath, storeKey: storeKey, hosts: hosts, keyRotation: keyRotation)
    }

    static func readKeyRotation(_ node: ConfigurationNode, jwksCacheTime: TimeInterval) throws -> SigningKeyRotationSchedule {
        let map = try node.mapping(allowedKeys: ["interval", "publish_ahead"])
        let interval = try map.required("interval").duration(max: 10 * 365 * 86_400)
        let publishAhead = try map["publish_ahead"]?.duration(max: 365 * 86_400) ?? jwksCacheTime
        let schedule = SigningKeyRotationSchedule(interval: interval, publishAhead: publishAhead)
        do {
            try schedule.validate(jwksCacheTime: jwksCacheTime)
        } catch {
            throw node.error("\(error)")
        }
        return schedule
    }
}
