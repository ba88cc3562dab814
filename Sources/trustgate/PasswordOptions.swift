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
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw .input("--password-file: cannot read \(file) as UTF-8 text")
            }
            return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        }
        return nil
    }
}
