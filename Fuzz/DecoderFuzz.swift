// libFuzzer target for the datagram decoder; built by `scripts/fuzz`, which
// compiles it into one module together with Sources/Protocol (so it can use
// internal API) against Sources/JunctionCore. Not a package target.
//
// Properties checked on every input:
// - decoding never traps (ASan and Swift's own checks would abort);
// - anything that decodes re-encodes to exactly the same bytes (canonical
//   encoding), both in insecure mode and with the corpus key;
// - a decoded plan chunk can be fed to a PlanAssembler;
// - the Inbox agrees with the codec and counts every refusal once, and
//   refuses exactly what is addressed elsewhere (misaddressed) or stale.

import JunctionCore

/// The key of the golden vectors (bytes 0x00...0x1f), so keyed seeds in
/// Fuzz/corpus authenticate.
private let fuzzCodecs: [DatagramCodec] = [
    DatagramCodec(key: nil),
    DatagramCodec(key: try! AuthKey(bytes: (0..<32).map { UInt8($0) })),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func decoderFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    for codec in fuzzCodecs {
        check(input, with: codec)
    }
    return 0
}

/// The inbox's own id in the fuzz check: the golden vectors' agent instance,
/// so seeds addressed to it are accepted and others are misaddressed.
private let fuzzLocalID: UInt64 = 0xA6E7_0000_0000_0007

private func check(_ input: [UInt8], with codec: DatagramCodec) {
    let opened = codec.open(input)
    var inbox = Inbox(codec: codec, localID: fuzzLocalID)
    let received = inbox.receive(input, timebaseEstimate: TimebaseInstant(nanos: 0))
    switch opened {
    case let .failure(reason):
        guard received == .failure(reason), inbox.drops[reason] == 1, inbox.drops.total == 1 else {
            fatalError("inbox disagrees with codec on \(reason): \(received), \(inbox.drops)")
        }
    case let .success(envelope):
        let resealed: [UInt8]
        do {
            resealed = try codec.seal(
                envelope.message, sender: envelope.senderID, sequence: envelope.sequence, recipient: envelope.recipientID)
        } catch {
            fatalError("decoded message does not seal again: \(error) for \(envelope)")
        }
        guard resealed == input else {
            fatalError("not canonical: \(input) decoded to \(envelope) and re-encoded to \(resealed)")
        }
        if case let .plan(chunk) = envelope.message {
            var assembler = PlanAssembler()
            _ = assembler.accept(chunk)
        }
        let stale = envelope.message.timebaseSentAt.map { $0.nanos.magnitude > UInt64(inbox.maximumSkewNanos) } ?? false
        let addressed = envelope.recipientID == 0
            ? envelope.message.wireType.mayBeUnaddressed : envelope.recipientID == fuzzLocalID
        switch received {
        case .success(let again) where again == envelope && !stale && addressed: break
        case .failure(.stale) where stale: break
        case .failure(.misaddressed) where !stale && !addressed: break
        default: fatalError("inbox disagrees with codec: \(received) vs \(envelope)")
        }
    }
}
