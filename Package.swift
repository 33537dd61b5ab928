// swift-tools-version:6.0
// junction: one traffic junction across many boards, every light in lockstep.
// No package dependencies: only the Swift toolchain and system headers.
import PackageDescription

// The pure cores and the simulator run hours of virtual time inside
// `swift test`; they are optimized even in debug builds (the tests still see
// internals through -enable-testing, which SwiftPM adds in debug).
let optimized: [SwiftSetting] = [.unsafeFlags(["-O", "-cross-module-optimization"])]

let package = Package(
    name: "junction",
    products: [
        .executable(name: "junction", targets: ["JunctionCommand"]),
    ],
    targets: [
        // Pure domain: plans, timelines, validation, time types. Stdlib only.
        .target(name: "JunctionCore", swiftSettings: optimized),
        // SHA-256 compression on the CPU's SHA instructions (x86 SHA-NI);
        // intrinsics only, no libc calls. Protocol falls back to Swift without them.
        .target(name: "CSHA256", cSettings: [.unsafeFlags(["-O2"])]),
        // Pure wire format: messages, SHA-256/HMAC, replay window. No Glibc.
        .target(name: "Protocol", dependencies: ["JunctionCore", "CSHA256"], swiftSettings: optimized),
        // The one place that talks to the kernel: errno, sockets, clocks, threads.
        .target(name: "Posix"),
        // C shim over <linux/gpio.h> (uAPI v2).
        .target(name: "CGPIO"),
        // Light outputs: GPIO character device, recording, terminal.
        .target(name: "GPIO", dependencies: ["CGPIO", "Posix", "JunctionCore"]),
        // Pure agent core: clock discipline and the agent state machine.
        .target(name: "NodeAgent", dependencies: ["JunctionCore", "Protocol"], swiftSettings: optimized),
        // Pure coordinator core: timebase, discovery, fan-out decisions.
        .target(name: "Coordinator", dependencies: ["JunctionCore", "Protocol"], swiftSettings: optimized),
        // Deterministic discrete-event simulation of the whole cluster.
        .target(name: "Simulation", dependencies: ["JunctionCore", "Protocol", "NodeAgent", "Coordinator"], swiftSettings: optimized),
        // Thin shells: real sockets, clocks, GPIO, HTTP, signals around the cores.
        .target(name: "Runtime", dependencies: ["JunctionCore", "Protocol", "Posix", "GPIO", "NodeAgent", "Coordinator"]),
        // The `junction` command line.
        .executableTarget(name: "JunctionCommand", dependencies: ["JunctionCore", "Protocol", "Posix", "GPIO", "NodeAgent", "Coordinator", "Simulation", "Runtime"]),

        // `scripts/bench`: speed and memory goals, printed as a table.
        .executableTarget(name: "JunctionBench", dependencies: ["JunctionCore", "Protocol", "Posix", "GPIO", "NodeAgent", "Coordinator", "Simulation", "Runtime"]),

        .testTarget(name: "JunctionCoreTests", dependencies: ["JunctionCore"]),
        .testTarget(name: "ProtocolTests", dependencies: ["Protocol", "JunctionCore"]),
        .testTarget(name: "PosixTests", dependencies: ["Posix"]),
        .testTarget(name: "GPIOTests", dependencies: ["GPIO", "CGPIO", "Posix", "JunctionCore"]),
        .testTarget(name: "NodeAgentTests", dependencies: ["NodeAgent", "Coordinator", "JunctionCore", "Protocol"]),
        .testTarget(name: "CoordinatorTests", dependencies: ["Coordinator", "JunctionCore", "Protocol"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "NodeAgent", "Coordinator", "JunctionCore", "Protocol"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "Posix", "GPIO", "JunctionCore", "Protocol", "Coordinator", "NodeAgent"]),
    ]
)
