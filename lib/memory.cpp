// x86_64 string-instruction memory primitives; see memory.hpp.
#include "lib/memory.hpp"

namespace lib {
namespace {

// REP MOVSB with DF clear copies RCX bytes from [RSI] to [RDI] upwards, one
// byte at a time architecturally (Intel SDM Vol. 2B, MOVS), so it is also
// correct for an overlapping copy to a lower address.
inline void rep_movsb_forward(uint8_t* destination, const uint8_t* source, size_t size) {
    asm volatile("rep movsb" : "+D"(destination), "+S"(source), "+c"(size) : : "memory");
}

// An 8-byte word at any alignment (x86 allows unaligned loads and stores):
// packed, so the compiler (and UBSan) assume alignment 1; may_alias because
// it reads and writes bytes of objects of any type.
struct [[gnu::packed, gnu::may_alias]] UnalignedWord {
    uint64_t value;
};

inline uint64_t load_word(const uint8_t* at) { return reinterpret_cast<const UnalignedWord*>(at)->value; }
inline void store_word(uint8_t* at, uint64_t value) { reinterpret_cast<UnalignedWord*>(at)->value = value; }

}  // namespace

// Non-overlapping: REP MOVSQ for the words, REP MOVSB for the tail (both
// fast-string operations on CPUs with ERMS; under QEMU's TCG, which counts
// one instruction per iteration, a word costs what a byte did).
void copy_bytes(void* destination, const void* source, size_t size) {
    auto* to = static_cast<uint8_t*>(destination);
    const auto* from = static_cast<const uint8_t*>(source);
    size_t words = size / 8;
    asm volatile("rep movsq" : "+D"(to), "+S"(from), "+c"(words) : : "memory");
    rep_movsb_forward(to, from, size % 8);
}

// no_builtin: the loops below must not be recognized as a memmove idiom and
// replaced by a call to memmove, which is this function.
__attribute__((no_builtin("memmove", "memcpy"))) void move_bytes(void* destination, const void* source, size_t size) {
    auto* to = static_cast<uint8_t*>(destination);
    const auto* from = static_cast<const uint8_t*>(source);
    // Forward is safe unless the destination starts inside the source range
    // above it. Unsigned distance: to - from >= size also covers to < from.
    if (uintptr_t(to) - uintptr_t(from) >= size) {
        rep_movsb_forward(to, from, size);
        return;
    }
    // Backward, from the top down, 32 bytes per step: each step loads all its
    // words before storing any, and its stores land at or above its own
    // source (the destination is the higher one), so they only overwrite
    // source bytes that have already been read. Not STD + REP MOVS: string
    // moves with DF set miss the fast-string microcode and setting DF alone
    // costs more than a short copy.
    size_t remaining = size;
    while (remaining >= 32) {
        remaining -= 32;
        uint64_t w0 = load_word(from + remaining), w1 = load_word(from + remaining + 8);
        uint64_t w2 = load_word(from + remaining + 16), w3 = load_word(from + remaining + 24);
        store_word(to + remaining, w0);
        store_word(to + remaining + 8, w1);
        store_word(to + remaining + 16, w2);
        store_word(to + remaining + 24, w3);
    }
    while (remaining >= 8) {
        remaining -= 8;
        store_word(to + remaining, load_word(from + remaining));
    }
    while (remaining > 0) {
        --remaining;
        to[remaining] = from[remaining];
    }
}

// REP STOSQ with the byte repeated in every lane, then REP STOSB for the
// tail (copy_bytes says why words).
void fill_bytes(void* destination, uint8_t value, size_t size) {
    auto* to = static_cast<uint8_t*>(destination);
    size_t words = size / 8;
    size_t tail = size % 8;
    uint64_t pattern = uint64_t(value) * 0x0101010101010101ULL;
    asm volatile("rep stosq" : "+D"(to), "+c"(words) : "a"(pattern) : "memory");
    asm volatile("rep stosb" : "+D"(to), "+c"(tail) : "a"(pattern) : "memory");
}

__attribute__((no_builtin("memcmp", "bcmp"))) int compare_bytes(const void* a, const void* b, size_t size) {
    const auto* left = static_cast<const uint8_t*>(a);
    const auto* right = static_cast<const uint8_t*>(b);
    size_t i = 0;
    // Eight bytes at a time while they agree; the first differing word is
    // then ordered byte by byte below.
    while (size - i >= 8 && load_word(left + i) == load_word(right + i)) i += 8;
    for (; i < size; ++i) {
        if (left[i] != right[i]) return int(left[i]) - int(right[i]);
    }
    return 0;
}

}  // namespace lib
