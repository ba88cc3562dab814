/// One `WWW-Authenticate` challenge (RFC 9110 §11.6.1): a scheme and its auth-params.
public struct AuthenticationChallenge: Sendable, Equatable {
    public var scheme: String
    public var parameters: [(name: String, value: String)]

    public init(scheme: String, parameters: [(name: String, value: String)] = []) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// `Bearer realm="api", error="invalid_token"`: values quoted, `"` and `\` escaped, control characters
    /// dropped so no header can be split by a configured realm or a description.
    public var headerValue: String {
        guard !parameters.isEmpty else { return scheme }
        let rendered = parameters.map { parameter -> String in
            var quoted = "\""
            for scalar in parameter.value.unicodeScalars {
                switch scalar {
                case "\"", "\\": quoted.append("\\"); quoted.unicodeScalars.append(scalar)
                case _ where scalar.value < 0x20 || scalar.value == 0x7F: continue
                default: quoted.unicodeScalars.append(scalar)
                }
            }
            quoted.append("\"")
            return "\(parameter.name)=\(quoted)"
        }
        return scheme + " " + rendered.joined(separator: ", ")
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.scheme == rhs.scheme && lhs.parameters.elementsEqual(rhs.parameters) { $0.name == $1.name && $0.value == $1.value }
    }
}
