import Foundation
import TrustGateConfiguration
import TrustGateX509
import X509

/// Reads `certificate` / `key` / `password_file` / `password_env` from a mapping (a listener host, or an
/// https upstream's client certificate) into a ``CertificateKeyPair`` whose key is proven to be the leaf's.
struct GatewayCredentialReader {
    let environment: [String: String]

    /// In the order errors about them are reported.
    static let orderedKeys = ["certificate", "key", "password_file", "password_env"]
    static let keys = Set(orderedKeys)

    /// nil when the mapping has no `certificate`; then `key` and the password keys are refused too.
    func pair(_ map: ConfigurationMapping, sourceFiles: inout GatewaySourceFiles) throws -> CertificateKeyPair? {
        guard let certificateNode = map["certificate"] else {
            for key in Self.orderedKeys.dropFirst() {
                if let node = map[key] { throw node.error("is only meaningful together with certificate") }
            }
            return nil
        }
        let password = try self.password(map, sourceFiles: &sourceFiles)
        let certificatePath = try certificateNode.path()
        sourceFiles.add(certificatePath)
        let bundle: CertificateBundle
        do {
            bundle = try CertificateBundle.load(contentsOfFile: certificatePath, password: password)
        } catch let error as CertificateLoadingError where error.code == .pkcs12PasswordRequired {
            throw certificateNode.error("\(certificatePath) is a PFX / PKCS#12 file and needs a password: add password_file or password_env")
        } catch {
            throw certificateNode.error(Self.describe(error, path: certificatePath))
        }
        guard let leaf = bundle.certificates.first else {
            throw certificateNode.error("\(certificatePath) holds no certificate")
        }

        let privateKey: Certificate.PrivateKey
        if let keyNode = map["key"] {
            let keyPath = try keyNode.path()
            sourceFiles.add(keyPath)
            do {
                privateKey = try PrivateKeyDecoder.privateKey(contentsOfFile: keyPath, password: password)
            } catch let error as CertificateLoadingError where error.code == .privateKeyPasswordRequired {
                throw keyNode.error("\(keyPath) is encrypted and needs a password: add password_file or password_env")
            } catch {
                throw keyNode.error(Self.describe(error, path: keyPath))
            }
            guard privateKey.publicKey == leaf.publicKey else {
                throw keyNode.error(
                    "the key does not match the certificate: \(keyPath) is not the private key of '\(leaf.subject.displayString)', the first certificate of \(certificatePath)")
            }
        } else if let bundled = bundle.privateKey {
            // CertificateBundle has already moved the certificate this key belongs to first.
            privateKey = bundled
        } else {
            throw certificateNode.error("\(certificatePath) holds no private key: add key (a PEM key file), or use a PFX that carries the key")
        }
        return CertificateKeyPair(chain: bundle.certificates, privateKey: privateKey)
    }

    /// The password for an encrypted key or a PFX: the content of `password_file` (without its final line
    /// break) or the value of the environment variable `password_env` names.
    private func password(_ map: ConfigurationMapping, sourceFiles: inout GatewaySourceFiles) throws -> String? {
        let fileNode = map["password_file"]
        let environmentNode = map["password_env"]
        if fileNode != nil, let environmentNode {
            throw environmentNode.error("give either password_file or password_env, not both")
        }
        if let fileNode {
            let path = try fileNode.path()
            sourceFiles.add(path)
            guard let data = FileManager.default.contents(atPath: path) else { throw fileNode.error("cannot read \(path)") }
            guard var text = String(data: data, encoding: .utf8) else { throw fileNode.error("\(path) is not UTF-8 text") }
            // "\r\n" is one Character in Swift, so it is removed whole.
            if text.hasSuffix("\r\n") || text.hasSuffix("\n") { text.removeLast() }
            return text
        }
        if let environmentNode {
            let name = try environmentNode.nonEmptyString()
            guard let value = environment[name] else {
                throw environmentNode.error("the environment variable \(name) is not set")
            }
            return value
        }
        return nil
    }

    /// Loader errors already name the file for file-system problems; the others get it prefixed.
    static func describe(_ error: any Error, path: String) -> String {
        let text = String(describing: error)
        return text.hasPrefix(path) ? text : "\(path): \(text)"
    }
}
