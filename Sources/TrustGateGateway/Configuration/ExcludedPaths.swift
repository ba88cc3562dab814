import Foundation

/// Paths that pass without a client certificate, in App Service's notation: prefixes separated by `;` or
/// `,` (`"/public;/health"`), matched case-insensitively.
///
/// Matching is on path segments: `/public` excludes `/public` and `/public/x` but not `/publications`,
/// so an exclusion never leaks to a sibling path. The query string is not part of the path.
public struct ExcludedPaths: Sendable, Hashable {
    /// Normalised prefixes: lower-case, leading `/`, no trailing `/` (except the root itself).
    public let prefixes: [String]

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
        /// breaking a `switch` in code that uses TrustGate.
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            public let description: String

            public static let notAbsolute = Code(description: "notAbsolute")

            public static let containsQueryOrFragment = Code(description: "containsQueryOrFragment")
        }

        public let code: Code
        /// The complete text, safe to show and log (it is the `description`).
        public let message: String

        public var description: String { message }

        init(code: Code, message: String) {
            (self.code, self.message) = (code, message)
        }

        public static func notAbsolute(_ path: String) -> Self {
            Self(code: .notAbsolute, message: "excluded path '\(path)' must start with '/'")
        }

        public static func containsQueryOrFragment(_ path: String) -> Self {
            Self(code: .containsQueryOrFragment, message: "excluded path '\(path)' must not contain '?' or '#'")
        }
    }

    public init(parsing text: String) throws(ParseError) {
        var prefixes: [String] = []
        for rawItem in text.split(whereSeparator: { $0 == ";" || $0 == "," }) {
            let item = rawItem.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { continue }
            guard item.hasPrefix("/") else { throw .notAbsolute(item) }
            guard !item.contains("?"), !item.contains("#") else { throw .containsQueryOrFragment(item) }
            var normalised = item.lowercased()
            while normalised.count > 1, normalised.hasSuffix("/") { normalised.removeLast() }
            if !prefixes.contains(normalised) { prefixes.append(normalised) }
        }
        self.prefixes = prefixes
    }

    public static let none = ExcludedPaths(prefixes: [])

    private init(prefixes: [String]) {
        self.prefixes = prefixes
    }

    /// Whether `path` (the request target's path, without query) is excluded.
    public func contains(_ path: Substring) -> Bool {
        guard !prefixes.isEmpty else { return false }
        let lowered = path.lowercased()
        for prefix in prefixes {
            if prefix == "/" { return true }
            guard lowered.hasPrefix(prefix) else { continue }
            let rest = lowered.dropFirst(prefix.count)
            if rest.isEmpty || rest.first == "/" { return true }
        }
        return false
    }

    public func contains(_ path: String) -> Bool { contains(path[...]) }
}
