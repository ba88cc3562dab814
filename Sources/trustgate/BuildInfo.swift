/// What this binary is: its version, the commit it was built from, when, and with which Swift.
///
/// A plain `swift build` needs neither git nor a script, so it compiles the defaults below (commit and date
/// "unknown"). `scripts/package.sh` stamps release builds instead: it writes `Generated/BuildStamp.swift`
/// (git-ignored) from the VERSION file, `git rev-parse HEAD`, the commit's date and `swift --version`, and builds
/// with `-Xswiftc -DTRUSTGATE_BUILD_STAMP`, so the same commit always yields the same values.
enum BuildInfo {
    /// The version a source build reports: VERSION's content with "-dev" (package.sh refuses to run when the two
    /// disagree, so bumping VERSION alone is caught).
    static let unstampedVersion = "0.1.0-dev"

    #if TRUSTGATE_BUILD_STAMP
    static let version = BuildStamp.version
    static let commit = BuildStamp.commit
    static let buildDate = BuildStamp.buildDate
    static let swiftVersion = BuildStamp.swiftVersion
    #else
    static let version = unstampedVersion
    static let commit = "unknown"
    static let buildDate = "unknown"
    static let swiftVersion = compilerVersion
    #endif

    /// The compiler's version as far as `#if compiler` can tell (a stamped build records `swift --version`).
    static var compilerVersion: String {
        #if compiler(>=6.4)
        return "6.4 or later"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #else
        return "6.1"
        #endif
    }

    /// The commit shortened to 12 hex digits for the start-up line, keeping a "-dirty" suffix.
    static var shortCommit: String {
        let hash = commit.prefix { $0.isHexDigit }
        return hash.count == 40 ? String(hash.prefix(12)) + commit.dropFirst(40) : commit
    }

    /// `trustgate version` and `trustgate --version`: one `key: value` per line, easy to grep and to paste into a bug report.
    static var description: String {
        """
        trustgate \(version)
        commit: \(commit)
        built: \(buildDate)
        swift: \(swiftVersion)
        """
    }
}
