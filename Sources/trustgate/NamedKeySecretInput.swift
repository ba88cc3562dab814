import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a named key's secret, or a PFX password, without it ever being on the command line: from an
/// environment variable, from stdin (its first line), or from a prompt that does not echo.
enum NamedKeySecretInput {
    /// - Parameters:
    ///   - twice: ask twice at a prompt and require the same answer (a secret typed once can be mistyped unseen).
    static func read(environmentVariable: String?, stdin: Bool, prompt: String, twice: Bool) throws -> [UInt8] {
        if let environmentVariable {
            guard let value = ProcessInfo.processInfo.environment[environmentVariable] else {
                throw CommandFailure.input("--env: the environment variable \(environmentVariable) is not set")
            }
            return Array(value.utf8)
        }
        if !stdin {
            guard isatty(STDIN_FILENO) == 1 else {
                throw CommandFailure.input("no terminal to prompt on: give --stdin or --env")
            }
            let first = try promptWithoutEcho(prompt)
            if twice {
                guard try promptWithoutEcho("Repeat: ") == first else { throw CommandFailure.input("the two entries differ") }
            }
            return first
        }
        return firstLineOfStandardInput()
    }

    /// The first line of stdin, cut at the byte level ("\r\n" is one Character and would not split).
    static func firstLineOfStandardInput() -> [UInt8] {
        var line = Array(FileHandle.standardInput.readDataToEndOfFile())
        if let newline = line.firstIndex(of: UInt8(ascii: "\n")) { line = Array(line[..<newline]) }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line
    }

    /// One line from the terminal with echo off (restored afterwards), as bytes.
    static func promptWithoutEcho(_ text: String) throws -> [UInt8] {
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
        guard let line = readLine(strippingNewline: true) else { throw CommandFailure.input("nothing was entered") }
        return Array(line.utf8)
    }
}
