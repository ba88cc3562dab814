import Foundation
import XCTest

/// The built `trustgate` executable, run as users run it. Output goes to files and the exit is awaited through
/// the termination handler, so no cooperative thread blocks while the in-process servers answer it.
enum TrustGateProcess {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String

        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
                throw XCTSkip("not a JSON object: \(stdout)")
            }
            return object
        }
    }

    /// Found as GatewayCommandTests finds it: next to the test bundle, or in .build/debug.
    static func binary() throws -> String {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        var candidates = [URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()]
        candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        candidates.append(packageRoot.appendingPathComponent(".build/debug"))
        for directory in candidates {
            let path = directory.appendingPathComponent("trustgate").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        XCTFail("the trustgate executable was not found; build it with `swift build`")
        throw XCTSkip("trustgate executable not built")
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil, in directory: String) async throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = arguments
        var base = ProcessInfo.processInfo.environment
        base["TRUSTGATE_STORE"] = nil
        base["TRUSTGATE_STORE_KEY"] = nil
        process.environment = base.merging(environment) { $1 }
        let id = UUID().uuidString
        let outPath = directory + "/\(id).out"
        let errPath = directory + "/\(id).err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let inPath = directory + "/\(id).in"
            _ = FileManager.default.createFile(atPath: inPath, contents: Data(stdin.utf8))
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try out.close()
        try err.close()
        let stdout = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        return Run(status: status, stdout: stdout, stderr: stderr)
    }
}
