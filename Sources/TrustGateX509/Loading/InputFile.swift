import Foundation

/// Reads certificate, key and bundle files with a size limit, reporting failures as `CertificateLoadingError`.
enum InputFile {
    /// Far above any certificate chain, key or PFX; keeps `/dev/zero` or a mistyped path to a disk image
    /// from exhausting memory.
    static let sizeLimit = 16 * 1024 * 1024

    static func read(_ path: String) throws(CertificateLoadingError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileNotFound(path: path)
        }
        guard !isDirectory.boolValue else {
            throw .fileNotReadable(path: path, reason: "it is a directory")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .fileNotReadable(path: path, reason: "permission denied or not a regular file")
        }
        defer { try? handle.close() }
        let data: Data?
        do {
            data = try handle.read(upToCount: sizeLimit + 1)
        } catch {
            throw .fileNotReadable(path: path, reason: error.localizedDescription)
        }
        let bytes = data.map { [UInt8]($0) } ?? []
        guard bytes.count <= sizeLimit else {
            throw .fileTooLarge(path: path, byteCount: bytes.count, limit: sizeLimit)
        }
        return bytes
    }
}
