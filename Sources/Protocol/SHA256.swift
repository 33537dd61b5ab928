import CSHA256

/// SHA-256 (FIPS 180-4), written here because the project takes no
/// dependencies and every datagram is authenticated with HMAC-SHA256, and plan
/// files are identified by their digest.
///
/// The compression runs on the CPU's SHA instructions where there are some
/// (`CSHA256`, x86 SHA-NI: about thirty times fewer instructions per block)
/// and on the portable Swift rounds below everywhere else; tests hold the two
/// to the same digests.
///
/// A value type holding the running state and at most one partial block, so a
/// copy is a snapshot: `HMACSHA256` keeps hashers that have already absorbed the
/// padded key and copies them per message. Blocks are read straight from the
/// caller's buffer; nothing is allocated per block.
public struct SHA256: Sendable {
    /// Bytes in a digest.
    public static let digestByteCount = 32
    /// Bytes in one compression block.
    public static let blockByteCount = 64

    var state: State = .initial
    /// The partial block (64 bytes) not yet compressed.
    var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    var bufferedByteCount = 0
    var totalByteCount: UInt64 = 0

    public init() {}

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Absorbs `bytes`.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Absorbs the bytes of `buffer` without copying whole blocks.
    public mutating func update(_ input: UnsafeRawBufferPointer) {
        guard input.count > 0, let base = input.baseAddress else { return }
        totalByteCount &+= UInt64(input.count)
        var offset = 0
        var local = state
        if bufferedByteCount > 0 {
            let take = min(Self.blockByteCount - bufferedByteCount, input.count)
            withUnsafeMutableBytes(of: &buffer) { block in
                block.baseAddress!.advanced(by: bufferedByteCount).copyMemory(from: base, byteCount: take)
            }
            bufferedByteCount += take
            offset = take
            if bufferedByteCount == Self.blockByteCount {
                withUnsafeBytes(of: &buffer) { Self.compress(&local, blocks: $0.baseAddress!, count: 1) }
                bufferedByteCount = 0
            }
        }
        let wholeBlocks = (input.count - offset) / Self.blockByteCount
        if wholeBlocks > 0 {
            Self.compress(&local, blocks: base.advanced(by: offset), count: wholeBlocks)
            offset += wholeBlocks * Self.blockByteCount
        }
        let rest = input.count - offset
        if rest > 0 {
            withUnsafeMutableBytes(of: &buffer) { block in
                block.baseAddress!.copyMemory(from: base.advanced(by: offset), byteCount: rest)
            }
            bufferedByteCount = rest
        }
        state = local
    }

    /// Pads, compresses the last block(s) and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.digestByteCount) { out, count in
            finalize(into: UnsafeMutableRawBufferPointer(out))
            count = Self.digestByteCount
        }
    }

    /// Writes the digest into the first 32 bytes of `out` (which must hold
    /// them), allocating nothing. The hasher must not be used afterwards.
    public mutating func finalize(into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= Self.digestByteCount, "SHA256.finalize needs 32 bytes of output")
        let bitLength = totalByteCount &* 8
        var local = state
        let used = bufferedByteCount
        withUnsafeMutableBytes(of: &buffer) { block in
            block[used] = 0x80
            for i in (used + 1)..<Self.blockByteCount { block[i] = 0 }
            if used + 1 > Self.blockByteCount - 8 {
                Self.compress(&local, blocks: block.baseAddress!, count: 1)
                for i in 0..<Self.blockByteCount { block[i] = 0 }
            }
            block.storeBytes(of: bitLength.bigEndian, toByteOffset: Self.blockByteCount - 8, as: UInt64.self)
            Self.compress(&local, blocks: block.baseAddress!, count: 1)
        }
        state = local
        out.storeBytes(of: local.a.bigEndian, toByteOffset: 0, as: UInt32.self)
        out.storeBytes(of: local.b.bigEndian, toByteOffset: 4, as: UInt32.self)
        out.storeBytes(of: local.c.bigEndian, toByteOffset: 8, as: UInt32.self)
        out.storeBytes(of: local.d.bigEndian, toByteOffset: 12, as: UInt32.self)
        out.storeBytes(of: local.e.bigEndian, toByteOffset: 16, as: UInt32.self)
        out.storeBytes(of: local.f.bigEndian, toByteOffset: 20, as: UInt32.self)
        out.storeBytes(of: local.g.bigEndian, toByteOffset: 24, as: UInt32.self)
        out.storeBytes(of: local.h.bigEndian, toByteOffset: 28, as: UInt32.self)
    }
}

extension SHA256 {
    /// The eight working words H0...H7.
    struct State: Sendable {
        var a, b, c, d, e, f, g, h: UInt32

        static let initial = State(
            a: 0x6a09_e667, b: 0xbb67_ae85, c: 0x3c6e_f372, d: 0xa54f_f53a,
            e: 0x510e_527f, f: 0x9b05_688c, g: 0x1f83_d9ab, h: 0x5be0_cd19)
    }

    /// The 64 round constants of FIPS 180-4 section 4.2.2.
    static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    @inline(__always)
    static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

    /// Whether this CPU compresses in hardware (read once per process).
    static let hardwareAvailable = junction_sha256_hardware_available() != 0

    /// One round of FIPS 180-4 6.2.2 step 3, with `kw` = K[t] + W[t]: the
    /// new e lands in `d` and the new a in `h`, the caller rotates the names.
    @inline(__always)
    static func round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                      _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32) {
        let sigma1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
        let choose = g ^ (e & (f ^ g))
        let t1 = h &+ sigma1 &+ choose &+ kw
        let sigma0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
        let majority = (a & b) | (c & (a | b))
        d &+= t1
        h = t1 &+ sigma0 &+ majority
    }

    /// Compresses `count` consecutive 64-byte blocks starting at `blocks`.
    @inline(__always)
    static func compress(_ state: inout State, blocks: UnsafeRawPointer, count: Int) {
        if hardwareAvailable {
            compressHardware(&state, blocks: blocks, count: count)
        } else {
            compressPortable(&state, blocks: blocks, count: count)
        }
    }

    /// The SHA-NI compression in `CSHA256`; only when `hardwareAvailable`.
    static func compressHardware(_ state: inout State, blocks: UnsafeRawPointer, count: Int) {
        var words = (state.a, state.b, state.c, state.d, state.e, state.f, state.g, state.h)
        withUnsafeMutableBytes(of: &words) { raw in
            junction_sha256_compress_hardware(raw.baseAddress!.assumingMemoryBound(to: UInt32.self),
                                              blocks.assumingMemoryBound(to: UInt8.self), count)
        }
        state = State(a: words.0, b: words.1, c: words.2, d: words.3, e: words.4, f: words.5, g: words.6, h: words.7)
    }

    /// The portable compression (FIPS 180-4 section 6.2.2), in Swift.
    static func compressPortable(_ state: inout State, blocks: UnsafeRawPointer, count: Int) {
        roundConstants.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                var s = state
                for blockIndex in 0..<count {
                    let block = blocks.advanced(by: blockIndex * blockByteCount)
                    for t in 0..<16 {
                        w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
                    }
                    for t in 16..<64 {
                        let x = w[t - 15], y = w[t - 2]
                        let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
                        let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
                        w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                    }
                    var a = s.a, b = s.b, c = s.c, d = s.d, e = s.e, f = s.f, g = s.g, h = s.h
                    // Eight rounds per pass with the names rotated instead of
                    // the values moved: each round writes only d and h.
                    for t in stride(from: 0, to: 64, by: 8) {
                        round(a, b, c, &d, e, f, g, &h, k[t] &+ w[t])
                        round(h, a, b, &c, d, e, f, &g, k[t + 1] &+ w[t + 1])
                        round(g, h, a, &b, c, d, e, &f, k[t + 2] &+ w[t + 2])
                        round(f, g, h, &a, b, c, d, &e, k[t + 3] &+ w[t + 3])
                        round(e, f, g, &h, a, b, c, &d, k[t + 4] &+ w[t + 4])
                        round(d, e, f, &g, h, a, b, &c, k[t + 5] &+ w[t + 5])
                        round(c, d, e, &f, g, h, a, &b, k[t + 6] &+ w[t + 6])
                        round(b, c, d, &e, f, g, h, &a, k[t + 7] &+ w[t + 7])
                    }
                    s.a &+= a; s.b &+= b; s.c &+= c; s.d &+= d
                    s.e &+= e; s.f &+= f; s.g &+= g; s.h &+= h
                }
                state = s
            }
        }
    }
}
