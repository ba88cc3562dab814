import ArgumentParser
import Foundation

/// How a command is given the password of a PKCS#12 file: on the command line (visible to other local users
/// in the process list), from a file's first line, or from an environment variable.
struct PasswordOptions: ParsableArguments {
    @Option(name: .customLong("password"), help: ArgumentHelp(
        "The password (\"\" for none). Visible in the process list: prefer --password-file or --password-env.", valueName: "password"))
    var value: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp("Read the password from this file (its first line).", valueName: "file"))
    var file: String?

    @Option(name: .customLong("password-env"), help: ArgumentHelp("Read the password from this environment variable.", valueName: "name"))
    var environmentVariable: String?

    /// The password, or nil when none of the three options was given.
    func resolve() throws(CommandFailure) -> String? {
        let given = [value != nil, file != nil, environmentVariable != nil].filter { $0 }.count
        guard given <= 1 else { throw .input("give only one of --password, --password-file, --password-env") }
        if let value { return value }
        if let environmentVariable {
            guard let secret = ProcessInfo.processInfo.environment[environmentVariable] else {
                throw .input("--password-env: the environment variable \(environmentVariable) is not set")
            }
            return secret
        }
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw .input("--password-file: cannot read \(file)")
            }
            guard let line = Self.firstLine(of: Array(data)) else {
                throw .input("--password-file: the first line of \(file) is not UTF-8 text")
            }
            return line
        }
        return nil
    }

    /// The bytes before the first LF, without one CR ending them: split on bytes, because "\r\n" is a single
    /// Character in Swift and a split on "\n" would not find it in a file saved on Windows. Only one CR goes,
    /// so a password that itself ends in CR stays as it is.
    static func firstLine(of bytes: [UInt8]) -> String? {
        var line = bytes.prefix { $0 != UInt8(ascii: "\n") }
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        return String(validating: line, as: UTF8.self)
    }
}
