import Posix
import Testing
@testable import GPIO

private func line(_ n: Int) -> String { "GPIO\(n)" }

@Test func raspberryPiHeaderIsFoundByLabelOnPi5WithOldKernelNumbering() throws {
    // Before kernel 6.6.45 the Pi 5 header chip (RP1) was gpiochip4.
    let device = FakeGPIODevice([
        ("/dev/gpiochip0", .init(name: "gpiochip0", label: "gpio-brcmstb@107d508500", lineNames: ["A", "B"])),
        ("/dev/gpiochip4", .init(name: "gpiochip4", label: "pinctrl-rp1", lineNames: (0..<54).map(line))),
    ])
    let output = try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(), head: "n", shutdown: .off)
    #expect(output.chip.path == "/dev/gpiochip4")
    #expect(output.chip.label == "pinctrl-rp1")
    #expect(output.offsets == [2, 3, 4])
    #expect(device.openChipCount == 0, "every chip opened during the search is closed again")
}

@Test func labelPreferenceWinsOverChipOrder() throws {
    let device = FakeGPIODevice([
        ("/dev/gpiochip0", .init(name: "gpiochip0", label: "pinctrl-bcm2835", lineNames: (0..<54).map(line))),
        ("/dev/gpiochip1", .init(name: "gpiochip1", label: "pinctrl-bcm2711", lineNames: (0..<58).map(line))),
    ])
    let output = try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(), head: "n", shutdown: .off)
    #expect(output.chip.label == "pinctrl-bcm2711")
}

@Test func unmatchedLabelListsTheChipsThatExist() {
    let device = FakeGPIODevice([
        ("/dev/gpiochip0", .init(name: "gpiochip0", label: "some-expander", lineNames: ["A"])),
    ])
    #expect(throws: LightOutputError.chipNotFound(selector: "label pinctrl-rp1", seen: ["gpiochip0 [some-expander] (/dev/gpiochip0)"])) {
        try GPIOLightOutput(device: device, chip: .label("pinctrl-rp1"), wiring: .threeLamps(), head: "n", shutdown: .off)
    }
}

@Test func noChipsAtAllIsItsOwnError() {
    let device = FakeGPIODevice([])
    let error = caughtError(LightOutputError.self) {
        try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(), head: "n", shutdown: .off)
    }
    #expect(error == .noChips(directory: "/dev"))
    #expect(error?.description.contains("/dev/gpiochip*") == true)
}

@Test func explicitMissingChipNamesThePath() {
    let device = FakeGPIODevice.pi4()
    #expect(throws: LightOutputError.chipMissing(path: "/dev/gpiochip4")) {
        try GPIOLightOutput(device: device, chip: .name("gpiochip4"), wiring: .threeLamps(), head: "n", shutdown: .off)
    }
}

@Test func permissionDeniedNamesTheChipFile() {
    let device = FakeGPIODevice.pi4()
    device.state.withLock { $0.openErrors["/dev/gpiochip0"] = Errno.accessDenied }
    #expect(throws: LightOutputError.permissionDenied(path: "/dev/gpiochip0")) {
        try GPIOLightOutput(device: device, chip: .path("/dev/gpiochip0"), wiring: .threeLamps(), head: "n", shutdown: .off)
    }
    // During a label search an unreadable chip may be the one wanted: say so.
    #expect(throws: LightOutputError.permissionDenied(path: "/dev/gpiochip0")) {
        try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(), head: "n", shutdown: .off)
    }
}

@Test func lineNamesResolveToOffsets() throws {
    let device = FakeGPIODevice.pi4()
    let wiring = HeadWiring.rgbModule(red: .name("GPIO17"), green: .name("GPIO27"), blue: 22)
    let output = try GPIOLightOutput(device: device, chip: .name("gpiochip0"), wiring: wiring, head: "n", shutdown: .off)
    #expect(output.offsets == [17, 27, 22])
    #expect(GPIOLineRequest.offsets(of: try #require(device.requests.last)) == [17, 27, 22])
}

@Test func unknownLineNameAndOutOfRangeOffsetNameTheChip() {
    let device = FakeGPIODevice.pi4()
    let chip = "gpiochip0 [pinctrl-bcm2711] (/dev/gpiochip0)"
    #expect(throws: LightOutputError.unknownLineName("GPIO99", chip: chip)) {
        try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(red: .name("GPIO99")), head: "n", shutdown: .off)
    }
    #expect(throws: LightOutputError.lineOutOfRange(offset: 58, chip: chip, lineCount: 58)) {
        try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(green: 58), head: "n", shutdown: .off)
    }
    #expect(throws: LightOutputError.duplicateLine("GPIO2", chip: chip)) {
        try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(red: 2, amber: .name("GPIO2")), head: "n", shutdown: .off)
    }
    #expect(device.requests.isEmpty, "nothing is requested when resolution fails")
}

@Test func busyLineNamesLineChipAndHolder() {
    let device = FakeGPIODevice.pi4()
    device.state.withLock { $0.chips["/dev/gpiochip0"]?.held[3] = "gpio-leds" }
    let error = caughtError(LightOutputError.self) {
        try GPIOLightOutput(device: device, chip: .raspberryPiHeader, wiring: .threeLamps(), head: "n", shutdown: .off)
    }
    #expect(error == .lineBusy(line: "GPIO3 (offset 3)", chip: "gpiochip0 [pinctrl-bcm2711] (/dev/gpiochip0)", consumer: "gpio-leds"))
    #expect(error?.description.contains("'gpio-leds'") == true)
    #expect(device.openChipCount == 0, "the chip is closed after a failed request")
}

@Test func chipSelectorParsesTheCLIForms() {
    #expect(GPIOChipSelector(parsing: "auto") == .raspberryPiHeader)
    #expect(GPIOChipSelector(parsing: "gpiochip4") == .name("gpiochip4"))
    #expect(GPIOChipSelector(parsing: "/dev/gpiochip0") == .path("/dev/gpiochip0"))
    #expect(GPIOChipSelector(parsing: "pinctrl-rp1") == .label("pinctrl-rp1"))
    #expect(GPIOChipSelector(parsing: "label:gpiochip-x") == .label("gpiochip-x"))
}
