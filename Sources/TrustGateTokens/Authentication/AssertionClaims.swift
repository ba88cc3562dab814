import Foundation
import TrustGateJOSE

/// The claims of a client assertion the token endpoint reads, typed (CA-1, CA-5 … CA-9). Unknown claims are
/// ignored (CA-19).
struct AssertionClaims: Sendable {
    /// The audience as sent.
    enum Audience: Sendable, Equatable {
        case string(String)
        case array([String])
    }

    let issuer: String
    let subject: String
    let audience: Audience?
    let expiresAt: Double?
    let notBefore: Double?
    let issuedAt: Double?
    /// `jti`, nil when absent; a present `jti` that is not a string is a malformed assertion.
    let tokenID: String?

    enum Failure: Error, Equatable {
        case notAnObject
        case issuerSubject
        case audience
        case date
    }

    /// - Parameter acceptDigitStrings: CA-8's MSAL.NET tolerance (`"nbf":"1700000000"`).
    init(payload: [UInt8], acceptDigitStrings: Bool) throws(Failure) {
        let parsed: JSONObject?
        do {
            parsed = try StrictJSONParser.parseObject(payload)
        } catch {
            throw .notAnObject
        }
        guard let claims = parsed else { throw .notAnObject }
        // CA-1: both present, both strings; their equality with the client id is the caller's check.
        guard let issuer = claims["iss"]?.stringValue, let subject = claims["sub"]?.stringValue, !subject.isEmpty else {
            throw .issuerSubject
        }
        self.issuer = issuer
        self.subject = subject
        switch claims["aud"] {
        case nil: audience = nil
        case .string(let value)?: audience = .string(value)
        case .array(let values)?:
            var names: [String] = []
            for value in values {
                guard let name = value.stringValue else { throw .audience }
                names.append(name)
            }
            audience = .array(names)
        default: throw .audience
        }
        expiresAt = try Self.numericDate(claims["exp"], acceptDigitStrings: acceptDigitStrings)
        notBefore = try Self.numericDate(claims["nbf"], acceptDigitStrings: acceptDigitStrings)
        issuedAt = try Self.numericDate(claims["iat"], acceptDigitStrings: acceptDigitStrings)
        switch claims["jti"] {
        case nil: tokenID = nil
        case .string(let value)?: tokenID = value
        default: tokenID = ""  // present but not a string: refused as a missing jti
        }
    }

    /// RFC 7519 NumericDate: any JSON number, integer or not (MSAL Python sends `1795420877.86`, CA-8), and — only
    /// with `acceptDigitStrings` — a string of 1 to 20 ASCII digits. Everything else (booleans, `"1e9"`, `"-5"`,
    /// `" 1"`, objects) is refused.
    static func numericDate(_ value: JSONValue?, acceptDigitStrings: Bool) throws(Failure) -> Double? {
        switch value {
        case nil:
            return nil
        case .number(let number)?:
            guard number.doubleValue.isFinite else { throw .date }
            return number.doubleValue
        case .string(let text)? where acceptDigitStrings:
            guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let number = Double(text)
            else { throw .date }
            return number
        default:
            throw .date
        }
    }
}
