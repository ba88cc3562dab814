import TrustGateAuth
import TrustGateStore
import TrustGateX509

/// How a request tries to authenticate its client, decided from the request alone before any registration is
/// read: exactly one method (TE-4), or none at all (TE-5).
enum ClientAuthenticationAttempt: Sendable {
    case secretBasic(clientID: String, secret: String)
    case secretPost(clientID: String, secret: String)
    /// `client_assertion` (RFC 7523), with the form's `client_id` if one was sent (it must equal `sub`, TE-7).
    case assertion(String, formClientID: String?)
    /// No credential in the request, a `client_id` and a client certificate: `tls_client_auth` or
    /// `self_signed_tls_client_auth`, whichever the client is registered for.
    case mutualTLS(clientID: String, certificate: ClientCertificateEvidence)

    static let jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    /// The client the request names (for the audit log, also when authentication fails).
    var claimedClientID: String? {
        switch self {
        case .secretBasic(let id, _), .secretPost(let id, _), .mutualTLS(let id, _): return id
        case .assertion(_, let formClientID): return formClientID
        }
    }

    /// The method as registered clients list it (mTLS is refined once the registration is known).
    var method: ClientAuthenticationMethod {
        switch self {
        case .secretBasic: return .clientSecretBasic
        case .secretPost: return .clientSecretPost
        case .assertion: return .privateKeyJWT
        case .mutualTLS: return .tlsClientAuth
        }
    }

    /// Reads the attempt from the `Authorization` header and the form.
    /// - Throws: `invalid_request` for two methods at once (TE-4), an unknown assertion type or an incomplete or
    ///   oversized assertion (TE-6, TE-8); `invalid_client` for a request without any client authentication
    ///   (TE-5), an unusable `Authorization` header, or a form `client_id` that contradicts Basic.
    static func read(
        authorization: [String],
        form: FormParameters,
        certificate: ClientCertificateEvidence?,
        maximumAssertionLength: Int
    ) throws(TokenEndpointError) -> ClientAuthenticationAttempt {
        guard authorization.count <= 1 else {
            throw .invalidRequest(.multipleAuthorizationHeaders, "send at most one Authorization header")
        }
        var basic: BasicClientCredentials?
        if let header = authorization.first {
            switch BasicClientCredentials.parse(header) {
            case .otherScheme: throw .invalidClient(.unsupportedAuthorizationScheme)
            case .malformed: throw .invalidClient(.malformedBasicCredentials)
            case .credentials(let credentials): basic = credentials
            }
        }
        let formClientID = form["client_id"]
        let formSecret = form["client_secret"]
        let assertionType = form["client_assertion_type"]
        let assertion = form["client_assertion"]
        let usesAssertion = assertionType != nil || assertion != nil

        let methodCount = (basic != nil ? 1 : 0) + (formSecret != nil ? 1 : 0) + (usesAssertion ? 1 : 0)
        guard methodCount <= 1 else {
            throw .invalidRequest(.multipleAuthenticationMethods, "use exactly one client authentication method (RFC 6749 section 2.3)")
        }

        if let basic {
            if let formClientID, formClientID != basic.clientID { throw .invalidClient(.clientIDMismatch) }
            return .secretBasic(clientID: basic.clientID, secret: basic.secret)
        }
        if let formSecret {
            guard let formClientID else {
                throw .invalidRequest(.missingClientIDForSecret, "client_secret needs client_id")
            }
            return .secretPost(clientID: formClientID, secret: formSecret)
        }
        if usesAssertion {
            guard let assertionType, let assertion else {
                throw .invalidRequest(.incompleteAssertion, "client_assertion and client_assertion_type go together")
            }
            guard assertionType == jwtBearerAssertionType else {
                throw .invalidRequest(.unknownAssertionType, "client_assertion_type must be \(jwtBearerAssertionType)")
            }
            guard assertion.utf8.count <= maximumAssertionLength else {
                throw .invalidRequest(.assertionTooLarge, "client_assertion is longer than \(maximumAssertionLength) bytes")
            }
            return .assertion(assertion, formClientID: formClientID)
        }
        if let formClientID, let certificate, !certificate.chain.isEmpty {
            return .mutualTLS(clientID: formClientID, certificate: certificate)
        }
        throw .invalidClient(.noClientAuthentication)
    }
}
