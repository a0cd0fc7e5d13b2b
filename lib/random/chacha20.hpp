// ChaCha20 (RFC 8439 §2.3, the block function) and a random generator built
// on it, as Linux's getrandom(2) pool is: a 256-bit key from hardware
// entropy, keystream as output, and "fast key erasure" — every request first
// draws a fresh key from the keystream and forgets the old one, so what the
// generator holds never reveals what it gave out before. Freestanding, no
// allocation; the kernel's pool (kernel/dev/random.hpp) seeds and locks it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace lib {

inline constexpr size_t kChaCha20KeyBytes = 32;
inline constexpr size_t kChaCha20BlockBytes = 64;

// One 64-byte block of keystream for (key, counter, nonce), RFC 8439 §2.3.
void chacha20_block(const uint32_t (&key)[8], uint32_t counter, const uint32_t (&nonce)[3],
                    uint8_t (&out)[kChaCha20BlockBytes]);

class ChaCha20Generator {
public:
    // Replaces the key (a fresh seed).
    void seed(const uint8_t (&key)[kChaCha20KeyBytes]);
    // Folds more entropy into the key (a reseed): the new key is the old
    // one XOR `entropy`, then one request's erasure step.
    void mix(const uint8_t (&entropy)[kChaCha20KeyBytes]);
    // `size` bytes of output. Any size; the key changes on every call.
    void fill(void* out, size_t size);

    bool seeded() const { return seeded_; }

private:
    uint32_t key_[8] = {};
    uint64_t requests_ = 0;  // the nonce: never the same (key, nonce) twice, even if a key repeated
    bool seeded_ = false;
};

}  // namespace lib
