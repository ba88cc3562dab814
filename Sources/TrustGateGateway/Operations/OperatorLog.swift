public import Foundation
public import Logging

/// The operator log's two formats on stderr, as swift-log handlers: what `trustgate serve` bootstraps from
/// `log:` (and `--log-level`). Events carry their facts as metadata (`peer`, `sni`, `route`, `upstream`,
/// `reason` …), never secrets: no keys, passwords, tokens or certificate bodies.
public enum OperatorLog {
    /// swift-log's levels, by name.
    public static let levels = Logger.Level.allCases.map(\.rawValue)

    /// A handler factory for `LoggingSystem.bootstrap`.
    public static func handlerFactory(format: OperatorLogConfiguration.Format, level: Logger.Level) -> @Sendable (String) -> any LogHandler {
        { label in
            var handler = OperatorLogHandler(label: label, format: format, write: OperatorLogHandler.standardError)
            handler.logLevel = level
            return handler
        }
    }
}

/// Writes each event as one line: `text` (`trustgate: message key=value …`, the level named unless it is
/// info) or `json` (`{"time":…,"level":…,"message":…,"key":"value",…}`). Lines are written whole with one
/// `write(2)`, so concurrent events never interleave.
public struct OperatorLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public let label: String
    public let format: OperatorLogConfiguration.Format
    private let write: @Sendable (String) -> Void

    public init(label: String, format: OperatorLogConfiguration.Format, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.format = format
        self.write = write
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        write(Self.line(level: event.level, message: "\(event.message)", metadata: merged, format: format, time: Date()))
    }

    /// One formatted line, newline included.
    public static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, format: OperatorLogConfiguration.Format, time: Date) -> String {
        let keys = metadata.keys.sorted()
        switch format {
        case .text:
            var line = "trustgate: "
            if level != .info { line += "\(level.rawValue): " }
            line += message
            for key in keys { line += " \(key)=\(textValue(metadata[key]!))" }
            return line + "\n"
        case .json:
            var line = "{\"time\":" + quoted(timestamp(time)) + ",\"level\":" + quoted(level.rawValue) + ",\"message\":" + quoted(message)
            for key in keys where !["time", "level", "message"].contains(key) {
                line += "," + quoted(key) + ":" + quoted(textValue(metadata[key]!))
            }
            return line + "}\n"
        }
    }

    private static func textValue(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(textValue).joined(separator: ",")
        case .dictionary(let values): values.keys.sorted().map { "\($0):\(textValue(values[$0]!))" }.joined(separator: ",")
        }
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// A JSON string: quotes, backslashes and control characters escaped (a peer-controlled value such as an
    /// SNI name can never break the line or forge a field).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case let control where control.value < 0x20 || control.value == 0x7F:
                result += String(format: "\\u%04x", control.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
