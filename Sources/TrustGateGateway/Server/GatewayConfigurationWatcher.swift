import Dispatch
import Foundation
import NIOConcurrencyHelpers

/// Hot reload: on SIGHUP, and whenever a file the configuration read changes (the YAML, certificates,
/// keys, CA bundles, CRLs), the configuration is loaded again and handed to the server. An invalid new
/// configuration is refused with a log line and the running one keeps serving.
public final class GatewayConfigurationWatcher: Sendable {
    public typealias Loader = @Sendable () throws -> GatewayConfiguration
    public typealias Log = @Sendable (String) -> Void

    private let server: GatewayServer
    private let load: Loader
    private let log: Log
    private let queue = DispatchQueue(label: "trustgate.reload")
    private let state = NIOLockedValueBox(State())

    private struct State: @unchecked Sendable {  // DispatchSource objects, only touched under the lock
        var fingerprint: [String: FileFingerprint] = [:]
        var timer: (any DispatchSourceTimer)?
        var signal: (any DispatchSourceSignal)?
    }

    public init(server: GatewayServer, load: @escaping Loader, log: @escaping Log) {
        self.server = server
        self.load = load
        self.log = log
    }

    /// Starts polling (when the configuration asks for it) and listening for SIGHUP.
    public func start(handleSIGHUP: Bool = true) {
        let configuration = server.configuration
        state.withLockedValue { $0.fingerprint = Self.fingerprint(configuration.sourceFiles) }
        if configuration.reload.watchFiles {
            let timer = DispatchSource.makeTimerSource(queue: queue)
            let interval = max(0.1, configuration.reload.pollInterval)
            timer.schedule(deadline: .now() + interval, repeating: interval)
            timer.setEventHandler { [weak self] in self?.checkFiles() }
            timer.resume()
            state.withLockedValue { $0.timer = timer }
        }
        if handleSIGHUP {
            signal(SIGHUP, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
            source.setEventHandler { [weak self] in
                self?.log("SIGHUP received: reloading the configuration")
                _ = self?.reloadNow()
            }
            source.resume()
            state.withLockedValue { $0.signal = source }
        }
    }

    public func stop() {
        state.withLockedValue {
            $0.timer?.cancel()
            $0.signal?.cancel()
            $0.timer = nil
            $0.signal = nil
        }
    }

    /// Loads and applies the configuration now; returns whether the new one is in force.
    @discardableResult
    public func reloadNow() -> Bool {
        do {
            let configuration: GatewayConfiguration
            do {
                configuration = try load()
            } catch {
                // Refused before the server saw it: counted here (the server counts its own refusals).
                server.recordRefusedReload(error)
                throw error
            }
            let notes = try server.reload(configuration)
            state.withLockedValue { $0.fingerprint = Self.fingerprint(configuration.sourceFiles) }
            log("configuration reloaded: new connections use it; requests on open connections are judged by the new policies")
            for note in notes { log("note: \(note)") }
            return true
        } catch {
            // Remember the broken files' state so the same error is not logged on every poll.
            let files = server.configuration.sourceFiles
            state.withLockedValue { $0.fingerprint = Self.fingerprint(files) }
            log("configuration reload refused, the running configuration stays in force: \(error)")
            return false
        }
    }

    private func checkFiles() {
        let (previous, files) = state.withLockedValue { ($0.fingerprint, Array($0.fingerprint.keys)) }
        let current = Self.fingerprint(files.isEmpty ? server.configuration.sourceFiles : files)
        guard current != previous else { return }
        log("configuration files changed: reloading")
        reloadNow()
    }

    struct FileFingerprint: Equatable, Sendable {
        let exists: Bool
        /// The path with every symbolic link resolved.
        let target: String
        let modified: Date?
        let size: UInt64
        let inode: UInt64
        /// For a directory: the names and fingerprints of its entries.
        let entries: [String]
    }

    /// `path` with every symbolic link resolved (`realpath`); `path` itself when it cannot be (it is missing).
    static func resolvingSymlinks(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func fingerprint(_ paths: [String]) -> [String: FileFingerprint] {
        var result: [String: FileFingerprint] = [:]
        for path in paths {
            result[path] = fingerprint(path)
        }
        return result
    }

    /// Symbolic links are followed to the file they finally name, and that file's path is part of the
    /// fingerprint: Kubernetes mounts Secrets and ConfigMaps as `name -> ..data/name` with `..data` a symlink
    /// swapped atomically to a new directory, so the link `name` itself never changes (FileManager's attributes
    /// describe a link, not its target: a swapped CRL went unnoticed until SIGHUP).
    ///
    /// `stat(2)` rather than FileManager's attributes, which also look up the owner's and group's names: that
    /// read /etc/passwd and /etc/group for every watched file on every poll.
    private static func fingerprint(_ path: String) -> FileFingerprint {
        let target = resolvingSymlinks(path)
        guard let facts = FileFacts(target) else {
            return FileFingerprint(exists: false, target: target, modified: nil, size: 0, inode: 0, entries: [])
        }
        var entries: [String] = []
        if facts.isDirectory {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []).sorted()
            for name in names {
                let childTarget = resolvingSymlinks(target + "/" + name)
                let child = FileFacts(childTarget)
                entries.append("\(name):\(childTarget):\(child?.inode ?? 0):\(child?.modified.timeIntervalSince1970 ?? 0):\(child?.size ?? 0)")
            }
        }
        return FileFingerprint(exists: true, target: target, modified: facts.modified, size: facts.size, inode: facts.inode, entries: entries)
    }

    /// What `stat(2)` says of a path (symbolic links followed).
    private struct FileFacts {
        let isDirectory: Bool
        let modified: Date
        let size: UInt64
        let inode: UInt64

        init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
            modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
            size = UInt64(max(0, info.st_size))
            inode = UInt64(info.st_ino)
        }
    }
}
