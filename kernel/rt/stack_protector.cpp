// -fstack-protector-strong support: the compiler stores __stack_chk_guard
// below the return address of functions with arrays or address-taken locals
// and calls __stack_chk_fail if it changed before return.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/rt/runtime.hpp"

extern "C" {
// A fixed, non-zero value until init_stack_protector replaces it, so frames
// entered before that are protected too (just predictably). The low byte is
// zero like every value we install (see below).
uintptr_t __stack_chk_guard = 0x5d1c'79a3'e48b'2f00;

[[noreturn]] __attribute__((no_stack_protector)) void __stack_chk_fail() { PANIC("stack smashing detected"); }
}

namespace rt {
namespace {

// RDRAND sets CF when the value is valid (Intel SDM Vol. 2B, RDRAND); the
// DRNG guide recommends up to 10 retries before declaring failure.
__attribute__((no_stack_protector)) bool rdrand64(uint64_t& out) {
    for (int attempt = 0; attempt < 10; ++attempt) {
        uint64_t value;
        uint8_t ok;  // not bool: the flag output is a raw 0/1 byte
        asm volatile("rdrand %0" : "=r"(value), "=@ccc"(ok));
        if (ok) {
            out = value;
            return true;
        }
    }
    return false;
}

// splitmix64's finalizer: spreads the few unpredictable low bits of a TSC
// reading over the whole word.
constexpr uint64_t mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

}  // namespace

__attribute__((no_stack_protector)) void init_stack_protector() {
    uint64_t seed = mix(arch::rdtsc());
    uint64_t random = 0;
    if (arch::has(arch::feature::kRdrand) && rdrand64(random)) {
        seed ^= random;
    } else {
        // No RDRAND: the TSC's low bits after a few CPUID round trips (which
        // serialize and take a variable number of cycles under emulation and
        // on real parts alike) are the best entropy this early.
        for (int round = 0; round < 4; ++round) {
            (void)arch::cpuid(0);
            seed = mix(seed ^ arch::rdtsc());
        }
    }
    // Zero low byte: a terminator canary, so an overflow by a string function
    // stops at it and the canary can not be read out through an unterminated
    // string (the same choice glibc makes).
    seed &= ~uint64_t(0xff);
    if (seed == 0) seed = 0x9e37'79b9'7f4a'7c00;
    __stack_chk_guard = seed;
}

uint64_t stack_guard() { return __stack_chk_guard; }

}  // namespace rt
