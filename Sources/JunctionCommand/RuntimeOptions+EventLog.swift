import Posix

extension RuntimeOptions {
    /// `--event-log FILE`, checked by opening it for appending now, so a bad
    /// path is refused before anything starts with a message that names it.
    static func eventLog(_ args: Arguments) throws -> String? {
        guard let path = args.value("event-log", environment: "JUNCTION_EVENT_LOG") else { return nil }
        do { _ = try AppendFile(path: path) } catch {
            throw CommandFailure(message: "cannot append to --event-log \(path): \(error.description); give a writable file path")
        }
        return path
    }
}
