/// Rules for app role names (`service-api`, `Loyalty.Read`): they travel in the `roles` claim and are compared
/// exactly, so they must be unambiguous text.
public enum AppRoleName {
    public static let maximumLength = 120

    public static func check(_ role: String) throws(InvalidRegistrationValue) {
        try RegistrationText.checkIdentifier(role, field: "role", maxLength: maximumLength)
    }

    /// Each role checked, duplicates refused (a duplicate is almost always a typo in a longer list).
    public static func checkList(_ roles: [String]) throws(InvalidRegistrationValue) {
        var seen = Set<String>()
        for role in roles {
            try check(role)
            guard seen.insert(role).inserted else {
                throw InvalidRegistrationValue(field: "role", reason: "'\(role)' is listed twice")
            }
        }
    }
}
