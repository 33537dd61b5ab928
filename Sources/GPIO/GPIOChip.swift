import CGPIO
import Posix

/// An open GPIO chip: finds it, resolves line names and requests outputs,
/// turning every `Errno` into a `LightOutputError` that names chip and line.
struct GPIOChip: Sendable {
    let device: any GPIODevice
    let handle: ChipHandle
    let identity: GPIOChipIdentity

    /// Opens the chip `selector` picks.
    static func open(_ selector: GPIOChipSelector, device: any GPIODevice, directory: String) throws(LightOutputError) -> GPIOChip {
        let path: String
        switch selector {
        case .path(let p): path = p
        case .name(let n): path = "\(directory)/\(n)"
        case .raspberryPiHeader, .label: path = try search(selector, device: device, directory: directory)
        }
        return try openPath(path, device: device)
    }

    private static func openPath(_ path: String, device: any GPIODevice) throws(LightOutputError) -> GPIOChip {
        let handle: ChipHandle
        do { handle = try device.open(path: path) } catch { throw mapOpenError(error, path: path) }
        do {
            let info = try device.chipInfo(handle)
            let identity = GPIOChipIdentity(
                path: path, name: GPIOCStrings.string(from: info.name),
                label: GPIOCStrings.string(from: info.label), lineCount: Int(info.lines))
            return GPIOChip(device: device, handle: handle, identity: identity)
        } catch {
            device.close(handle)
            throw .chipFailed(path: path, errno: error)
        }
    }

    private static func mapOpenError(_ error: Errno, path: String) -> LightOutputError {
        if GPIOSyscalls.permissionCodes.contains(error.rawValue) { return .permissionDenied(path: path) }
        if GPIOSyscalls.missingCodes.contains(error.rawValue) { return .chipMissing(path: path) }
        return .chipFailed(path: path, errno: error)
    }

    /// Reads every chip's label and returns the path of the first chip with
    /// the most preferred label.
    private static func search(_ selector: GPIOChipSelector, device: any GPIODevice, directory: String) throws(LightOutputError) -> String {
        let labels = selector.labels ?? []
        let paths: [String]
        do { paths = try device.chipPaths() } catch { throw .noChips(directory: directory) }
        if paths.isEmpty { throw .noChips(directory: directory) }
        var found: [(path: String, label: String)] = []
        var seen: [String] = []
        var denied: [String] = []
        for path in paths {
            do {
                let chip = try openPath(path, device: device)
                chip.close()
                found.append((path, chip.identity.label))
                seen.append(chip.identity.description)
            } catch .permissionDenied {
                denied.append(path)
                seen.append("\(path) (permission denied)")
            } catch {
                seen.append("\(path) (\(error))")
            }
        }
        for label in labels {
            if let match = found.first(where: { $0.label == label }) { return match.path }
        }
        // A chip we could not read may be the one: say so rather than "not found".
        if let first = denied.first { throw .permissionDenied(path: first) }
        throw .chipNotFound(selector: selector.description, seen: seen)
    }

    /// The offsets of `lines`, reading line names from the chip only if needed.
    func resolve(_ lines: [GPIOLine]) throws(LightOutputError) -> [UInt32] {
        var names: [String: UInt32]?
        var offsets: [UInt32] = []
        for line in lines {
            let offset: UInt32
            switch line {
            case .offset(let n):
                guard Int(n) < identity.lineCount else {
                    throw .lineOutOfRange(offset: n, chip: identity.description, lineCount: identity.lineCount)
                }
                offset = n
            case .name(let name):
                if names == nil { names = try lineNames() }
                guard let n = names?[name] else { throw .unknownLineName(name, chip: identity.description) }
                offset = n
            }
            if offsets.contains(offset) { throw .duplicateLine(line.description, chip: identity.description) }
            offsets.append(offset)
        }
        return offsets
    }

    /// Name to offset for every named line; the first line wins a duplicate name.
    private func lineNames() throws(LightOutputError) -> [String: UInt32] {
        var names: [String: UInt32] = [:]
        for offset in 0..<UInt32(identity.lineCount) {
            let info: gpio_v2_line_info
            do { info = try device.lineInfo(handle, offset: offset) } catch {
                throw .chipFailed(path: identity.path, errno: error)
            }
            let name = GPIOCStrings.string(from: info.name)
            if !name.isEmpty && names[name] == nil { names[name] = offset }
        }
        return names
    }

    /// Requests `offsets` as outputs at `initialValues`; `EBUSY` names the
    /// line that is held and by whom.
    func requestOutputs(_ offsets: [UInt32], activeLow: Bool, initialValues: [Bool]) throws(LightOutputError) -> LineRequestHandle {
        var request = GPIOLineRequest.outputs(offsets: offsets, activeLow: activeLow, initialValues: initialValues)
        return try requestLines(&request, offsets)
    }

    /// Requests `offsets` as outputs without changing what they show when
    /// they are outputs already (a crashed predecessor's request, which the
    /// kernel keeps driving): requested as-is, read, then made outputs at
    /// the values read. Lines that are not all outputs (a fresh boot) are
    /// requested at `otherwise`. Returns the values shown now, and whether
    /// they were retained.
    func requestKeepingValues(_ offsets: [UInt32], activeLow: Bool, otherwise: [Bool]) throws(LightOutputError)
        -> (lines: LineRequestHandle, values: [Bool], retained: Bool) {
        let wereOutputs = offsets.allSatisfy { offset in
            (try? device.lineInfo(handle, offset: offset)).map { $0.flags & GPIOLineRequest.outputFlag != 0 } ?? false
        }
        guard wereOutputs else {
            return (try requestOutputs(offsets, activeLow: activeLow, initialValues: otherwise), otherwise, false)
        }
        var request = GPIOLineRequest.asIs(offsets: offsets, activeLow: activeLow)
        let lines = try requestLines(&request, offsets)
        do {
            let mask = GPIOLineRequest.values(offsets.map { _ in true }).mask
            let bits = try device.getValues(lines, mask: mask)
            let values = offsets.indices.map { bits & (1 << UInt64($0)) != 0 }
            try device.setConfig(lines, GPIOLineRequest.outputConfig(activeLow: activeLow, values: values))
            return (lines, values, true)
        } catch {
            device.release(lines)
            throw .setFailed(chip: identity.description, errno: error)
        }
    }

    private func requestLines(_ request: inout gpio_v2_line_request, _ offsets: [UInt32]) throws(LightOutputError) -> LineRequestHandle {
        do {
            return try device.requestLines(handle, &request)
        } catch where error.rawValue == GPIOSyscalls.busy {
            throw busyError(offsets)
        } catch {
            let list = offsets.map { describeLine($0) }.joined(separator: ",")
            throw .requestFailed(lines: list, chip: identity.description, errno: error)
        }
    }

    private func busyError(_ offsets: [UInt32]) -> LightOutputError {
        for offset in offsets {
            guard let info = try? device.lineInfo(handle, offset: offset) else { continue }
            if info.flags & GPIOLineRequest.usedFlag != 0 {
                return .lineBusy(line: describeLine(offset, info: info), chip: identity.description,
                                 consumer: GPIOCStrings.string(from: info.consumer))
            }
        }
        return .lineBusy(line: offsets.map { describeLine($0) }.joined(separator: ","), chip: identity.description, consumer: "")
    }

    /// "GPIO17 (offset 17)" when the chip names the line, else "17".
    func describeLine(_ offset: UInt32, info: gpio_v2_line_info? = nil) -> String {
        let name = (info ?? (try? device.lineInfo(handle, offset: offset))).map { GPIOCStrings.string(from: $0.name) } ?? ""
        return name.isEmpty ? "\(offset)" : "\(name) (offset \(offset))"
    }

    func setValues(_ lines: LineRequestHandle, _ lineValues: [Bool]) throws(LightOutputError) {
        try setValues(lines, GPIOLineRequest.values(lineValues))
    }

    /// As `setValues(_:_:)` with the ioctl's argument already built.
    func setValues(_ lines: LineRequestHandle, _ values: gpio_v2_line_values) throws(LightOutputError) {
        do { try device.setValues(lines, values) } catch {
            throw .setFailed(chip: identity.description, errno: error)
        }
    }

    func close() { device.close(handle) }
}
