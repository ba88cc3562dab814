import Foundation
import TrustGateX509
import X509

/// Turns key references into values: named keys through the provider, environment variables, files.
struct CredentialResolver: Sendable {
    let keys: (any NamedKeyProvider)?
    let environment: [String: String]

    /// A PFX or key password: may be empty ("" is a common PFX password).
    func password(_ reference: SecretReference?) async throws(ConnectorError) -> String? {
        guard let reference else { return nil }
        return String(decoding: try await secret(reference, allowEmpty: true), as: UTF8.self)
    }

    func secret(_ reference: SecretReference, allowEmpty: Bool = false) async throws(ConnectorError) -> [UInt8] {
        let value: [UInt8]
        switch reference {
        case .value(let secret):
            value = secret.bytes
        case .environment(let variable):
            guard let text = environment[variable] else { throw .configuration("the environment variable \(variable) is not set") }
            value = Array(text.utf8)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else { throw .configuration("cannot read the file \(path)") }
            value = Self.firstLine(of: Array(data))
        case .namedKey(let name):
            guard let keys else { throw .configuration("\(reference) needs the store (no store was given)") }
            do {
                value = try await keys.secret(named: name)
            } catch {
                throw .configuration(keys.describe(error, reference: reference.description))
            }
        }
        guard allowEmpty || !value.isEmpty else { throw .configuration("\(reference) is empty") }
        return value
    }

    func identity(_ source: ClientIdentitySource) async throws(ConnectorError) -> ClientIdentity {
        let bundle: CertificateBundle
        switch source {
        case .bundle(let given):
            bundle = given
        case .namedKey(let name):
            guard let keys else { throw .configuration("\(source) needs the store (no store was given)") }
            do {
                bundle = try await keys.certificate(named: name)
            } catch {
                throw .configuration(keys.describe(error, reference: source.description))
            }
        case .pfxFile(let path, let passwordReference):
            let password = try await self.password(passwordReference)
            do {
                bundle = try CertificateBundle.load(contentsOfFile: path, password: password ?? "")
            } catch {
                throw .configuration("\(source): \(error)")
            }
        case .pemFiles(let certificatePath, let keyPath, let passwordReference):
            let password = try await self.password(passwordReference)
            do {
                var loaded = try CertificateBundle.load(contentsOfFile: certificatePath, password: password)
                if let keyPath {
                    let key = try PrivateKeyDecoder.privateKey(contentsOfFile: keyPath, password: password)
                    guard let index = loaded.certificates.firstIndex(where: { $0.publicKey == key.publicKey }) else {
                        throw ConnectorError.configuration("the key \(keyPath) does not belong to a certificate in \(certificatePath)")
                    }
                    let leaf = loaded.certificates.remove(at: index)
                    loaded = CertificateBundle(certificates: [leaf] + loaded.certificates, privateKey: key)
                }
                bundle = loaded
            } catch let error as ConnectorError {
                throw error
            } catch {
                throw .configuration("\(source): \(error)")
            }
        }
        return try ClientIdentity(bundle: bundle, source: source.description)
    }

    /// `--password-file` semantics: the bytes before the first LF, without one CR ending them.
    static func firstLine(of bytes: [UInt8]) -> [UInt8] {
        var line = bytes.prefix { $0 != UInt8(ascii: "\n") }
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        return Array(line)
    }
}
