import Dispatch
import Synchronization
import Testing
@testable import Posix

@Test func threadsCarryTheirNameCutToFifteenBytes() throws {
    let seen = Mutex<[String]>([])
    let short = try OSThread(name: "junction-http") { seen.withLock { $0.append(OSThread.currentThreadName()) } }
    short.join()
    let long = try OSThread(name: "junction-timing-thread") { seen.withLock { $0.append(OSThread.currentThreadName()) } }
    long.join()
    #expect(seen.withLock { $0 } == ["junction-http", "junction-timing"])
    #expect(seen.withLock { $0 }.allSatisfy { $0.utf8.count <= OSThread.maximumNameBytes })
}
