#if canImport(Glibc)
import Glibc
#endif
import CGPIO
import Posix

// The GPIO target's only file that calls Glibc. Everything else in the target
// goes through these thin shims, so the kernel boundary is one page long and
// the rest (chip search, line requests, rendering) is plain Swift that the
// tests drive with a fake device.

/// Thin shims over the libc calls the light outputs need.
enum GPIOSyscalls {
    /// C `EBUSY`: a line is already requested by another consumer.
    static let busy: Int32 = EBUSY
    /// C `EACCES` / `EPERM`: the process may not open the device.
    static let permissionCodes: Set<Int32> = [EACCES, EPERM]
    /// C `ENOENT` / `ENODEV` / `ENXIO`: the device file or chip is missing.
    static let missingCodes: Set<Int32> = [ENOENT, ENODEV, ENXIO]

    /// Opens `path` read-write, close-on-exec.
    static func openReadWrite(_ path: String) throws(Errno) -> CInt {
        try Errno.retryingOnInterrupt("open \(path)") { open(path, O_RDWR | O_CLOEXEC) }
    }

    /// Opens `path` for appending, creating it with mode 0644.
    static func openAppend(_ path: String) throws(Errno) -> CInt {
        try Errno.retryingOnInterrupt("open \(path)") {
            open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        }
    }

    static func close(_ fd: CInt) {
        // A close that fails with EINTR has still released the descriptor on
        // Linux; retrying could close a descriptor another thread just got.
        _ = Glibc.close(fd)
    }

    /// Runs one ioctl with a pointer argument, retrying `EINTR`.
    static func ioctl<T>(_ fd: CInt, _ request: UInt, _ name: String, _ value: inout T) throws(Errno) {
        try withUnsafeMutableBytes(of: &value) { (raw: UnsafeMutableRawBufferPointer) throws(Errno) in
            let base = raw.baseAddress!
            try Errno.retryingOnInterrupt(name) { Glibc.ioctl(fd, request, base) }
        }
    }

    /// Writes all of `bytes` with as few write(2) calls as the kernel allows;
    /// one call for the short lines written here.
    static func writeAll(_ fd: CInt, _ bytes: [UInt8], _ what: String) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            let result: Result<Int, Errno> = bytes.withUnsafeBytes { raw in
                Result { () throws(Errno) in
                    try Errno.retryingOnInterrupt("write \(what)") {
                        write(fd, raw.baseAddress! + offset, raw.count - offset)
                    }
                }
            }
            offset += try result.get()
        }
    }

    static func isTerminal(_ fd: CInt) -> Bool { isatty(fd) == 1 }

    /// The names in `directory` (without "." and ".."), or `Errno` if it
    /// cannot be read.
    static func listDirectory(_ directory: String) throws(Errno) -> [String] {
        guard let dir = opendir(directory) else { throw Errno.current("opendir \(directory)") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The request numbers, from the C header via the CGPIO helpers.
    static let chipInfoRequest = UInt(cgpio_get_chipinfo_ioctl())
    static let lineInfoRequest = UInt(cgpio_v2_get_lineinfo_ioctl())
    static let getLineRequest = UInt(cgpio_v2_get_line_ioctl())
    static let setValuesRequest = UInt(cgpio_v2_line_set_values_ioctl())
    static let getValuesRequest = UInt(cgpio_v2_line_get_values_ioctl())
    static let setConfigRequest = UInt(cgpio_v2_line_set_config_ioctl())
}
