/// Parses Envoy's `X-Forwarded-Client-Cert`: comma-separated elements (one per proxy), each a
/// semicolon-separated list of `Key=Value` pairs; values may be double-quoted, with `\"` and `\\` escapes.
/// Separators inside quotes are data.
enum XFCCElements {
    /// The elements in order, each a dictionary keyed by lower-cased key; when a key repeats (Envoy writes one
    /// `DNS` pair per name) the first occurrence is kept.
    static func parse(_ text: String) throws(ForwardedCertificateError) -> [[String: String]] {
        var elements: [[String: String]] = []
        var current: [String: String] = [:]
        var key = ""
        var value = ""
        var readingKey = true
        var inQuotes = false
        var iterator = text.makeIterator()

        func finishPair() throws(ForwardedCertificateError) {
            let name = key.trimmingOWS().lowercased()
            if name.isEmpty {
                guard value.trimmingOWS().isEmpty else { throw .invalidXFCC(reason: "a value without a key") }
            } else {
                guard !readingKey else { throw .invalidXFCC(reason: "key '\(name)' has no value") }
                if current[name] == nil { current[name] = value }
            }
            key = ""
            value = ""
            readingKey = true
        }

        while let character = iterator.next() {
            if inQuotes {
                switch character {
                case "\\":
                    guard let escaped = iterator.next() else { throw .invalidXFCC(reason: "dangling escape") }
                    value.append(escaped)
                case "\"":
                    inQuotes = false
                default:
                    value.append(character)
                }
                continue
            }
            switch character {
            case "\"" where !readingKey && value.trimmingOWS().isEmpty:
                inQuotes = true
                value = ""
            case "=" where readingKey:
                readingKey = false
            case ";":
                try finishPair()
            case ",":
                try finishPair()
                if !current.isEmpty { elements.append(current) }
                current = [:]
            default:
                if readingKey { key.append(character) } else { value.append(character) }
            }
        }
        guard !inQuotes else { throw .invalidXFCC(reason: "unterminated quoted value") }
        try finishPair()
        if !current.isEmpty { elements.append(current) }
        return elements
    }
}
