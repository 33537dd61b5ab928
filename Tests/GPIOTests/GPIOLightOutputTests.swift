import CGPIO
import JunctionCore
import Testing
@testable import GPIO

private let t0 = TimebaseInstant(nanos: 0)

private func consumer(of request: gpio_v2_line_request) -> String { GPIOCStrings.string(from: request.consumer) }

@Test func requestAsksForOutputsAtTheShutdownState() throws {
    let device = FakeGPIODevice.pi4()
    _ = try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(), head: "n", shutdown: .red)
    let request = try #require(device.requests.last)
    #expect(GPIOLineRequest.offsets(of: request) == [2, 3, 4])
    #expect(request.num_lines == 3)
    #expect(consumer(of: request) == "junction")
    #expect(request.config.flags == GPIOLineRequest.outputFlag)
    #expect(request.config.num_attrs == 1)
    #expect(request.config.attrs.0.attr.id == UInt32(GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue))
    #expect(request.config.attrs.0.attr.values == 0b001, "red lamp (index 0) lit from the first instant")
    #expect(request.config.attrs.0.mask == 0b111)
}

@Test func activeLowIsLeftToTheKernelSoValuesStayLogical() throws {
    let device = FakeGPIODevice.pi4()
    let wiring = HeadWiring.threeLamps(activeLow: true)
    let output = try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: wiring, head: "n", shutdown: .off)
    let request = try #require(device.requests.last)
    #expect(request.config.flags == GPIOLineRequest.outputFlag | GPIOLineRequest.activeLowFlag)
    #expect(request.config.attrs.0.attr.values == 0, "off is logical 0; the kernel drives the pins high")
    try output.show(.green, at: t0)
    #expect(device.writes.last?.bits == 0b100)
}

@Test func showWritesTheWholeHeadInOneMaskedSet() throws {
    let device = FakeGPIODevice.pi4()
    let output = try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(), head: "n", shutdown: .off)
    try output.show(.redAmber, at: t0)
    try output.show(.green, at: t0)
    #expect(device.writes.map(\.bits) == [0b011, 0b100])
    #expect(device.writes.allSatisfy { $0.mask == 0b111 })
}

@Test func rgbModuleShowsAmberAsRedPlusGreen() throws {
    let device = FakeGPIODevice.pi4()
    let wiring = HeadWiring.rgbModule(red: 17, green: 27, blue: 22)
    let output = try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: wiring, head: "n", shutdown: .off)
    try output.show(.amber, at: t0)
    try output.show(.red, at: t0)
    try output.show(.green, at: t0)
    try output.show(.redAmber, at: t0)
    // Lines are (red, green, blue): blue is never lit.
    #expect(device.writes.map(\.bits) == [0b011, 0b001, 0b010, 0b011])
}

@Test func unchangedLampsCostNoIoctl() throws {
    let device = FakeGPIODevice.pi4()
    let output = try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(), head: "n", shutdown: .red)
    try output.show(.red, at: t0)  // already the initial state
    try output.show(.green, at: t0)
    try output.show(.green, at: TimebaseInstant(nanos: 700_000_000))
    #expect(device.writes.map(\.bits) == [0b100])
}

@Test func flashingAspectTogglesWithTheTimebaseSecond() throws {
    let device = FakeGPIODevice.pi4()
    let output = try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(), head: "n", shutdown: .off)
    for ms: Int64 in [100, 400, 600, 900, 1_000, 1_499, 1_500] {
        try output.show(.flashingAmber, at: TimebaseInstant(nanos: ms * .nanosPerMillisecond))
    }
    #expect(device.writes.map(\.bits) == [0b010, 0b000, 0b010, 0b000])
}

@Test func closeShowsTheShutdownAspectReleasesAndIgnoresLateShows() throws {
    let device = FakeGPIODevice.pi4()
    let output = try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(), head: "n", shutdown: .red)
    try output.show(.green, at: t0)
    output.close()
    output.close()
    try output.show(.green, at: t0)
    #expect(device.writes.map(\.bits) == [0b100, 0b001])
    #expect(device.released.count == 1)
    #expect(device.openChipCount == 0)
}

@Test func failedSetNamesTheChip() throws {
    let device = FakeGPIODevice.pi4()
    let output = try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(), head: "n", shutdown: .off)
    device.state.withLock { $0.setError = 5 }
    let error = caughtError(LightOutputError.self) { try output.show(.red, at: t0) }
    guard case .setFailed(let chip, let errno)? = error else {
        Issue.record("expected setFailed, got \(String(describing: error))")
        return
    }
    #expect(chip.contains("gpiochip0"))
    #expect(errno.rawValue == 5)
    // The failed write did not count as shown: the next show retries it.
    device.state.withLock { $0.setError = nil }
    try output.show(.red, at: t0)
    #expect(device.writes.map(\.bits) == [0b001])
}

// MARK: Start-up after a crash (issue 10)

@Test func linesLeftLitByACrashedPredecessorAreTakenOverAsTheyAre() throws {
    let device = FakeGPIODevice.pi4()
    device.driveAsOutputs([2: false, 3: false, 4: true])  // green still lit
    let output = try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(), head: "n", shutdown: .red)
    #expect(output.retainedAspect == .green)
    let request = try #require(device.requests.last)
    #expect(request.config.flags & GPIOLineRequest.outputFlag == 0, "requested as-is: no initial values forced")
    #expect(request.config.num_attrs == 0)
    let config = try #require(device.configs.last)
    #expect(config.flags == GPIOLineRequest.outputFlag)
    #expect(config.attrs.0.attr.values == 0b100, "made outputs at the values read: the green stays lit until the agent clears it")
    #expect(device.lineValue(4) == true && device.lineValue(2) == false)
    #expect(device.writes.isEmpty)
    // The agent then shows amber (cleared through a full amber) and red.
    try output.show(.amber, at: t0)
    try output.show(.red, at: t0)
    #expect(device.writes.map(\.bits) == [0b010, 0b001])
}

@Test func freshLinesAreRequestedAtTheShutdownStateAndRetainNothing() throws {
    let device = FakeGPIODevice.pi4()
    let output = try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(), head: "n", shutdown: .red)
    #expect(output.retainedAspect == nil)
    #expect(device.configs.isEmpty)
    #expect(device.lineValue(2) == true && device.lineValue(4) == false)
}

@Test(arguments: [
    ([false, false, false], Aspect.off), ([true, false, false], .red), ([true, true, false], .redAmber),
    ([false, false, true], .green), ([false, true, false], .amber), ([true, false, true], .green),
])
func retainedLinesReadBackAsAnAspect(values: [Bool], aspect: Aspect) {
    #expect(HeadWiring.threeLamps().aspect(fromLineValues: values) == aspect)
}

@Test func rgbRetainedAmberIsRedPlusGreen() {
    let rgb = HeadWiring.rgbModule(red: 17, green: 27, blue: 22)
    #expect(rgb.aspect(fromLineValues: [true, true, false]) == .amber)
    #expect(rgb.aspect(fromLineValues: [false, true, false]) == .green)
    #expect(rgb.aspect(fromLineValues: [true, false, false]) == .red)
}

@Test func theCrashGuardIsArmedWithTheShutdownValues() throws {
    let device = FakeGPIODevice.pi4()
    _ = try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(activeLow: true), head: "n", shutdown: .red)
    let armed = try #require(device.armed.last)
    #expect(armed.values.bits == 0b001 && armed.values.mask == 0b111, "red, logical (the kernel applies active-low)")
}
