import Synchronization

/// Carries SIGHUP to the coordinator runtime, which exists only after the
/// signal watcher was created (it must come first, before any thread).
final class ReloadBox: Sendable {
    private let action = Mutex<(@Sendable () -> Void)?>(nil)

    func set(_ body: @escaping @Sendable () -> Void) { action.withLock { $0 = body } }
    func fire() { action.withLock { $0 }?() }
}
