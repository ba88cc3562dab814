import Crypto
import Foundation

/// A private key encrypted with the store key: AES-256-GCM with the key id as additional authenticated data, so
/// a sealed key copied onto another key's row fails to open rather than signing under the wrong `kid`.
///
/// Layout: one format byte (1), then nonce (12) ‖ ciphertext ‖ tag (16).
public struct SealedPrivateKey: Sendable, Hashable {
    static let formatVersion: UInt8 = 1

    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    static func seal(_ plaintext: [UInt8], keyID: String, with key: KeyEncryptionKey) throws(KeyEncryptionKeyError) -> SealedPrivateKey {
        do {
            let box = try AES.GCM.seal(plaintext, using: key.key, authenticating: Array(keyID.utf8))
            guard let combined = box.combined else { throw KeyEncryptionKeyError.sealingFailed(keyID: keyID) }
            return SealedPrivateKey(bytes: [formatVersion] + Array(combined))
        } catch {
            throw .sealingFailed(keyID: keyID)
        }
    }

    func open(keyID: String, with key: KeyEncryptionKey) throws(KeyEncryptionKeyError) -> [UInt8] {
        guard bytes.first == Self.formatVersion, bytes.count > 1 + 12 + 16 else { throw .malformedSealedKey(keyID: keyID) }
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.SealedBox(combined: bytes.dropFirst())
        } catch {
            throw .malformedSealedKey(keyID: keyID)
        }
        do {
            return Array(try AES.GCM.open(box, using: key.key, authenticating: Array(keyID.utf8)))
        } catch {
            throw .doesNotMatch(keyID: keyID)
        }
    }
}
