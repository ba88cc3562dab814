import ArgumentParser
import Foundation
import TrustGateStore

/// Runs a store command body and turns failures into TrustGate's exit codes: bad values given on the command
/// line exit 2, everything else (unknown client, duplicate, store key problems, storage) exits 1.
enum StoreCommand {
    static func run<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let failure as CommandFailure {
            throw failure
        } catch let error as RegistrationStoreError {
            // An invalid value's message is the value's own description.
            if error.code == .invalidValue { throw CommandFailure.input(error.description) }
            throw CommandFailure.failed(error.description)
        } catch let error as InvalidRegistrationValue {
            throw CommandFailure.input(error.description)
        } catch let error as KeyEncryptionKeyError {
            throw CommandFailure.failed(error.description)
        } catch let error as ClientSecretGenerationError {
            throw CommandFailure.failed(error.description)
        } catch {
            throw CommandFailure.failed("\(error)")
        }
    }

    /// Pretty, key-sorted JSON with ISO 8601 dates, on stdout.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            print(String(decoding: try encoder.encode(value), as: UTF8.self))
        } catch {
            throw CommandFailure.failed("cannot encode JSON: \(error)")
        }
    }

    /// `name   value` lines, names padded to one column.
    static func printFields(_ fields: [(String, String)], indent: String = "") {
        let width = (fields.map(\.0.count).max() ?? 0) + 2
        for (name, value) in fields {
            print(indent + name + String(repeating: " ", count: max(1, width - name.count)) + value)
        }
    }

    static func format(_ date: Date?) -> String {
        guard let date else { return "-" }
        return date.formatted(.iso8601)
    }

    /// The bytes of a file the user named, or an input error (exit 2) saying why not.
    static func readFile(_ path: String, option: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandFailure.input("\(option): \(path) does not exist")
        }
        guard !isDirectory.boolValue else { throw CommandFailure.input("\(option): \(path) is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure.input("\(option): cannot read \(path) (permission denied?)")
        }
        return Array(data)
    }
}

/// A duration on the command line: seconds (`3600`), or a number with a unit `s`, `m`, `h`, `d` (`90d`, `1h`).
struct DurationArgument: ExpressibleByArgument, Sendable {
    let seconds: Int

    init(seconds: Int) {
        self.seconds = seconds
    }

    init?(argument: String) {
        let units: [(Character, Int)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        var text = Substring(argument.trimmingCharacters(in: .whitespaces).lowercased())
        var factor = 1
        if let last = text.last, let unit = units.first(where: { $0.0 == last }) {
            factor = unit.1
            text = text.dropLast()
        }
        guard let value = Int(text), value >= 0, value <= Int(Int32.max) / factor else { return nil }
        seconds = value * factor
    }

    var timeInterval: TimeInterval { TimeInterval(seconds) }

    static var defaultCompletionKind: CompletionKind { .default }

    /// As it is written on the command line (`1h`, `90d`, `45s`): what `--help` shows as the default.
    var defaultValueDescription: String {
        for (unit, factor) in [("d", 86_400), ("h", 3600), ("m", 60)] where seconds > 0 && seconds % factor == 0 {
            return "\(seconds / factor)\(unit)"
        }
        return "\(seconds)s"
    }
}
