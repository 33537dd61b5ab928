import JunctionCore
import Testing
@testable import GPIO

@Test func defaultWiringIsTheOriginalPins() throws {
    #expect(try HeadWiring.parse() == .threeLamps(red: 2, amber: 3, green: 4))
    #expect(try HeadWiring.parse(arguments: []) == HeadWiring.threeLamps())
}

@Test func parsesRGBWithNamesAndActiveLow() throws {
    let wiring = try HeadWiring.parse(arguments: ["--wiring", "rgb", "--pins", "17,GPIO27, 22", "--active-low"])
    #expect(wiring == .rgbModule(red: 17, green: .name("GPIO27"), blue: 22, activeLow: true))
    #expect(try HeadWiring.parse(arguments: ["--wiring=three", "--pins=5,6,13"]) == .threeLamps(red: 5, amber: 6, green: 13))
}

@Test func descriptionRoundTripsThroughTheParser() throws {
    let wiring = HeadWiring.rgbModule(red: 17, green: 27, blue: .name("GPIO22"), activeLow: true)
    let arguments = wiring.description.split(separator: " ").map(String.init)
    #expect(try HeadWiring.parse(arguments: arguments) == wiring)
}

@Test func badSpecsSayWhichFlagToFix() {
    #expect(throws: WiringSpecError.wrongPinCount("2,3", kind: "three")) { try HeadWiring.parse(pins: "2,3") }
    #expect(throws: WiringSpecError.unknownKind("rgbw")) { try HeadWiring.parse(wiring: "rgbw") }
    #expect(throws: WiringSpecError.badPin("")) { try HeadWiring.parse(pins: "2,,4") }
    #expect(throws: WiringSpecError.missingValue("--pins")) { try HeadWiring.parse(arguments: ["--wiring", "rgb"]) }
    #expect(throws: WiringSpecError.missingValue("--pins")) { try HeadWiring.parse(arguments: ["--pins"]) }
    #expect(throws: WiringSpecError.unknownFlag("--chip")) { try HeadWiring.parse(arguments: ["--chip", "x"]) }
}

@Test func threeLampValuesFollowTheLamps() {
    let wiring = HeadWiring.threeLamps()
    #expect(wiring.lineValues(for: Aspect.redAmber.lamps) == [true, true, false])
    #expect(wiring.lineValues(for: Aspect.off.lamps) == [false, false, false])
    #expect(HeadWiring.rgbModule(red: 1, green: 2, blue: 3).lineValues(for: Aspect.amber.lamps) == [true, true, false])
}
