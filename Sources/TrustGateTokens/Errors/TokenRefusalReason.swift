/// Why a token request was refused, as a stable code: the audit log's `reason` and the value tests assert on.
///
/// The raw value is `error.detail`; it never carries input. For `invalid_client` the client only ever sees a
/// generic description (CA-18): the detail stays in the audit log.
public enum TokenRefusalReason: String, Sendable, Hashable, CaseIterable {
    // Transport and request syntax (TE-1 … TE-8)
    case methodNotAllowed = "invalid_request.method_not_post"
    case insecureTransport = "invalid_request.not_tls"
    case unsupportedContentType = "invalid_request.content_type"
    case bodyTooLarge = "invalid_request.body_too_large"
    case malformedBody = "invalid_request.malformed_body"
    case repeatedParameter = "invalid_request.repeated_parameter"
    case missingGrantType = "invalid_request.missing_grant_type"
    case unsupportedGrantType = "unsupported_grant_type"
    case multipleAuthorizationHeaders = "invalid_request.multiple_authorization_headers"
    case multipleAuthenticationMethods = "invalid_request.multiple_client_authentication_methods"
    case missingClientIDForSecret = "invalid_request.client_secret_without_client_id"
    case unknownAssertionType = "invalid_request.client_assertion_type"
    case incompleteAssertion = "invalid_request.client_assertion_incomplete"
    case assertionTooLarge = "invalid_request.client_assertion_too_large"
    case tooManyAssertionCertificates = "invalid_request.too_many_x5c_certificates"

    // Client identification and secrets
    case noClientAuthentication = "invalid_client.no_authentication"
    case unsupportedAuthorizationScheme = "invalid_client.authorization_scheme"
    case malformedBasicCredentials = "invalid_client.malformed_basic"
    case clientIDMismatch = "invalid_client.client_id_mismatch"
    case unknownClient = "invalid_client.unknown_client"
    case methodNotRegistered = "invalid_client.method_not_registered"
    case secretMismatch = "invalid_client.secret_mismatch"
    case clientDisabled = "unauthorized_client.disabled"

    // private_key_jwt (CA-1 … CA-19)
    case assertionMalformed = "invalid_client.assertion_malformed"
    case assertionAlgorithmNotAllowed = "invalid_client.assertion_alg_not_allowed"
    case assertionAlgorithmNotRegistered = "invalid_client.assertion_alg_not_registered"
    case assertionCriticalHeader = "invalid_client.assertion_crit"
    case assertionType = "invalid_client.assertion_typ"
    case assertionIssuerSubject = "invalid_client.assertion_iss_sub"
    case assertionAudience = "invalid_client.assertion_aud"
    case assertionMultipleAudiences = "invalid_client.assertion_aud_multiple"
    case assertionExplicitTypeAudience = "invalid_client.assertion_aud_not_issuer_string"
    case assertionMissingExpiry = "invalid_client.assertion_exp_missing"
    case assertionInvalidDate = "invalid_client.assertion_date_invalid"
    case assertionExpired = "invalid_client.assertion_expired"
    case assertionNotYetValid = "invalid_client.assertion_nbf_future"
    case assertionIssuedInFuture = "invalid_client.assertion_iat_future"
    case assertionTooOld = "invalid_client.assertion_iat_too_old"
    case assertionLifetimeTooLong = "invalid_client.assertion_exp_too_far"
    case assertionMissingJTI = "invalid_client.assertion_jti_missing"
    case assertionJTITooLong = "invalid_client.assertion_jti_too_long"
    case assertionReplayed = "invalid_client.assertion_replayed_jti"
    case assertionUnknownKeyID = "invalid_client.assertion_unknown_kid"
    case assertionUnknownThumbprint = "invalid_client.assertion_unknown_thumbprint"
    case assertionNoKey = "invalid_client.assertion_no_key"
    case assertionAmbiguousKey = "invalid_client.assertion_ambiguous_key"
    case assertionCertificateNotValid = "invalid_client.assertion_certificate_validity"
    case assertionWeakKey = "invalid_client.assertion_weak_key"
    case assertionUnsupportedKey = "invalid_client.assertion_unsupported_key"
    case assertionChainKeyMismatch = "invalid_client.assertion_x5c_key_mismatch"
    case assertionChainUntrusted = "invalid_client.assertion_x5c_untrusted"
    case assertionChainIdentityMismatch = "invalid_client.assertion_x5c_identity_mismatch"
    case assertionBadSignature = "invalid_client.assertion_bad_signature"

    // Mutual TLS (MT-1 … MT-3)
    case noClientCertificate = "invalid_client.no_certificate"
    case certificateUntrusted = "invalid_client.certificate_untrusted"
    case certificateIdentityMismatch = "invalid_client.certificate_identity_mismatch"
    case certificateNotRegistered = "invalid_client.certificate_not_registered"
    case certificateNotValid = "invalid_client.certificate_validity"

    // Binding (CB-3)
    case certificateRequiredForBinding = "invalid_request.certificate_required"

    // Scope and resource (GR-2 … GR-4)
    case missingScope = "invalid_scope.missing"
    case malformedScope = "invalid_scope.malformed"
    case unsupportedScope = "invalid_scope.not_default_scope"
    case unknownResource = "invalid_scope.unknown_resource"
    case multipleResources = "invalid_scope.multiple_resources"
    case malformedResource = "invalid_target.malformed"
    case unknownTarget = "invalid_target.unknown_resource"
    case multipleTargets = "invalid_target.multiple_resources"
    case resourceScopeMismatch = "invalid_target.scope_mismatch"

    // The service
    case noSigningKey = "server_error.no_signing_key"
    case signingKeyUnusable = "server_error.signing_key_unusable"
    case storeFailure = "server_error.store"
    case signingFailed = "server_error.signing"
}
