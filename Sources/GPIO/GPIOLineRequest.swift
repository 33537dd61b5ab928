import CGPIO

/// Builds the uAPI v2 structs for a set of output lines.
///
/// Why separate from the ioctl: the bit layout (values indexed by position in
/// the request, not by offset) is easy to get wrong and is tested directly.
enum GPIOLineRequest {
    /// The consumer label the kernel shows in `gpioinfo` for our lines.
    static let consumer = "junction"

    static let outputFlag = UInt64(GPIO_V2_LINE_FLAG_OUTPUT.rawValue)
    static let activeLowFlag = UInt64(GPIO_V2_LINE_FLAG_ACTIVE_LOW.rawValue)
    static let usedFlag = UInt64(GPIO_V2_LINE_FLAG_USED.rawValue)

    /// A request for `offsets` as outputs, starting at `initialValues`
    /// (logical, true = active), inverted by the kernel when `activeLow`.
    static func outputs(offsets: [UInt32], activeLow: Bool, initialValues: [Bool]) -> gpio_v2_line_request {
        precondition(offsets.count == initialValues.count && offsets.count <= Int(GPIO_V2_LINES_MAX),
                     "line request with \(offsets.count) offsets and \(initialValues.count) values")
        var request = gpio_v2_line_request()
        withUnsafeMutableBytes(of: &request.offsets) { raw in
            let slots = raw.bindMemory(to: UInt32.self)
            for (i, offset) in offsets.enumerated() { slots[i] = offset }
        }
        GPIOCStrings.store(consumer, into: &request.consumer)
        request.num_lines = UInt32(offsets.count)
        request.config.flags = outputFlag | (activeLow ? activeLowFlag : 0)
        request.config.num_attrs = 1
        let initial = values(initialValues)
        request.config.attrs.0.attr.id = UInt32(GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue)
        request.config.attrs.0.attr.values = initial.bits
        request.config.attrs.0.mask = initial.mask
        return request
    }

    /// A request for `offsets` leaving their direction and values as they
    /// are: a crashed predecessor's lamps stay lit while they are read.
    static func asIs(offsets: [UInt32], activeLow: Bool) -> gpio_v2_line_request {
        var request = outputs(offsets: offsets, activeLow: activeLow, initialValues: offsets.map { _ in false })
        request.config = gpio_v2_line_config()
        request.config.flags = activeLow ? activeLowFlag : 0
        return request
    }

    /// Outputs at `values`: the configuration that turns lines requested
    /// as-is into outputs without changing what they show.
    static func outputConfig(activeLow: Bool, values lineValues: [Bool]) -> gpio_v2_line_config {
        var config = gpio_v2_line_config()
        config.flags = outputFlag | (activeLow ? activeLowFlag : 0)
        config.num_attrs = 1
        let initial = values(lineValues)
        config.attrs.0.attr.id = UInt32(GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES.rawValue)
        config.attrs.0.attr.values = initial.bits
        config.attrs.0.mask = initial.mask
        return config
    }

    /// Bit i of `bits` is the value of the i-th requested line; the mask
    /// covers every requested line, so each set writes the whole head at once.
    static func values(_ lineValues: [Bool]) -> gpio_v2_line_values {
        var bits: UInt64 = 0
        for (i, on) in lineValues.enumerated() where on { bits |= 1 << UInt64(i) }
        let mask: UInt64 = lineValues.count >= 64 ? ~0 : (1 << UInt64(lineValues.count)) - 1
        return gpio_v2_line_values(bits: bits, mask: mask)
    }

    /// The offsets stored in a request, for tests and error messages.
    static func offsets(of request: gpio_v2_line_request) -> [UInt32] {
        withUnsafeBytes(of: request.offsets) { raw in
            Array(raw.bindMemory(to: UInt32.self).prefix(Int(request.num_lines)))
        }
    }
}
