#if canImport(Glibc)
import Glibc
#endif
import JunctionCore
import Testing
@testable import GPIO

@Test func lettersWithoutColour() {
    #expect(TerminalOutput.render(Aspect.redAmber.lamps, head: "north", colour: false) == "north RA-")
    #expect(TerminalOutput.render(Lamps(), head: "n", colour: false) == "n ---")
}

@Test func colourLightsOnlyTheLitLamps() {
    let text = TerminalOutput.render(Aspect.green.lamps, head: "n", colour: true)
    #expect(text == "n \u{1B}[90m░░\u{1B}[0m \u{1B}[90m░░\u{1B}[0m \u{1B}[92m██\u{1B}[0m")
}

@Test func terminalWritesOneLinePerLampChangeToItsDescriptor() throws {
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    defer { close(fds[0]) }
    let output = TerminalOutput(head: "s", fd: fds[1], style: .automatic, shutdown: .off)
    #expect(!output.usesColour, "a pipe is not a TTY")
    try output.show(.red, at: TimebaseInstant(nanos: 0))
    try output.show(.red, at: TimebaseInstant(nanos: 0))
    try output.show(.flashingAmber, at: TimebaseInstant(nanos: 0))
    try output.show(.flashingAmber, at: TimebaseInstant(nanos: 600_000_000))
    output.close()
    close(fds[1])
    var buffer = [UInt8](repeating: 0, count: 256)
    let n = read(fds[0], &buffer, buffer.count)
    #expect(String(decoding: buffer[..<max(n, 0)], as: UTF8.self) == "s R--\ns -A-\ns ---\n")
}
