/// What an API connector sends at sign-up (seed 001, "Add an API connector to a sign-up user flow"): the
/// collected attributes as JSON. Only the fields this API uses are read; the rest (`identities`, `step`,
/// `client_id`, `ui_locales`, custom `extension_…` attributes) are ignored.
struct SignUpClaims: Decodable {
    var email: String?
    var givenName: String?
    var surname: String?
    var displayName: String?
}
