/// The gateway configuration `trustgate demo` writes next to its PKI: the echo service behind a host that
/// requires a client certificate (except `/public`), the token service, and a route that also needs a token.
public enum DemoGatewayConfiguration {
    /// The YAML text; paths are relative to the file, which lives in the demo directory.
    public static func text(port: Int, adminPort: Int, upstreamPort: Int) -> String {
        let issuer = DemoTokenService.issuer(port: port)
        return """
            # Written by `trustgate demo`. Paths are relative to this file. The echo upstream exists only while the
            # demo runs; point `upstreams.app.url` at your own service and run `trustgate serve --config <this file>`.
            listeners:
              - name: demo
                address: 127.0.0.1:\(port)
                tls:
                  min_version: "1.2"
                  http2: true
                hosts:
                  - names: [localhost, 127.0.0.1]
                    certificate: server.pem
                    key: server.key
                    client_certificate:
                      mode: required
                      exclude_paths: "/public"
                      policy: policy.yaml
            upstreams:
              app:
                url: http://127.0.0.1:\(upstreamPort)
            # OAuth 2.0 client credentials (seed 004). Its paths are answered before the host's certificate rules:
            # each client's registration judges the certificate it presents.
            token_service:
              issuer: \(issuer)
              store: tokens.db
              store_key_file: store.key
            auth_schemes:
              \(DemoTokenService.schemeName):
                type: jwt
                issuer: \(issuer)
                audience: \(DemoTokenService.resource)
                jwks_url: \(DemoTokenService.jwksURL(port: port))
                jwks_ca: ca.pem
                token_types: [at+jwt]
            routes:
              - name: orders
                path: \(DemoTokenService.routePath)
                upstream: app
                auth:
                  all_of:
                    - certificate
                    - { scheme: \(DemoTokenService.schemeName), roles: [\(DemoTokenService.role)], claims: { azpacr: "2" } }
              - name: everything
                path: /
                upstream: app
                forward_certificate: [x-arr-clientcert]
                certificate_info_headers: true
            admin:
              address: 127.0.0.1:\(adminPort)
            access_log: stdout

            """
    }
}
