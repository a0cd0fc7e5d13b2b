// The kernel's random bytes for programs: getrandom(2) (and, through the
// file-system engineer's devices, /dev/urandom). A ChaCha20 generator
// (lib/random/chacha20.hpp) seeded from the CPU's entropy source — RDSEED
// where the CPU has it (Intel SDM Vol. 1 §7.3.17.2: a seed-grade source),
// else RDRAND, else the jitter of TSC reads (weak; logged once) — and
// reseeded from the same source every kReseedRequests requests.
//
//   dev::random::fill(buffer, n);     // any context except NMI; never blocks
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace dev::random {

inline constexpr uint64_t kReseedRequests = 256;

enum class Source : uint8_t { kRdseed, kRdrand, kTscJitter };
const char* source_name(Source source);

// Seeds the generator (first use does it too). Logs which source it used.
void init();
Source source();

// `size` bytes of output. Takes an interrupt-safe lock for the duration
// of the ChaCha20 work (64 bytes per block): callers with large requests
// fill in pieces (getrandom copies out page by page).
void fill(void* out, size_t size);

}  // namespace dev::random
