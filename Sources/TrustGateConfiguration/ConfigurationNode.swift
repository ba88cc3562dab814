public import Foundation
import Yams

/// A YAML node that knows where it came from, so every error names file, line and key path.
///
/// Configuration is read through this once, into typed values; unknown keys are errors (a misspelt
/// `revocaton:` must not silently disable revocation).
public struct ConfigurationNode {
    public let file: String
    public let keyPath: String
    let node: Node

    /// Parses `text`; an empty document is an empty mapping.
    public static func parse(_ text: String, file: String) throws -> ConfigurationNode {
        do {
            let node = try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
            return ConfigurationNode(file: file, keyPath: "", node: node)
        } catch let error as YamlError {
            throw ConfigurationError(file: file, line: Self.line(of: error), keyPath: "", problem: "invalid YAML: \(Self.problem(of: error))")
        } catch {
            throw ConfigurationError(file: file, line: nil, keyPath: "", problem: "invalid YAML: \(error)")
        }
    }

    public static func load(contentsOfFile path: String) throws -> ConfigurationNode {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, line: nil, keyPath: "", problem: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, line: nil, keyPath: "", problem: "the file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    public var line: Int? { node.mark?.line }

    public func error(_ problem: String) -> ConfigurationError {
        ConfigurationError(file: file, line: line, keyPath: keyPath, problem: problem)
    }

    // MARK: Mappings

    /// The mapping's entries, refusing keys outside `allowedKeys`.
    public func mapping(allowedKeys: Set<String>) throws -> ConfigurationMapping {
        guard case .mapping(let mapping) = node else {
            throw error("expected a mapping (key: value pairs), found \(kind)")
        }
        var entries: [String: ConfigurationNode] = [:]
        var order: [String] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else {
                throw ConfigurationError(file: file, line: keyNode.mark?.line, keyPath: keyPath, problem: "keys must be strings")
            }
            let path = keyPath.isEmpty ? key : "\(keyPath).\(key)"
            guard allowedKeys.contains(key) else {
                let known = allowedKeys.sorted().joined(separator: ", ")
                throw ConfigurationError(file: file, line: keyNode.mark?.line, keyPath: path, problem: "unknown key (expected one of: \(known))")
            }
            guard entries[key] == nil else {
                throw ConfigurationError(file: file, line: keyNode.mark?.line, keyPath: path, problem: "duplicate key")
            }
            entries[key] = ConfigurationNode(file: file, keyPath: path, node: valueNode)
            order.append(key)
        }
        return ConfigurationMapping(owner: self, entries: entries, order: order)
    }

    /// A mapping whose keys are names the user chooses (`upstreams: { app: …, billing: … }`), in file order.
    public func mappingWithAnyKeys() throws -> ConfigurationMapping {
        guard case .mapping(let mapping) = node else {
            throw error("expected a mapping (key: value pairs), found \(kind)")
        }
        var keys: Set<String> = []
        for (keyNode, _) in mapping {
            guard let key = keyNode.string else {
                throw ConfigurationError(file: file, line: keyNode.mark?.line, keyPath: keyPath, problem: "keys must be strings")
            }
            keys.insert(key)
        }
        return try self.mapping(allowedKeys: keys)
    }

    // MARK: Scalars

    public var isNull: Bool {
        if case .scalar(let scalar) = node { return scalar.tag == .implicit && ["", "~", "null", "Null", "NULL"].contains(scalar.string) && scalar.style == .plain }
        return false
    }

    public func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a string, found \(kind)") }
        return scalar.string
    }

    public func nonEmptyString() throws -> String {
        let value = try string().trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { throw error("must not be empty") }
        return value
    }

    public func bool() throws -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false")
        }
    }

    public func integer(in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(try string().trimmingCharacters(in: .whitespaces)) else { throw error("expected an integer") }
        guard range.contains(value) else { throw error("must be between \(range.lowerBound) and \(range.upperBound)") }
        return value
    }

    /// A duration: a number of seconds, or a number with a unit `ms`, `s`, `m`, `h`, `d` (`90s`, `5m`).
    public func duration(max: TimeInterval = 365 * 86_400) throws -> TimeInterval {
        let text = try string().trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        var seconds: Double?
        if let plain = Double(text) {
            seconds = plain
        } else {
            for (suffix, factor) in units where text.hasSuffix(suffix) {
                if let number = Double(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)) {
                    seconds = number * factor
                    break
                }
            }
        }
        guard let seconds, seconds.isFinite else { throw error("expected a duration such as 60, 60s, 5m, 1h") }
        guard seconds >= 0, seconds <= max else { throw error("must be between 0 and \(Int(max)) seconds") }
        return seconds
    }

    public func oneOf<Value: RawRepresentable & CaseIterable>(_ type: Value.Type) throws -> Value where Value.RawValue == String {
        let text = try string().trimmingCharacters(in: .whitespaces).lowercased()
        if let value = Value(rawValue: text) { return value }
        let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
        throw error("expected one of: \(allowed)")
    }

    // MARK: Sequences

    /// A sequence's elements; a single scalar counts as a one-element list (YAML users write both).
    public func list() throws -> [ConfigurationNode] {
        switch node {
        case .sequence(let sequence):
            return sequence.enumerated().map { ConfigurationNode(file: file, keyPath: "\(keyPath)[\($0.offset)]", node: $0.element) }
        case .scalar:
            return isNull ? [] : [self]
        default:
            throw error("expected a list, found \(kind)")
        }
    }

    /// Resolves a path written in this file relative to the file's directory.
    public func path() throws -> String {
        let value = try nonEmptyString()
        if value.hasPrefix("/") { return value }
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        return base.appendingPathComponent(value).standardizedFileURL.path
    }

    private var kind: String {
        switch node {
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        case .reader(let problem, _, _, _): return problem
        default: return String(describing: error)
        }
    }
}

/// The entries of a YAML mapping, read by key.
public struct ConfigurationMapping {
    public let owner: ConfigurationNode
    let entries: [String: ConfigurationNode]
    public let order: [String]

    public subscript(key: String) -> ConfigurationNode? {
        guard let node = entries[key], !node.isNull else { return nil }
        return node
    }

    public func required(_ key: String) throws -> ConfigurationNode {
        guard let node = self[key] else {
            let path = owner.keyPath.isEmpty ? key : "\(owner.keyPath).\(key)"
            throw ConfigurationError(file: owner.file, line: owner.line, keyPath: path, problem: "is required")
        }
        return node
    }
}
