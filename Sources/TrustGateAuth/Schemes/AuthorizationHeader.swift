/// The one `Authorization` header of a request, split into its scheme and credentials (RFC 9110 §11.4:
/// `credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`), as Basic and Bearer read it.
enum AuthorizationHeader: Equatable {
    case absent
    /// More than one `Authorization` header: which one counts is ambiguous, so the request is malformed.
    case duplicated
    case present(scheme: String, credentials: String)

    static let name = "authorization"

    init(_ request: AuthenticationRequest) {
        let values = request.values(of: Self.name)
        guard let value = values.first else {
            self = .absent
            return
        }
        guard values.count == 1 else {
            self = .duplicated
            return
        }
        let trimmed = Self.trimmingOWS(value)
        if let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) {
            self = .present(scheme: String(trimmed[..<space]), credentials: Self.trimmingOWS(trimmed[space...]))
        } else {
            self = .present(scheme: trimmed, credentials: "")
        }
    }

    /// Whether the header uses `scheme` (compared case-insensitively, RFC 9110 §11.1).
    func uses(_ scheme: String) -> Bool {
        if case .present(let used, _) = self { return used.lowercased() == scheme.lowercased() }
        return false
    }

    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    static func trimmingOWS(_ text: some StringProtocol) -> String {
        var scalars = Substring(text)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
