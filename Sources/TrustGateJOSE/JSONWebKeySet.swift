/// A JWK Set (RFC 7517 §5).
///
/// Parsing keeps going past keys TrustGate cannot use (an encryption key, an X25519 key, a 1024-bit RSA key, a
/// malformed entry): real issuers publish such keys next to their signing keys, and refusing the whole set would
/// make one odd key an outage. Each skipped key is listed with the reason, for diagnostics.
public struct JSONWebKeySet: Sendable {
    public struct SkippedKey: Sendable, Equatable {
        /// Position in the `keys` array.
        public let index: Int
        public let keyID: String?
        public let reason: JSONWebKeyError
    }

    public var keys: [JSONWebKey]
    public var skippedKeys: [SkippedKey]

    public init(keys: [JSONWebKey]) {
        self.keys = keys
        self.skippedKeys = []
    }

    public init(json: String) throws(JSONWebKeyError) {
        try self.init(jsonBytes: Array(json.utf8))
    }

    public init<Bytes: Collection>(jsonBytes: Bytes) throws(JSONWebKeyError) where Bytes.Element == UInt8 {
        let value: JSONValue
        do { value = try StrictJSONParser.parse(jsonBytes) } catch { throw .invalidJSON(error) }
        guard let entries = value.objectValue?["keys"]?.arrayValue else { throw .notAKeySet }
        var keys: [JSONWebKey] = []
        var skipped: [SkippedKey] = []
        for (index, entry) in entries.enumerated() {
            guard let object = entry.objectValue else {
                skipped.append(SkippedKey(index: index, keyID: nil, reason: .notAnObject))
                continue
            }
            do {
                keys.append(try JSONWebKey(jsonObject: object))
            } catch {
                skipped.append(SkippedKey(index: index, keyID: object["kid"]?.stringValue, reason: error))
            }
        }
        self.keys = keys
        self.skippedKeys = skipped
    }

    /// `{"keys":[…]}` with every key as a public JWK; throws for a set holding a secret key.
    public func publicJSON() throws(JSONWebKeyError) -> String {
        var entries: [JSONValue] = []
        for key in keys { entries.append(.object(try key.publicJSONObject())) }
        return JSONTextEncoder.encode(object: ["keys": .array(entries)])
    }
}
