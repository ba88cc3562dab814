/// Why an `application/x-www-form-urlencoded` body was refused (TE-3). Names are parameter names, never values.
enum FormParametersError: Error, Sendable, Hashable {
    /// A `%` not followed by two hex digits.
    case invalidPercentEncoding
    /// The decoded bytes are not UTF-8.
    case invalidUTF8
    /// The parameter appears more than once with a value (RFC 6749 §3.2).
    case repeated(String)
}
