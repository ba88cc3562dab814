import Foundation
import TrustGateStore
import TrustGateX509
import X509

/// The token service of `trustgate demo` (seed 004): one API, `api://demo`, with the app role `service-api` and
/// the Entra token profile (so tokens carry `azpacr`), and one client, `demo-client`, that proves itself with the
/// demo client certificates — by a client assertion (private_key_jwt, either certificate registered) or on the TLS
/// connection (tls_client_auth, by the demo CA and the client's subject, so a renewed certificate still works).
public enum DemoTokenService {
    /// The issuer's path segment (MSAL's tenant) and the Entra profile's `tid`.
    public static let tenant = "demo"
    public static let resource = "api://demo"
    public static let role = "service-api"
    public static let clientID = "demo-client"
    /// The jwt auth scheme of the demo gateway that accepts the service's tokens.
    public static let schemeName = "demo-tokens"
    /// The demo route that needs a certificate and a certificate client's token with `service-api`.
    public static let routePath = "/api/orders"

    public static func issuer(port: Int) -> String { "https://127.0.0.1:\(port)/\(tenant)" }
    public static func tokenEndpoint(port: Int) -> String { issuer(port: port) + "/oauth2/v2.0/token" }
    public static func jwksURL(port: Int) -> String { issuer(port: port) + "/discovery/v2.0/keys" }

    /// Writes the store key when missing and (re)registers the resource and the client, so the registration
    /// always matches the PKI's current certificates. A store whose key is gone cannot open its signing keys:
    /// it is replaced together with the new key.
    public static func prepare(pki: DemoPKI) async throws {
        if !FileManager.default.fileExists(atPath: pki.tokenStoreKeyFile) {
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: pki.tokenStoreFile + suffix)
            }
            let key = KeyEncryptionKey.generate()
            let text = Data(key.rawBytes).base64EncodedString() + "\n"
            try SecureFileWriter.write(Array(text.utf8), to: pki.tokenStoreKeyFile, mode: SecureFileWriter.privateMode, overwrite: true)
        }
        let store = try SQLiteRegistrationStore(path: pki.tokenStoreFile, create: true)
        do {
            try await register(in: store, pki: pki)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    static func register(in store: some RegistrationStore, pki: DemoPKI) async throws {
        let api = try Resource(identifier: resource, name: "Demo API", appRoles: [role], tokenProfile: .entra)
        if try await store.resource(identifier: resource) == nil {
            try await store.addResource(api)
        } else {
            try await store.updateResource(api)
        }
        if try await store.client(id: clientID) != nil {
            try await store.removeClient(id: clientID)
        }
        try await store.addClient(
            Client(id: clientID, name: "Demo client", authenticationMethods: [.privateKeyJWT, .tlsClientAuth]))
        var subject: DistinguishedName?
        for file in [pki.clientCertificateFile, pki.clientRSACertificateFile] {
            guard let leaf = try CertificateDecoder.certificates(contentsOfFile: file).first else { continue }
            try await store.addCertificate(ClientCertificate(clientID: clientID, derBytes: leaf.derBytes))
            subject = leaf.subject
        }
        let anchors = try CertificateDecoder.certificates(contentsOfFile: pki.caFile)
        try await store.addSubjectIssuerRule(
            SubjectIssuerRule(
                clientID: clientID, trustAnchors: anchors, subject: subject,
                alternativeNames: SubjectAlternativeNameMatchers(uris: [DemoPKI.clientURI])))
        _ = try await store.grantRoles(clientID: clientID, resource: resource, roles: [role])
    }
}
