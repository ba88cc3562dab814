import ArgumentParser
import Foundation
import TrustGateAuth

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `trustgate hash-secret`: turns a password, API key or token into the hash string that `auth_schemes`
/// stores, or generates a new API key with its hash. The secret is never printed back, logged or put on
/// the command line.
struct HashSecretCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-secret",
        abstract: "Hash a password, API key or token for auth_schemes, or generate a new API key.",
        discussion: """
            The secret is read from a prompt that does not echo (when stdin is a terminal; it is asked twice), \
            from stdin (its first line), or from an environment variable. Only the hash is printed.

            Algorithms:
              pbkdf2-sha256  PBKDF2-HMAC-SHA256, 600000 iterations by default (OWASP 2023); for passwords.
              scrypt         scrypt with N=2^17, r=8, p=1 (128 MiB per verification); for passwords.
              sha256         one SHA-256; ONLY for generated high-entropy keys and tokens (--generate).

            --generate makes a random 256-bit API key (base64url), prints it once (give it to the client; it is \
            not stored anywhere) and its hash (sha256 unless --algorithm says otherwise).

            Text is normalised to Unicode NFC before hashing, as HTTP Basic with charset="UTF-8" compares it.

            Examples:
              trustgate hash-secret                                  # prompts for a password
              printf '%s\\n' "$PASSWORD" | trustgate hash-secret --stdin
              trustgate hash-secret --env CONNECTOR_PASSWORD --algorithm scrypt
              trustgate hash-secret --generate
            """)

    enum Algorithm: String, ExpressibleByArgument, CaseIterable {
        case pbkdf2SHA256 = "pbkdf2-sha256"
        case scrypt
        case sha256
    }

    @Option(help: ArgumentHelp("pbkdf2-sha256 (default), scrypt, or sha256 (generated keys only).", valueName: "name"))
    var algorithm: Algorithm?

    @Option(help: ArgumentHelp("PBKDF2 iterations (100000 to 2000000; default 600000).", valueName: "n"))
    var iterations: Int?

    @Flag(help: "Read the secret from stdin (its first line).")
    var stdin = false

    @Option(help: ArgumentHelp("Read the secret from this environment variable.", valueName: "name"))
    var env: String?

    @Flag(help: "Generate a random API key, print it and its hash.")
    var generate = false

    func validate() throws {
        if stdin, env != nil { throw ValidationError("give only one of --stdin and --env") }
        if generate, stdin || env != nil { throw ValidationError("--generate makes the secret: it cannot be combined with --stdin or --env") }
        if iterations != nil, (algorithm ?? .pbkdf2SHA256) != .pbkdf2SHA256 || (generate && algorithm == nil) {
            throw ValidationError("--iterations applies to --algorithm pbkdf2-sha256 only")
        }
    }

    func run() throws {
        if generate {
            let key = Self.generatedKey()
            let hash = try Self.hash(Array(key.utf8), algorithm: algorithm ?? .sha256, iterations: iterations)
            print("key:  \(key)")
            print("hash: \(hash.encoded)")
            return
        }
        let secret = try readSecret().precomposedStringWithCanonicalMapping
        guard !secret.isEmpty else { throw CommandFailure.input("the secret is empty") }
        print(try Self.hash(Array(secret.utf8), algorithm: algorithm ?? .pbkdf2SHA256, iterations: iterations).encoded)
    }

    private static func hash(_ secret: [UInt8], algorithm: Algorithm, iterations: Int?) throws -> SecretHash {
        let chosen: SecretHash.Algorithm
        switch algorithm {
        case .pbkdf2SHA256: chosen = .pbkdf2SHA256(iterations: iterations ?? SecretHash.defaultPBKDF2Iterations)
        case .scrypt: chosen = SecretHash.defaultScrypt
        case .sha256: chosen = .sha256
        }
        let result = Result { () throws(SecretHashError) -> SecretHash in try SecretHash.create(for: secret, algorithm: chosen) }
        switch result {
        case .success(let hash):
            return hash
        case .failure(let error) where error.code == .costTooLow || error.code == .costTooHigh:
            throw CommandFailure.input(error.message)
        case .failure(let error):
            throw CommandFailure.failed(error.description)
        }
    }

    /// 32 random bytes from the system CSPRNG, base64url without padding (43 characters).
    private static func generatedKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        var text = Data(bytes).base64EncodedString()
        while text.last == "=" { text.removeLast() }
        return String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    // MARK: - Reading the secret

    private func readSecret() throws -> String {
        if let env {
            guard let value = ProcessInfo.processInfo.environment[env] else {
                throw CommandFailure.input("--env: the environment variable \(env) is not set")
            }
            return value
        }
        if !stdin, isatty(STDIN_FILENO) == 1 {
            let first = try Self.prompt("Secret: ")
            let second = try Self.prompt("Repeat: ")
            guard first == second else { throw CommandFailure.input("the two entries differ") }
            return first
        }
        // The first line, cut at the byte level: as Characters, "\r\n" is one grapheme and would not split.
        var line = Array(FileHandle.standardInput.readDataToEndOfFile())
        if let newline = line.firstIndex(of: UInt8(ascii: "\n")) { line = Array(line[..<newline]) }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        guard let text = String(validating: line, as: UTF8.self) else { throw CommandFailure.input("stdin is not UTF-8 text") }
        return text
    }

    /// One line from the terminal with echo off (restored afterwards).
    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { throw CommandFailure.input("cannot read from the terminal") }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw CommandFailure.input("no secret was entered") }
        return line
    }
}
