/// Reads a file of this repository (tests run from the package root, but
/// `#filePath` makes them independent of the working directory).
func readRepositoryFile(_ relativePath: String, from file: String = #filePath) throws -> String {
    var parts = file.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3) // Tests/JunctionCoreTests/<file>.swift
    let path = parts.joined(separator: "/") + "/" + relativePath
    guard let handle = fopenRead(path) else { throw MissingFile(path: path) }
    return handle
}

struct MissingFile: Error { var path: String }

#if canImport(Glibc)
import Glibc
private func fopenRead(_ path: String) -> String? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n == 0 { break }
        bytes += buffer[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
#endif
