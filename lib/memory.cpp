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

// Copies `qwords` 8-byte words downwards with DF set: RSI/RDI point at the
// LAST word on entry. DF must be clear again before returning (System V ABI
// §3.2.1: "the direction flag DF ... must be clear on function entry and
// return"). REP MOVSQ, not MOVSB: backward byte moves miss the fast-strings
// microcode on most CPUs, word moves lose less.
inline void rep_movsq_backward(uint8_t* last_destination_word, const uint8_t* last_source_word, size_t qwords) {
    asm volatile("std\n\trep movsq\n\tcld"
                 : "+D"(last_destination_word), "+S"(last_source_word), "+c"(qwords)
                 :
                 : "memory", "cc");
}

}  // namespace

void copy_bytes(void* destination, const void* source, size_t size) {
    rep_movsb_forward(static_cast<uint8_t*>(destination), static_cast<const uint8_t*>(source), size);
}

void move_bytes(void* destination, const void* source, size_t size) {
    auto* to = static_cast<uint8_t*>(destination);
    const auto* from = static_cast<const uint8_t*>(source);
    // Forward is safe unless the destination starts inside the source range
    // above it. Unsigned distance: to - from >= size also covers to < from.
    if (uintptr_t(to) - uintptr_t(from) >= size) {
        rep_movsb_forward(to, from, size);
        return;
    }
    // Backward: first the bytes past the last whole word (the highest ones),
    // then the words from the top down. Each step reads its source before any
    // later step writes over it, because every later step works lower down.
    size_t tail = size % 8;
    size_t words = size / 8;
    for (size_t i = size; i > size - tail; --i) {
        // volatile: keeps the optimizer from turning this loop into memmove.
        static_cast<volatile uint8_t*>(to)[i - 1] = from[i - 1];
    }
    if (words != 0) rep_movsq_backward(to + (words - 1) * 8, from + (words - 1) * 8, words);
}

void fill_bytes(void* destination, uint8_t value, size_t size) {
    auto* to = static_cast<uint8_t*>(destination);
    asm volatile("rep stosb" : "+D"(to), "+c"(size) : "a"(value) : "memory");
}

int compare_bytes(const void* a, const void* b, size_t size) {
    const auto* left = static_cast<const uint8_t*>(a);
    const auto* right = static_cast<const uint8_t*>(b);
    size_t i = 0;
    // Eight bytes at a time while they agree; the loads go through
    // __builtin_memcpy-free byte assembly so no library call can appear.
    while (size - i >= 8) {
        uint64_t x = 0, y = 0;
        for (size_t k = 0; k < 8; ++k) {
            x |= uint64_t(left[i + k]) << (8 * k);
            y |= uint64_t(right[i + k]) << (8 * k);
        }
        if (x != y) break;
        i += 8;
    }
    for (; i < size; ++i) {
        if (left[i] != right[i]) return int(left[i]) - int(right[i]);
    }
    return 0;
}

}  // namespace lib
