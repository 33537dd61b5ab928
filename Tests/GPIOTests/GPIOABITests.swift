import CGPIO
import Testing
@testable import GPIO

// The values below are what gcc prints for the same <linux/gpio.h>
// (scripts/gpio-abi.c) and match the kernel's uAPI v2 ABI on 64-bit Linux.
// If Swift imported a struct with different padding, every ioctl would hand
// the kernel garbage; these tests catch that before a board does.

@Test func structSizesMatchKernelABI() {
    #expect(MemoryLayout<gpiochip_info>.size == 68)
    #expect(MemoryLayout<gpio_v2_line_values>.size == 16)
    #expect(MemoryLayout<gpio_v2_line_attribute>.size == 16)
    #expect(MemoryLayout<gpio_v2_line_config_attribute>.size == 24)
    #expect(MemoryLayout<gpio_v2_line_config>.size == 272)
    #expect(MemoryLayout<gpio_v2_line_request>.size == 592)
    #expect(MemoryLayout<gpio_v2_line_info>.size == 256)
}

@Test func fieldOffsetsMatchKernelABI() {
    #expect(MemoryLayout<gpiochip_info>.offset(of: \.label) == 32)
    #expect(MemoryLayout<gpiochip_info>.offset(of: \.lines) == 64)
    #expect(MemoryLayout<gpio_v2_line_request>.offset(of: \.consumer) == 256)
    #expect(MemoryLayout<gpio_v2_line_request>.offset(of: \.config) == 288)
    #expect(MemoryLayout<gpio_v2_line_request>.offset(of: \.num_lines) == 560)
    #expect(MemoryLayout<gpio_v2_line_request>.offset(of: \.event_buffer_size) == 564)
    #expect(MemoryLayout<gpio_v2_line_request>.offset(of: \.fd) == 588)
    #expect(MemoryLayout<gpio_v2_line_config>.offset(of: \.num_attrs) == 8)
    #expect(MemoryLayout<gpio_v2_line_config>.offset(of: \.attrs) == 32)
    #expect(MemoryLayout<gpio_v2_line_config_attribute>.offset(of: \.mask) == 16)
    #expect(MemoryLayout<gpio_v2_line_info>.offset(of: \.consumer) == 32)
    #expect(MemoryLayout<gpio_v2_line_info>.offset(of: \.offset) == 64)
    #expect(MemoryLayout<gpio_v2_line_info>.offset(of: \.flags) == 72)
    #expect(MemoryLayout<gpio_v2_line_info>.offset(of: \.attrs) == 80)
    #expect(MemoryLayout<gpio_v2_line_values>.offset(of: \.mask) == 8)
}

@Test func attributeUnionSharesOneEightByteSlot() {
    var attribute = gpio_v2_line_attribute()
    attribute.values = 0b101
    #expect(attribute.flags == 0b101)
    let bytes = withUnsafeBytes(of: attribute) { Array($0) }
    #expect(bytes[8] == 0b101)
}

@Test func ioctlRequestNumbersMatchKernelABI() {
    #expect(GPIOSyscalls.chipInfoRequest == 0x8044_B401)
    #expect(GPIOSyscalls.lineInfoRequest == 0xC100_B405)
    #expect(GPIOSyscalls.getLineRequest == 0xC250_B407)
    #expect(GPIOSyscalls.setValuesRequest == 0xC010_B40F)
}

@Test func lineFlagBitsMatchKernelABI() {
    #expect(GPIOLineRequest.usedFlag == 1 << 0)
    #expect(GPIOLineRequest.activeLowFlag == 1 << 1)
    #expect(GPIOLineRequest.outputFlag == 1 << 3)
}
