import Foundation
import TrustGateX509

/// A certificate argument as the CLI's commands take it: a path, or `-` for standard input (PEM, DER or
/// PKCS#12, as `CertificateBundle` detects), so `openssl … | trustgate check --policy p.yaml -` works.
enum CertificateInput {
    static let standardInput = "-"

    static func load(_ argument: String, password: String?) throws -> CertificateBundle {
        if argument == standardInput {
            return try CertificateBundle.load([UInt8](FileHandle.standardInput.readDataToEndOfFile()), password: password)
        }
        return try CertificateBundle.load(contentsOfFile: argument, password: password)
    }
}
