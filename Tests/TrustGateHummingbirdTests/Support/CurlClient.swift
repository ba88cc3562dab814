import Foundation
import XCTest

/// curl, run as a process: the TLS client that can present a certificate and speak HTTP/2 (ALPN), and
/// reports which HTTP version it really used.
struct CurlClient {
    struct Response {
        let status: Int
        /// `1.1` or `2`, as curl's `%{http_version}` says.
        let httpVersion: String
        /// Lower-cased names, in order.
        let headers: [(name: String, value: String)]
        let body: Data

        func values(_ name: String) -> [String] { headers.filter { $0.name == name }.map(\.value) }
        var bodyText: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            try XCTUnwrap(JSONSerialization.jsonObject(with: body) as? [String: Any], "body is not a JSON object: \(bodyText)")
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case exited(Int32, String)
        case unreadable(String)
        var description: String {
            switch self {
            case .exited(let code, let stderr): "curl exited with \(code): \(stderr)"
            case .unreadable(let output): "unexpected curl output: \(output)"
            }
        }
    }

    static let path = ["/usr/bin/curl", "/usr/local/bin/curl", "/opt/homebrew/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func requireCurl() throws -> String {
        guard let path else { throw XCTSkip("curl is not installed: TLS client tests skipped") }
        return path
    }

    enum Version { case http1, http2 }

    var caFile: String?
    var certificateFile: String?
    var keyFile: String?
    var version: Version = .http1

    /// Runs one request. A TLS failure (curl exit code != 0) throws ``Failure/exited``.
    func request(_ url: String, method: String = "GET", headers: [String] = [], body: String? = nil) async throws -> Response {
        let curl = try Self.requireCurl()
        let scratch = NSTemporaryDirectory() + "curl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var arguments = ["-sS", "--max-time", "30", "-o", scratch + "/body", "-D", scratch + "/headers", "-w", "%{http_code} %{http_version}", "-X", method]
        switch version {
        case .http1: arguments.append("--http1.1")
        case .http2: arguments.append("--http2")
        }
        if let caFile { arguments += ["--cacert", caFile] }
        if let certificateFile { arguments += ["--cert", certificateFile] }
        if let keyFile { arguments += ["--key", keyFile] }
        for header in headers { arguments += ["-H", header] }
        if let body { arguments += ["--data-binary", body] }
        arguments.append(url)

        let (code, stdout, stderr) = try await Self.run(curl, arguments)
        guard code == 0 else { throw Failure.exited(code, stderr) }
        let parts = stdout.split(separator: " ")
        guard parts.count == 2, let status = Int(parts[0]) else { throw Failure.unreadable(stdout) }
        let headerText = (try? String(contentsOfFile: scratch + "/headers", encoding: .utf8)) ?? ""
        var headers: [(String, String)] = []
        for line in headerText.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let body = FileManager.default.contents(atPath: scratch + "/body") ?? Data()
        return Response(status: status, httpVersion: String(parts[1]), headers: headers, body: body)
    }

    /// Waits for the process without blocking a thread of the cooperative pool (the server under test runs
    /// its handlers there).
    static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                continuation.resume(returning: (process.terminationStatus, stdout, stderr))
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
