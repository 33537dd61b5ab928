#if canImport(Glibc)
import Glibc
#endif

extension FileIO {
    /// Writes `bytes` to `path`, replacing it, with permissions `mode`
    /// (0o600 for keys).
    public static func write(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o644) throws(Errno) {
        let fd = try Errno.retryingOnInterrupt("open \(path)") { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        defer { close(fd) }
        try writeAll(fd, bytes)
    }

    /// A new private directory such as `/tmp/junction-Ab12Cd`.
    public static func makeTemporaryDirectory(prefix: String = "junction") throws(Errno) -> String {
        let base = environment("TMPDIR") ?? "/tmp"
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw Errno.current("mkdtemp \(base)") }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Removes a file or an empty directory; missing is fine.
    public static func remove(_ path: String) {
        if unlink(path) != 0 { _ = rmdir(path) }
    }

    /// The names in a directory (without `.` and `..`), for cleaning up.
    public static func directoryEntries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// A file's modification time and size, to notice that a plan changed
    /// (a ConfigMap update replaces the file); nil when it cannot be read.
    public static func modification(_ path: String) -> FileModification? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileModification(
            modifiedNanos: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            byteCount: Int64(info.st_size), inode: UInt64(info.st_ino))
    }
}

/// What identifies a version of a file cheaply: when it changed, its size
/// and inode (a ConfigMap swaps a symlink, so the inode changes too).
public struct FileModification: Sendable, Hashable {
    public var modifiedNanos: Int64
    public var byteCount: Int64
    public var inode: UInt64
}
