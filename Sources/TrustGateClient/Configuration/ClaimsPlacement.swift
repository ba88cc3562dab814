/// Where a call's claims travel (B2C's `SendClaimsIn`): a JSON object in the body, an
/// `application/x-www-form-urlencoded` body, the query string, or one request header per claim.
public enum ClaimsPlacement: String, Sendable, Hashable, CaseIterable {
    case body
    case form
    case query
    case header
}
