/// The API connector's response contract: `Continue` (with claims to return to the user flow) or a
/// `ValidationError` shown to the user on the sign-up page.
enum ConnectorResponse: Encodable, Equatable {
    static let version = "1.0.0"

    case `continue`(loyaltyNumber: String)
    case validationError(userMessage: String)

    /// 200 for `Continue`; the connector contract puts 400 both in the body and on the response.
    var httpStatus: Int {
        switch self {
        case .continue: 200
        case .validationError: 400
        }
    }

    private enum Key: String, CodingKey {
        case version, status, action, userMessage
        case loyaltyNumber = "extension_loyaltyNumber"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(Self.version, forKey: .version)
        switch self {
        case .continue(let loyaltyNumber):
            try container.encode("Continue", forKey: .action)
            try container.encode(loyaltyNumber, forKey: .loyaltyNumber)
        case .validationError(let userMessage):
            try container.encode(400, forKey: .status)
            try container.encode("ValidationError", forKey: .action)
            try container.encode(userMessage, forKey: .userMessage)
        }
    }
}
