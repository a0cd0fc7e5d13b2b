// In-kernel tests of the kernel's random bytes (suite "random"): seeded from
// the CPU's hardware source on QEMU's `-cpu max` (which has RDSEED), and
// every request gives different bytes.
#include "kernel/dev/random.hpp"
#include "kernel/test/ktest.hpp"
#include "lib/x86_64/cpuid.hpp"

KTEST(random, seeded_from_the_best_hardware_source) {
    dev::random::init();
    if (x86_64::has(x86_64::feature::kRdseed)) {
        KEXPECT(dev::random::source() == dev::random::Source::kRdseed);
    } else if (x86_64::has(x86_64::feature::kRdrand)) {
        KEXPECT(dev::random::source() == dev::random::Source::kRdrand);
    }
}

KTEST(random, requests_differ_and_fill_every_byte) {
    uint8_t a[48], b[48];
    __builtin_memset(a, 0, sizeof a);
    __builtin_memset(b, 0, sizeof b);
    dev::random::fill(a, sizeof a);
    dev::random::fill(b, sizeof b);
    KEXPECT(__builtin_memcmp(a, b, sizeof a) != 0);
    // No 8-byte word of a request stays zero (a byte left unwritten would).
    for (size_t i = 0; i < sizeof a; i += 8) {
        uint64_t word;
        __builtin_memcpy(&word, a + i, 8);
        KEXPECT_NE(word, 0u);
    }
    // Past a reseed: still different bytes.
    uint8_t c[16];
    for (uint64_t i = 0; i < dev::random::kReseedRequests + 1; ++i) dev::random::fill(c, sizeof c);
    KEXPECT(__builtin_memcmp(c, a, sizeof c) != 0);
}
