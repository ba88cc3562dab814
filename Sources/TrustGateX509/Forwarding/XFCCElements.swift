/// Parses Envoy's `X-Forwarded-Client-Cert`: comma-separated elements (one per proxy), each a
/// semicolon-separated list of `Key=Value` pairs; values may be double-quoted, with `\"` and `\\` escapes.
/// Separators inside quotes are data.
enum XFCCElements {
    /// The elements in order, each a dictionary keyed by lower-cased key; when a key repeats (Envoy writes one
    /// `DNS` pair per name) the first occurrence is kept.
    static func parse(_ text: String) throws(ForwardedCertificateError) -> [[String: String]] {
        // Scanned as UTF-8 bytes: every delimiter is ASCII, and UTF-8 never puts an ASCII byte inside a
        // multi-byte character, so this reads exactly what a Character walk would — at a fraction of the cost.
        var elements: [[String: String]] = []
        var current: [String: String] = [:]
        var key: [UInt8] = []
        var value: [UInt8] = []
        var readingKey = true
        var inQuotes = false

        func isBlank(_ bytes: [UInt8]) -> Bool { bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 } }

        func finishPair() throws(ForwardedCertificateError) {
            let name = String(decoding: key, as: UTF8.self).trimmingOWS().lowercased()
            if name.isEmpty {
                guard isBlank(value) else { throw .invalidXFCC(reason: "a value without a key") }
            } else {
                guard !readingKey else { throw .invalidXFCC(reason: "key '\(name)' has no value") }
                if current[name] == nil { current[name] = String(decoding: value, as: UTF8.self) }
            }
            key.removeAll(keepingCapacity: true)
            value.removeAll(keepingCapacity: true)
            readingKey = true
        }

        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inQuotes {
                switch byte {
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { throw .invalidXFCC(reason: "dangling escape") }
                    value.append(bytes[index])
                    index += 1
                case UInt8(ascii: "\""):
                    inQuotes = false
                default:
                    value.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\"") where !readingKey && isBlank(value):
                inQuotes = true
                value.removeAll(keepingCapacity: true)
            case UInt8(ascii: "=") where readingKey:
                readingKey = false
            case UInt8(ascii: ";"):
                try finishPair()
            case UInt8(ascii: ","):
                try finishPair()
                if !current.isEmpty { elements.append(current) }
                current = [:]
            default:
                if readingKey { key.append(byte) } else { value.append(byte) }
            }
        }
        guard !inQuotes else { throw .invalidXFCC(reason: "unterminated quoted value") }
        try finishPair()
        if !current.isEmpty { elements.append(current) }
        return elements
    }
}
