/// Secret bytes given in code (tests, programs that hold a secret already). Never printed: `description` and
/// `debugDescription` say only that a value is there, so a configuration dumped into a log reveals nothing.
public struct SecretValue: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    public var description: String { "<secret, \(bytes.count) bytes>" }
    public var debugDescription: String { description }
}
