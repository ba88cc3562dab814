/// Turns errors from the ASN.1, X.509 and crypto libraries into short, user-facing reasons.
enum ErrorText {
    /// `ASN1Error` and `CertificateError` descriptions start with the type name and end with the library's source
    /// location ("… X509/Certificate.swift:123"); neither helps a user.
    static func reason(_ error: any Error) -> String {
        var text = String(describing: error)
        if let space = text.lastIndex(of: " "), text[text.index(after: space)...].contains(".swift:") {
            text = String(text[..<space])
        }
        for prefix in ["ASN1Error.", "CertificateError."] where text.hasPrefix(prefix) {
            text.removeFirst(prefix.count)
        }
        if text.hasSuffix("incorrectKeySize") {
            return "unsupported key size (RSA keys must be at least 2048 bits)"
        }
        return text
    }
}
