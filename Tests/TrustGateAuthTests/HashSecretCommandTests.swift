import Foundation
import XCTest
@testable import TrustGateAuth

/// `trustgate hash-secret` as users run it: the built binary, its output and exit codes.
final class HashSecretCommandTests: XCTestCase {
    /// Found as GatewayCommandTests finds it: next to the test bundle, or in .build/debug.
    static func trustgateBinary() throws -> String {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var candidates = [URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()]
        candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        candidates.append(packageRoot.appendingPathComponent(".build/debug"))
        for directory in candidates {
            let path = directory.appendingPathComponent("trustgate").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw XCTSkip("the trustgate executable was not found; build it with `swift build`")
    }

    private func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.trustgateBinary())
        process.arguments = ["hash-secret"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let input = Pipe()
        let out = Pipe()
        let err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    func testStdinSecretPrintsOnlyAVerifiablePBKDF2Hash() throws {
        let result = try run(["--stdin", "--iterations", "100000"], stdin: "correct horse\n")
        XCTAssertEqual(result.status, 0, result.stderr)
        let line = result.stdout.trimmingCharacters(in: .newlines)
        XCTAssertEqual(result.stdout.filter { $0 == "\n" }.count, 1)
        XCTAssertTrue(line.hasPrefix("$pbkdf2-sha256$i=100000$"), line)
        XCTAssertFalse(result.stdout.contains("correct horse"))
        let hash = try SecretHash(line)
        XCTAssertTrue(hash.verify(Array("correct horse".utf8)))
        XCTAssertFalse(hash.verify(Array("correct horse\n".utf8)), "the newline ending the line is not part of the secret")
    }

    func testEnvironmentSecretWithSHA256AndNonInteractiveStdinWithoutFlag() throws {
        let fromEnvironment = try run(["--env", "TG_TEST_SECRET", "--algorithm", "sha256"], environment: ["TG_TEST_SECRET": "abc"])
        XCTAssertEqual(fromEnvironment.status, 0, fromEnvironment.stderr)
        XCTAssertEqual(fromEnvironment.stdout, "$sha256$ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0\n")

        // Not a terminal and no flag: stdin is read, as with --stdin.
        let piped = try run(["--algorithm", "sha256"], stdin: "abc\r\n")
        XCTAssertEqual(piped.stdout, "$sha256$ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0\n")
    }

    func testGenerateMakesAKeyAndItsHashOnce() throws {
        let result = try run(["--generate"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, result.stdout)
        XCTAssertTrue(lines[0].hasPrefix("key:  "))
        XCTAssertTrue(lines[1].hasPrefix("hash: $sha256$"))
        let key = String(lines[0].dropFirst("key:  ".count))
        XCTAssertEqual(key.count, 43, "32 bytes in base64url without padding")
        XCTAssertTrue(key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, key)
        let hash = try SecretHash(String(lines[1].dropFirst("hash: ".count)))
        XCTAssertTrue(hash.verify(Array(key.utf8)))

        let other = try run(["--generate"])
        XCTAssertNotEqual(other.stdout, result.stdout)
    }

    func testErrorsExitNonZeroWithAMessage() throws {
        let weak = try run(["--stdin", "--iterations", "1000"], stdin: "pw\n")
        XCTAssertEqual(weak.status, 2)
        XCTAssertTrue(weak.stderr.contains("at least 100000"), weak.stderr)
        XCTAssertEqual(weak.stdout, "")

        let unset = try run(["--env", "TG_TEST_SURELY_UNSET_VARIABLE"])
        XCTAssertEqual(unset.status, 2)
        XCTAssertTrue(unset.stderr.contains("TG_TEST_SURELY_UNSET_VARIABLE"), unset.stderr)

        let empty = try run(["--stdin"], stdin: "\n")
        XCTAssertEqual(empty.status, 2)
        XCTAssertTrue(empty.stderr.contains("empty"), empty.stderr)

        let conflicting = try run(["--stdin", "--env", "X"])
        XCTAssertEqual(conflicting.status, 2)
        let iterationsForScrypt = try run(["--algorithm", "scrypt", "--iterations", "100000"], stdin: "pw\n")
        XCTAssertEqual(iterationsForScrypt.status, 2)
        let unknownAlgorithm = try run(["--algorithm", "md5"], stdin: "pw\n")
        XCTAssertEqual(unknownAlgorithm.status, 2)
        XCTAssertFalse(unknownAlgorithm.stderr.contains("Fatal error"))
    }
}
