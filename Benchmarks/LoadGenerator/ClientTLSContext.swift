import NIOCore
import NIOSSL

/// Builds the one TLS client context every connection shares.
enum ClientTLSContext {
    struct Settings: Sendable {
        /// PEM file with the client certificate first, then its intermediates; all of them are sent.
        var certificateChainPath: String?
        var privateKeyPath: String?
        /// When set, the server chain is verified against these roots (and the host name checked); otherwise the
        /// server is not verified at all, which keeps the client's own CPU cost down, as the kit's mtlsload does.
        var trustRootsPath: String?
        var http2: Bool
    }

    enum SetupError: Error, CustomStringConvertible {
        case emptyCertificateChain(String)
        case keyWithoutCertificate

        var description: String {
            switch self {
            case .emptyCertificateChain(let path): return "no certificate found in \(path)"
            case .keyWithoutCertificate: return "--cert and --key must be given together"
            }
        }
    }

    static func make(_ settings: Settings) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        switch (settings.certificateChainPath, settings.privateKeyPath) {
        case (let chainPath?, let keyPath?):
            let chain = try NIOSSLCertificate.fromPEMFile(chainPath)
            guard !chain.isEmpty else { throw SetupError.emptyCertificateChain(chainPath) }
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
        case (nil, nil):
            break
        default:
            throw SetupError.keyWithoutCertificate
        }
        if let trustRootsPath = settings.trustRootsPath {
            configuration.certificateVerification = .fullVerification
            configuration.trustRoots = .file(trustRootsPath)
        } else {
            configuration.certificateVerification = .none
        }
        // No ALPN for HTTP/1.1, like the kit's mtlsload and anchors: the server picks HTTP/1.1 without it.
        configuration.applicationProtocols = settings.http2 ? ["h2"] : []
        // Closing waits for the server's close_notify at most this long, so a silent server cannot pile up
        // half-closed connections in `new` mode.
        configuration.shutdownTimeout = .seconds(1)
        return try NIOSSLContext(configuration: configuration)
    }
}
