public import X509

/// Certificates (leaf first) and, when the source had one, the leaf's private key.
public struct CertificateBundle: Sendable {
    /// The leaf first, then the rest of the chain in source order.
    public var certificates: [Certificate]
    public var privateKey: Certificate.PrivateKey?

    public init(certificates: [Certificate], privateKey: Certificate.PrivateKey?) {
        self.certificates = certificates
        self.privateKey = privateKey
    }

    /// Opens a PKCS#12 / PFX file: `openssl pkcs12 -export` output (AES-256-CBC / PBKDF2, the OpenSSL 3 default)
    /// and `-legacy` (RC2 / 3DES), and the files Windows and Java write. Certificates-only files are accepted
    /// (`privateKey` is then nil). When there is a key, the certificate it belongs to comes first.
    /// - Throws: `CertificateLoadingError` — `.pkcs12WrongPassword()` when the password does not verify the
    ///   file's integrity MAC, `.pkcs12Malformed` / `.pkcs12Unsupported` otherwise.
    public static func pkcs12(_ bytes: [UInt8], password: String) throws -> CertificateBundle {
        guard bytes.contains(where: { !Base64Text.isWhitespace($0) }) else { throw CertificateLoadingError.emptyInput() }
        return try PKCS12Reader.read(bytes, password: password)
    }

    /// Loads a file holding PKCS#12 (detected by its structure; needs `password`), or PEM certificates with
    /// optional private key blocks (an encrypted key uses `password`), or DER / any form `CertificateDecoder`
    /// accepts. With a key, the certificate it belongs to is moved first, and a key matching no certificate is an
    /// error.
    /// - Throws: `CertificateLoadingError` (file errors name the path).
    public static func load(contentsOfFile path: String, password: String?) throws -> CertificateBundle {
        try load(InputFile.read(path), password: password)
    }

    /// `load(contentsOfFile:password:)` for bytes already in memory.
    public static func load(_ bytes: [UInt8], password: String?) throws -> CertificateBundle {
        try decode(bytes, password: password)
    }

    static func decode(_ input: [UInt8], password: String?) throws(CertificateLoadingError) -> CertificateBundle {
        if PKCS12Detection.isPKCS12(input[...]) {
            guard let password else { throw .pkcs12PasswordRequired() }
            return try PKCS12Reader.read(input, password: password)
        }
        let bytes = TextEncoding.normalized(input)
        let text = Array(TextEncoding.trimmed(bytes))
        // A PFX that travelled as base64 text (Key Vault secrets, App Service settings).
        if !text.isEmpty, !PEMBlock.containsPEM(text), TextEncoding.isPrintableText(text),
            let decoded = Base64Text.decode(text), PKCS12Detection.isPKCS12(decoded[...])
        {
            guard let password else { throw .pkcs12PasswordRequired() }
            return try PKCS12Reader.read(decoded, password: password)
        }
        let isDER = bytes.first == 0x30 && !TextEncoding.isPrintableText(bytes)
        guard !isDER, PEMBlock.containsPEM(text) else {
            return CertificateBundle(certificates: try CertificateDecoder.decode(input), privateKey: nil)
        }
        let certificates = try CertificateDecoder.fromPEM(text)
        let blocks = try PEMBlock.blocks(in: text)
        let keyBlocks = blocks.filter { PrivateKeyDecoder.keyPEMTypes.contains($0.type) }
        guard !keyBlocks.isEmpty else { return CertificateBundle(certificates: certificates, privateKey: nil) }
        guard keyBlocks.count == 1 else {
            throw .unsupportedPrivateKey(reason: "the file holds \(keyBlocks.count) private keys; expected one")
        }
        let key = try PrivateKeyDecoder.fromPEM(keyBlocks[0], password: password)
        guard let leafIndex = certificates.lastIndex(where: key.matches) else { throw .privateKeyMismatch() }
        var ordered = certificates
        let leaf = ordered.remove(at: leafIndex)
        ordered.insert(leaf, at: 0)
        return CertificateBundle(certificates: ordered, privateKey: key)
    }
}
