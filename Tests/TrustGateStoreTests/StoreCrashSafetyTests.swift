import Foundation
import XCTest

@testable import TrustGateStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A writer killed with SIGKILL right after a commit: the committed registration survives, the transaction it
/// had open does not, and the file is intact. The writer is this test bundle run again as a child process
/// (`testChildWriterHoldsAfterCommitting`), so it is certainly still alive, store open, when it is killed.
final class StoreCrashSafetyTests: XCTestCase {
    static let childStoreVariable = "TRUSTGATE_STORE_CRASH_CHILD"

    func testKilledWriterLosesNoCommittedRegistration() async throws {
        let path = try makeTemporaryDirectory(self).appendingPathComponent("crash.db").path
        let bundle = try XCTUnwrap(CommandLine.arguments.first)
        guard FileManager.default.isExecutableFile(atPath: bundle), bundle.hasSuffix(".xctest") else {
            throw XCTSkip("the test bundle cannot be run as a child process here (\(bundle))")
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: bundle)
        child.arguments = ["TrustGateStoreTests.StoreCrashSafetyTests/testChildWriterHoldsAfterCommitting"]
        child.environment = ProcessInfo.processInfo.environment.merging([Self.childStoreVariable: path]) { $1 }
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try child.run()

        var transcript = ""
        while !transcript.contains("HOLDING") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            transcript += String(decoding: data, as: UTF8.self)
        }
        XCTAssertTrue(transcript.contains("COMMITTED"), transcript)
        XCTAssertTrue(transcript.contains("HOLDING"), transcript)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + "-wal"), "the commit is in the WAL, not yet checkpointed")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationReason, .uncaughtSignal)

        let store = try SQLiteRegistrationStore(path: path, create: false)
        let committed = try await store.registration(clientID: "committed")
        XCTAssertEqual(committed?.client.name, "Client committed")
        XCTAssertEqual(committed?.grants.first?.roles, ["read"])
        let uncommitted = try await store.client(id: "uncommitted")
        XCTAssertNil(uncommitted, "the open transaction died with the process")
        let integrity = try await store.connection.run { database in
            try database.query("PRAGMA integrity_check", []) { $0.text(0) }
        }
        XCTAssertEqual(integrity, ["ok"])
        // The store is writable again: the dead writer's lock is gone.
        try await store.addClient(try makeClient("after-crash"))
    }

    /// Runs only as the child of the test above.
    func testChildWriterHoldsAfterCommitting() async throws {
        guard let path = ProcessInfo.processInfo.environment[Self.childStoreVariable] else {
            throw XCTSkip("helper for testKilledWriterLosesNoCommittedRegistration")
        }
        let store = try SQLiteRegistrationStore(path: path)
        try await store.addResource(try Resource(identifier: "api://loyalty", name: "Loyalty", appRoles: ["read"]))
        try await store.addClient(try makeClient("committed"))
        try await store.grantRoles(clientID: "committed", resource: "api://loyalty", roles: ["read"])
        FileHandle.standardOutput.write(Data("COMMITTED\n".utf8))
        try await store.connection.run { database in
            try database.executeScript("BEGIN IMMEDIATE")
            try database.execute(
                """
                INSERT INTO clients (client_id, object_id, name, enabled, auth_methods, token_lifetime, allow_assertion_reuse,
                    certificate_bound_tokens, assertion_signing_alg, created_at, updated_at)
                VALUES ('uncommitted', 'x', 'Uncommitted', 1, 'private_key_jwt', 3600, 0, 0, NULL, 0, 0)
                """, [])
        }
        FileHandle.standardOutput.write(Data("HOLDING\n".utf8))
        try await Task.sleep(for: .seconds(120))
    }
}
