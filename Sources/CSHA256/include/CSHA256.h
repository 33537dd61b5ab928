// CSHA256: the SHA-256 compression function on the CPU's SHA extensions
// (x86 SHA-NI), for the one hot loop of the project: every datagram is
// authenticated with HMAC-SHA256, and the simulator seals and opens hundreds
// of millions of them in a virtual day. Swift has no intrinsics for these
// instructions; the portable Swift compression in Protocol/SHA256.swift stays
// the reference and the fallback (a Raspberry Pi 4 has no SHA instructions).
#ifndef CSHA256_H
#define CSHA256_H
#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the SHA extensions (and SSSE3/SSE4.1) this file
/// uses, 0 otherwise (including every non-x86 CPU).
int junction_sha256_hardware_available(void);

/// Compresses `count` 64-byte blocks at `blocks` into `state` (H0...H7 in
/// order). Call only when `junction_sha256_hardware_available()` is 1.
void junction_sha256_compress_hardware(uint32_t state[8], const uint8_t *blocks, size_t count);

#endif
