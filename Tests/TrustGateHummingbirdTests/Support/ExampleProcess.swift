import Foundation
import XCTest

/// The built `LoyaltyAPI` executable, run as a child process until the test is done with it.
final class ExampleProcess: @unchecked Sendable {
    let process = Process()
    let url: String
    private let stderrPipe = Pipe()
    private let stderrBuffer = ByteAccumulator()

    /// The executable next to the test bundle (`.build/<config>/LoyaltyAPI`), or nil when it was not built.
    static func executable(named name: String) -> String? {
        let bundleDirectory = Bundle.main.bundleURL
        var candidates = [bundleDirectory, bundleDirectory.deletingLastPathComponent()]
            .map { $0.appendingPathComponent(name).path }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(repository.appendingPathComponent(".build/debug/\(name)").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts `executable` and waits for its "… listening on <url>" line on stdout.
    init(executable: String, arguments: [String]) async throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = stderrPipe
        // Drained continuously: a full pipe would block the server's logging.
        let stderrBuffer = self.stderrBuffer
        stderrPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil } else { stderrBuffer.append(data) }
        }
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        let buffer = LineBuffer()
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                continuation.finish()
                return
            }
            for line in buffer.append(data) { continuation.yield(line) }
        }
        try process.run()
        var found: String?
        for await line in lines {
            if let range = line.range(of: "listening on ") {
                found = String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
                break
            }
        }
        guard let found else {
            throw Failure.didNotStart(String(decoding: stderrBuffer.contents, as: UTF8.self))
        }
        url = found
    }

    enum Failure: Error { case didNotStart(String) }

    /// What the process wrote to stderr so far (its log).
    var errors: String { String(decoding: stderrBuffer.contents, as: UTF8.self) }

    /// SIGTERM (a graceful shutdown), then waits for the exit.
    func stop() async {
        guard process.isRunning else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = ResumeOnce(continuation)
            process.terminationHandler = { _ in once.resume() }
            if process.isRunning { process.terminate() } else { once.resume() }
        }
    }

    private final class ResumeOnce: @unchecked Sendable {
        private var continuation: CheckedContinuation<Void, Never>?
        private let lock = NSLock()
        init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }
        func resume() {
            lock.lock()
            let pending = continuation
            continuation = nil
            lock.unlock()
            pending?.resume()
        }
    }

    private final class ByteAccumulator: @unchecked Sendable {
        private var data = Data()
        private let lock = NSLock()
        func append(_ more: Data) { lock.lock(); data.append(more); lock.unlock() }
        var contents: Data { lock.lock(); defer { lock.unlock() }; return data }
    }

    private final class LineBuffer: @unchecked Sendable {
        private var pending = Data()
        private let lock = NSLock()

        func append(_ data: Data) -> [String] {
            lock.lock()
            defer { lock.unlock() }
            pending.append(data)
            var lines: [String] = []
            while let newline = pending.firstIndex(of: 0x0A) {
                lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
            return lines
        }
    }
}
