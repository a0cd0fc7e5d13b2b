// In-kernel tests of the C++ runtime on the real (emulated) CPU: constructors,
// static guards, the string-instruction memory routines, the canary.
#include <stddef.h>
#include <stdint.h>

#include "kernel/rt/runtime.hpp"
#include "kernel/test/ktest.hpp"
#include "lib/x86_64/instructions.hpp"
#include "lib/x86_64/registers.hpp"

extern "C" {
void* memcpy(void*, const void*, size_t);
void* memmove(void*, const void*, size_t);
void* memset(void*, int, size_t);
int memcmp(const void*, const void*, size_t);
int bcmp(const void*, const void*, size_t);
}

namespace {

// Set by a global constructor: proves rt::run_global_constructors ran it.
struct ConstructorProbe {
    ConstructorProbe() : value(0x600d) {}
    volatile uint32_t value;
};
ConstructorProbe g_constructor_probe;

int g_static_initializations = 0;
[[gnu::noinline]] int count_initialization() { return ++g_static_initializations; }
int local_static_value() {
    static int value = count_initialization();  // needs a guard: not constant
    return value;
}

// Through volatile pointers, so the compiler calls the kernel's functions
// instead of expanding them inline.
void* (*volatile g_memcpy)(void*, const void*, size_t) = memcpy;
void* (*volatile g_memmove)(void*, const void*, size_t) = memmove;
void* (*volatile g_memset)(void*, int, size_t) = memset;
int (*volatile g_memcmp)(const void*, const void*, size_t) = memcmp;
int (*volatile g_bcmp)(const void*, const void*, size_t) = bcmp;

constexpr size_t kBuffer = 320;

void fill_pattern(uint8_t* bytes, size_t size, uint8_t seed) {
    for (size_t i = 0; i < size; ++i) static_cast<volatile uint8_t*>(bytes)[i] = uint8_t(seed + i * 7);
}

// A byte-by-byte reference memmove through volatile accesses.
void reference_move(uint8_t* bytes, size_t to, size_t from, size_t size) {
    volatile uint8_t* b = bytes;
    if (to < from) {
        for (size_t i = 0; i < size; ++i) b[to + i] = b[from + i];
    } else {
        for (size_t i = size; i > 0; --i) b[to + i - 1] = b[from + i - 1];
    }
}

bool same_bytes(const uint8_t* a, const uint8_t* b, size_t size) {
    for (size_t i = 0; i < size; ++i)
        if (static_cast<const volatile uint8_t*>(a)[i] != static_cast<const volatile uint8_t*>(b)[i]) return false;
    return true;
}

}  // namespace

KTEST(rt, global_constructor_ran) {
    KEXPECT_EQ(g_constructor_probe.value, 0x600du);
    KEXPECT_GT(rt::global_constructors_run(), 0u);
}

KTEST(rt, local_static_initialised_once) {
    int first = local_static_value();
    int second = local_static_value();
    int third = local_static_value();
    KEXPECT_EQ(first, 1);
    KEXPECT_EQ(second, 1);
    KEXPECT_EQ(third, 1);
    KEXPECT_EQ(g_static_initializations, 1);
}

KTEST(rt, stack_canary_is_random_looking) {
    uint64_t guard = rt::stack_guard();
    KEXPECT_NE(guard, 0u);
    KEXPECT_EQ(guard & 0xff, 0u);  // the terminator byte
    KEXPECT_NE(guard >> 8, 0u);
}

KTEST(rt, memcpy_all_sizes_and_alignments) {
    static uint8_t source[kBuffer], ours[kBuffer], expected[kBuffer];
    for (size_t source_offset = 0; source_offset < 8; ++source_offset) {
        for (size_t destination_offset = 0; destination_offset < 8; ++destination_offset) {
            for (size_t size = 0; size <= 260; size += (size < 40 ? 1 : 37)) {
                fill_pattern(source, kBuffer, uint8_t(size));
                fill_pattern(ours, kBuffer, 0x55);
                fill_pattern(expected, kBuffer, 0x55);
                void* result = g_memcpy(ours + destination_offset, source + source_offset, size);
                KASSERT(result == ours + destination_offset);
                for (size_t i = 0; i < size; ++i) expected[destination_offset + i] = source[source_offset + i];
                KASSERT(same_bytes(ours, expected, kBuffer));
            }
        }
    }
}

KTEST(rt, memmove_every_overlap) {
    static uint8_t ours[kBuffer], expected[kBuffer];
    static const size_t kSizes[] = {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 200};
    for (size_t size : kSizes) {
        for (size_t from = 0; from < 24; ++from) {
            for (size_t to = 0; to < 24; ++to) {
                fill_pattern(ours, kBuffer, uint8_t(from * 3 + to));
                fill_pattern(expected, kBuffer, uint8_t(from * 3 + to));
                void* result = g_memmove(ours + to, ours + from, size);
                KASSERT(result == ours + to);
                reference_move(expected, to, from, size);
                KASSERT(same_bytes(ours, expected, kBuffer));
            }
        }
    }
    // The direction flag must be clear again (System V ABI §3.2.1).
    KEXPECT_EQ(x86_64::read_rflags() & x86_64::rflags::kDirection, 0u);
}

KTEST(rt, memset_sizes_and_alignments) {
    static uint8_t ours[kBuffer], expected[kBuffer];
    for (size_t offset = 0; offset < 16; ++offset) {
        for (size_t size = 0; size <= 260; size += (size < 40 ? 1 : 29)) {
            fill_pattern(ours, kBuffer, 1);
            fill_pattern(expected, kBuffer, 1);
            void* result = g_memset(ours + offset, 0x1ab, size);  // only the low byte counts
            KASSERT(result == ours + offset);
            for (size_t i = 0; i < size; ++i) static_cast<volatile uint8_t*>(expected)[offset + i] = 0xab;
            KASSERT(same_bytes(ours, expected, kBuffer));
        }
    }
}

KTEST(rt, memcmp_orders_unsigned_bytes) {
    uint8_t a[40], b[40];
    fill_pattern(a, sizeof a, 9);
    fill_pattern(b, sizeof b, 9);
    KEXPECT_EQ(g_memcmp(a, b, sizeof a), 0);
    KEXPECT_EQ(g_bcmp(a, b, sizeof a), 0);
    KEXPECT_EQ(g_memcmp(a, b, 0), 0);
    static_cast<volatile uint8_t*>(b)[33] = uint8_t(a[33] + 1);
    KEXPECT_LT(g_memcmp(a, b, sizeof a), 0);
    KEXPECT_GT(g_memcmp(b, a, sizeof a), 0);
    KEXPECT_NE(g_bcmp(a, b, sizeof a), 0);
    KEXPECT_EQ(g_memcmp(a, b, 33), 0);
    static_cast<volatile uint8_t*>(a)[3] = 0xff;
    static_cast<volatile uint8_t*>(b)[3] = 0x01;
    KEXPECT_GT(g_memcmp(a, b, sizeof a), 0);
}
