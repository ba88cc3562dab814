public import CoreFoundation
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files atomically with a chosen mode.
///
/// The content goes to a temporary file in the destination's directory, created with the final mode from the
/// start (`open(O_CREAT | O_EXCL, mode)`), so a private key is never readable by others, not even for an instant;
/// then it is flushed and moved into place. Without `overwrite`, the move is a `link(2)`, which fails if the
/// destination appeared in the meantime, so an existing file is never replaced by accident.
public enum SecureFileWriter {
    /// Mode for private keys and CA state: owner read/write only.
    public static let privateMode: mode_t = 0o600
    /// Mode for certificates and CRLs (public material); the process umask still applies.
    public static let publicMode: mode_t = 0o644

    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t, overwrite: Bool) throws(PKIError) {
        if !overwrite, fileExists(path) { throw PKIError.fileExists(path: path) }

        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\(name).tmp-\(UInt32.random(in: .min ... .max))"

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure(path: temporary, "create") }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return systemWrite(fd, base.advanced(by: written), buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                let error = failure(path: temporary, "write")
                close(fd)
                unlink(temporary)
                throw error
            }
            written += result
        }
        if fsync(fd) != 0 {
            let error = failure(path: temporary, "flush")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)

        if overwrite {
            guard rename(temporary, path) == 0 else {
                let error = failure(path: path, "replace")
                unlink(temporary)
                throw error
            }
        } else {
            guard link(temporary, path) == 0 else {
                let code = errno
                unlink(temporary)
                if code == EEXIST { throw PKIError.fileExists(path: path) }
                throw PKIError.fileSystem(path: path, operation: "create", reason: String(cString: strerror(code)))
            }
            unlink(temporary)
        }
    }

    public static func write(_ text: String, to path: String, mode: mode_t, overwrite: Bool) throws(PKIError) {
        try write(Array(text.utf8), to: path, mode: mode, overwrite: overwrite)
    }

    /// Refuses early, before anything is generated or recorded, when one of `paths` exists and `overwrite` is off.
    public static func checkWritable(_ paths: [String], overwrite: Bool) throws(PKIError) {
        guard !overwrite else { return }
        for path in paths where fileExists(path) {
            throw PKIError.fileExists(path: path)
        }
    }

    /// Creates `path` (and its parents) with mode 0700 when it does not exist.
    public static func createPrivateDirectory(_ path: String) throws(PKIError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw PKIError.fileSystem(path: path, operation: "use directory", reason: "it is a file")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw PKIError.fileSystem(path: path, operation: "create directory", reason: error.localizedDescription)
        }
    }

    static func fileExists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private static func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(fd, buffer, count)
        #elseif canImport(Musl)
        return Musl.write(fd, buffer, count)
        #else
        return Darwin.write(fd, buffer, count)
        #endif
    }

    private static func failure(path: String, _ operation: String) -> PKIError {
        PKIError.fileSystem(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}
