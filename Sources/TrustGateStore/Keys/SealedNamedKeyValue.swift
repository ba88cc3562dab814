import Crypto
import Foundation

/// A named key's value encrypted with the store key: AES-256-GCM, as `SealedPrivateKey`, with the key's kind and
/// name as additional authenticated data, so a sealed value copied onto another name (or relabelled as the other
/// kind) fails to open instead of being used under the wrong name.
///
/// Layout: one format byte (1), then nonce (12) ‖ ciphertext ‖ tag (16).
public struct SealedNamedKeyValue: Sendable, Hashable {
    static let formatVersion: UInt8 = 1

    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    static func associatedData(name: String, kind: NamedKey.Kind) -> [UInt8] {
        Array("trustgate named key\u{0}\(kind.rawValue)\u{0}\(name)".utf8)
    }

    static func seal(
        _ plaintext: [UInt8], name: String, kind: NamedKey.Kind, with key: KeyEncryptionKey
    ) throws(NamedKeyError) -> SealedNamedKeyValue {
        do {
            let box = try AES.GCM.seal(plaintext, using: key.key, authenticating: associatedData(name: name, kind: kind))
            guard let combined = box.combined else { throw NamedKeyError.sealingFailed(name) }
            return SealedNamedKeyValue(bytes: [formatVersion] + Array(combined))
        } catch {
            throw .sealingFailed(name)
        }
    }

    func open(name: String, kind: NamedKey.Kind, with key: KeyEncryptionKey) throws(NamedKeyError) -> [UInt8] {
        guard bytes.first == Self.formatVersion, bytes.count > 1 + 12 + 16 else { throw .malformedValue(name) }
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.SealedBox(combined: bytes.dropFirst())
        } catch {
            throw .malformedValue(name)
        }
        do {
            return Array(try AES.GCM.open(box, using: key.key, authenticating: Self.associatedData(name: name, kind: kind)))
        } catch {
            throw .storeKeyDoesNotMatch(name)
        }
    }
}
