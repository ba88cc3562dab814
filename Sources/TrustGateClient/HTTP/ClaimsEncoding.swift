import Foundation
import NIOHTTP1
import TrustGateJOSE

/// A request with its claims placed: the URL (with the query for `query`), headers, and the body.
struct PlacedClaims: Sendable {
    var url: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]?
}

/// Puts claims where the connector says (B2C's `SendClaimsIn`):
/// - `body`: one JSON object (`application/json`), members sorted by name;
/// - `form`: `application/x-www-form-urlencoded`;
/// - `query`: appended to the URL's query;
/// - `header`: one header per claim, named as the claim.
///
/// For form, query and headers, strings go as they are, numbers as written, booleans as `true` / `false`, arrays
/// as one field per element, objects as JSON text; null claims are left out.
enum ClaimsEncoding {
    static func place(_ claims: JSONObject, placement: ClaimsPlacement, method: HTTPMethod, url: URL) throws(ConnectorError) -> PlacedClaims {
        let base = url.absoluteString
        let sendsBody = ![.GET, .HEAD].contains(method)
        switch placement {
        case .body:
            guard sendsBody else {
                guard claims.isEmpty else { throw .invalidClaims("a \(method.rawValue) request has no body: send the claims in the query or headers") }
                return PlacedClaims(url: base, headers: [], body: nil)
            }
            return PlacedClaims(
                url: base, headers: [("Content-Type", "application/json")], body: Array(JSONTextEncoder.encode(object: claims).utf8))
        case .form:
            guard sendsBody else {
                guard claims.isEmpty else { throw .invalidClaims("a \(method.rawValue) request has no body: send the claims in the query or headers") }
                return PlacedClaims(url: base, headers: [], body: nil)
            }
            let body = FormURLEncoding.encode(fields(claims))
            return PlacedClaims(url: base, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
        case .query:
            let pairs = fields(claims)
            guard !pairs.isEmpty else { return PlacedClaims(url: base, headers: [], body: nil) }
            var withoutFragment = base
            if let hash = withoutFragment.firstIndex(of: "#") { withoutFragment = String(withoutFragment[..<hash]) }
            let separator = withoutFragment.contains("?") ? (withoutFragment.hasSuffix("?") || withoutFragment.hasSuffix("&") ? "" : "&") : "?"
            return PlacedClaims(url: withoutFragment + separator + FormURLEncoding.encode(pairs, spaceAsPlus: false), headers: [], body: nil)
        case .header:
            var headers: [(name: String, value: String)] = []
            for (name, value) in fields(claims) {
                guard HTTPToken.isValid(name) else { throw .invalidClaims("claim '\(name)' cannot be a header name") }
                guard HTTPToken.isValidFieldValue(value) else { throw .invalidClaims("claim '\(name)' contains control characters") }
                headers.append((name, value))
            }
            return PlacedClaims(url: base, headers: headers, body: nil)
        }
    }

    /// The claims as name / text pairs, in the object's order.
    static func fields(_ claims: JSONObject) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for member in claims.members {
            switch member.value {
            case .null: continue
            case .array(let elements):
                for element in elements where element != .null { pairs.append((member.name, text(element))) }
            default: pairs.append((member.name, text(member.value)))
            }
        }
        return pairs
    }

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .number(let number): return number.text
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return ""
        case .array, .object: return JSONTextEncoder.encode(value)
        }
    }
}
