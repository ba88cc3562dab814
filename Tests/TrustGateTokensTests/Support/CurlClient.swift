import Foundation
import XCTest

/// curl as a separate process: a real TLS client that presents certificates, speaks HTTP/1.1 or HTTP/2, and can
/// be held to a TLS version range.
struct CurlClient {
    struct Response {
        let status: Int
        let httpVersion: String
        /// Lower-cased names, in order.
        let headers: [(name: String, value: String)]
        let body: Data

        func value(_ name: String) -> String? { headers.first { $0.name == name }?.value }
        var bodyText: String { String(decoding: body, as: UTF8.self) }
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

    static let path = ["/usr/bin/curl", "/usr/local/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func requireCurl() throws -> String {
        guard let path else { throw XCTSkip("curl is not installed: HTTPS tests skipped") }
        return path
    }

    var caFile: String?
    var certificateFile: String?
    var keyFile: String?
    var http2 = false
    /// e.g. ["--tlsv1.2", "--tls-max", "1.2"]
    var tlsOptions: [String] = []

    func request(_ url: String, method: String = "GET", headers: [String] = [], body: String? = nil) async throws -> Response {
        let curl = try Self.requireCurl()
        let scratch = NSTemporaryDirectory() + "curl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var arguments = ["-sS", "--max-time", "30", "-o", scratch + "/body", "-D", scratch + "/headers", "-w", "%{http_code} %{http_version}", "-X", method]
        arguments.append(http2 ? "--http2" : "--http1.1")
        arguments += tlsOptions
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
        return Response(
            status: status, httpVersion: String(parts[1]), headers: headers, body: FileManager.default.contents(atPath: scratch + "/body") ?? Data())
    }

    /// Waits for the process without blocking a thread of the cooperative pool (the server under test uses it).
    static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // The machine's CURL_CA_BUNDLE must not override --cacert.
        var environment = ProcessInfo.processInfo.environment
        environment["CURL_CA_BUNDLE"] = nil
        process.environment = environment
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
