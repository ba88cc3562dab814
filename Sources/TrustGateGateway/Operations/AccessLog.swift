import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON-lines access log. ``write(_:)`` runs on event loops and only appends the entry to a bounded buffer;
/// a serial dispatch queue encodes and writes whatever has accumulated in one `write(2)`. When the disk (or
/// the pipe behind stdout) is slower than the traffic, the buffer fills and further lines are dropped and
/// counted: the data path never waits on logging.
public final class AccessLog: Sendable {
    public static let defaultBufferCapacity = 8192

    private struct Pending {
        var entries: [AccessLogEntry] = []
        var drainScheduled = false
        var dropped = 0
    }

    /// nil: logging disabled.
    private let fileDescriptor: Int32?
    private let ownsFileDescriptor: Bool
    private let bufferCapacity: Int
    private let pending = Mutex(Pending())
    /// Serial: drains run one at a time, in order.
    private let queue: DispatchQueue

    public convenience init(destination: AccessLogConfiguration.Destination) throws {
        try self.init(destination: destination, bufferCapacity: Self.defaultBufferCapacity)
    }

    /// `bufferCapacity`: entries waiting for the writer before new ones are dropped. `queue` must be serial
    /// (tests pass one they can suspend to play a stalled disk).
    init(
        destination: AccessLogConfiguration.Destination, bufferCapacity: Int,
        queue: DispatchQueue = DispatchQueue(label: "trustgate.access-log", qos: .utility)
    ) throws {
        self.bufferCapacity = max(1, bufferCapacity)
        self.queue = queue
        switch destination {
        case .disabled:
            fileDescriptor = nil
            ownsFileDescriptor = false
        case .standardOutput:
            fileDescriptor = STDOUT_FILENO
            ownsFileDescriptor = false
        case .file(let path):
            // O_APPEND: every write lands at the end even when logrotate's copytruncate or another writer moved it.
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard descriptor >= 0 else {
                throw AccessLogError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
            fileDescriptor = descriptor
            ownsFileDescriptor = true
        }
    }

    deinit {
        // Queued drains hold `self`, so by now everything has been written.
        if ownsFileDescriptor, let fileDescriptor { close(fileDescriptor) }
    }

    public var isEnabled: Bool { fileDescriptor != nil }

    /// Lines dropped because the buffer was full or the destination refused them.
    public var droppedLines: Int {
        pending.withLock { $0.dropped }
    }

    public func write(_ entry: AccessLogEntry) {
        guard fileDescriptor != nil else { return }
        let mustSchedule = pending.withLock { pending -> Bool in
            guard pending.entries.count < bufferCapacity else {
                pending.dropped += 1
                return false
            }
            pending.entries.append(entry)
            guard !pending.drainScheduled else { return false }
            pending.drainScheduled = true
            return true
        }
        if mustSchedule {
            queue.async { self.drain() }
        }
    }

    /// Returns when every entry written before the call is on its way to the kernel.
    public func flush() {
        guard fileDescriptor != nil else { return }
        // A drain is scheduled whenever entries are pending; it runs before this empty block on the serial queue.
        queue.sync {}
    }

    /// Runs on `queue` only.
    private func drain() {
        guard let fileDescriptor else { return }
        let batch = pending.withLock { pending -> [AccessLogEntry] in
            pending.drainScheduled = false
            defer { pending.entries.removeAll(keepingCapacity: true) }
            return pending.entries
        }
        guard !batch.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(batch.count * 320)
        for entry in batch {
            entry.appendJSONLine(to: &bytes)
        }
        if !Self.writeAll(bytes, to: fileDescriptor) {
            // The lines may be partly written; count the batch, there is nobody to report to on the hot path.
            pending.withLock { $0.dropped += batch.count }
        }
    }

    private static func writeAll(_ bytes: [UInt8], to fileDescriptor: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard var next = buffer.baseAddress else { return true }
            var remaining = buffer.count
            while remaining > 0 {
                let written = systemWrite(fileDescriptor, next, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                remaining -= written
                next += written
            }
            return true
        }
    }
}

/// `write(2)`, named apart from ``AccessLog/write(_:)`` which would shadow it inside the class.
private func systemWrite(_ fileDescriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fileDescriptor, bytes, count)
}
