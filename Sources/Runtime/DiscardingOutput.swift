import GPIO
import JunctionCore
import Synchronization

/// A head that shows nothing (`--output none`): for agents whose light is
/// observed through `/status` only, such as the live simulator's.
public final class DiscardingOutput: LightOutput {
    public let head: String
    private let closed = Mutex(false)

    public init(head: String) { self.head = head }

    public func show(_ aspect: Aspect, at time: TimebaseInstant) throws(LightOutputError) {}

    public func close() { closed.withLock { $0 = true } }
}
