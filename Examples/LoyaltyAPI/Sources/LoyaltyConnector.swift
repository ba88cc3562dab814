import Foundation

/// The seed's sign-up validation: a given name of "Test" is refused with the message the seed's sample
/// shows; anyone else is let through with a loyalty number.
enum LoyaltyConnector {
    /// The message seed 000's sample API answers a given name of "Test" with.
    static let invalidNameMessage = "The name is not valid, please provide a valid name"

    static func respond(toBody body: Data) -> ConnectorResponse {
        let claims: SignUpClaims
        do {
            claims = try JSONDecoder().decode(SignUpClaims.self, from: body)
        } catch {
            return .validationError(userMessage: "The request is not a valid JSON claims document.")
        }
        // Compared as the seed's sample did (case-insensitively, ignoring surrounding spaces).
        if let givenName = claims.givenName,
           givenName.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() == "test"
        {
            return .validationError(userMessage: invalidNameMessage)
        }
        guard let email = claims.email, !email.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return .validationError(userMessage: "An email address is required to create a loyalty number.")
        }
        return .continue(loyaltyNumber: LoyaltyNumber.forEmail(email))
    }
}
