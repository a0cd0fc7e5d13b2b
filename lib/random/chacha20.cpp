#include "lib/random/chacha20.hpp"

#include "lib/bytes.hpp"

namespace lib {

namespace {

constexpr uint32_t rotl(uint32_t v, int n) {
    return (v << n) | (v >> (32 - n));
}

// RFC 8439 §2.1: the quarter round on four words of the state.
constexpr void quarter_round(uint32_t (&s)[16], int a, int b, int c, int d) {
    s[a] += s[b], s[d] ^= s[a], s[d] = rotl(s[d], 16);
    s[c] += s[d], s[b] ^= s[c], s[b] = rotl(s[b], 12);
    s[a] += s[b], s[d] ^= s[a], s[d] = rotl(s[d], 8);
    s[c] += s[d], s[b] ^= s[c], s[b] = rotl(s[b], 7);
}

// Clears memory in a way the compiler may not drop as a dead store.
void erase(void* p, size_t n) {
    volatile uint8_t* bytes = static_cast<volatile uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) bytes[i] = 0;
}

}  // namespace

void chacha20_block(const uint32_t (&key)[8], uint32_t counter, const uint32_t (&nonce)[3],
                    uint8_t (&out)[kChaCha20BlockBytes]) {
    // §2.3: the constants "expand 32-byte k", the key, the block counter,
    // the nonce; 20 rounds (10 column + diagonal double rounds); the input
    // added back word by word; serialized little-endian.
    uint32_t input[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, key[0],  key[1],   key[2],   key[3],
                          key[4],     key[5],     key[6],     key[7],     counter, nonce[0], nonce[1], nonce[2]};
    uint32_t s[16];
    for (int i = 0; i < 16; ++i) s[i] = input[i];
    for (int round = 0; round < 10; ++round) {
        quarter_round(s, 0, 4, 8, 12);
        quarter_round(s, 1, 5, 9, 13);
        quarter_round(s, 2, 6, 10, 14);
        quarter_round(s, 3, 7, 11, 15);
        quarter_round(s, 0, 5, 10, 15);
        quarter_round(s, 1, 6, 11, 12);
        quarter_round(s, 2, 7, 8, 13);
        quarter_round(s, 3, 4, 9, 14);
    }
    for (int i = 0; i < 16; ++i) store_le32(out + 4 * i, s[i] + input[i]);
    erase(s, sizeof s);
}

void ChaCha20Generator::seed(const uint8_t (&key)[kChaCha20KeyBytes]) {
    for (int i = 0; i < 8; ++i) key_[i] = load_le32(key + 4 * i);
    seeded_ = true;
}

void ChaCha20Generator::mix(const uint8_t (&entropy)[kChaCha20KeyBytes]) {
    for (int i = 0; i < 8; ++i) key_[i] ^= load_le32(entropy + 4 * i);
    seeded_ = true;
    uint8_t nothing;
    fill(&nothing, 0);  // erase: the mixed key itself is never used for output
}

void ChaCha20Generator::fill(void* out, size_t size) {
    // One request, one nonce: block 0's first half becomes the next key, its
    // second half and blocks 1.. are the output; then the old key is gone.
    const uint32_t nonce[3] = {uint32_t(requests_), uint32_t(requests_ >> 32), 0};
    ++requests_;
    uint8_t block[kChaCha20BlockBytes];
    chacha20_block(key_, 0, nonce, block);
    uint32_t next_key[8];
    for (int i = 0; i < 8; ++i) next_key[i] = load_le32(block + 4 * i);
    uint8_t* dest = static_cast<uint8_t*>(out);
    size_t n = size < kChaCha20KeyBytes ? size : kChaCha20KeyBytes;
    __builtin_memcpy(dest, block + kChaCha20KeyBytes, n);
    dest += n, size -= n;
    for (uint32_t counter = 1; size > 0; ++counter) {
        chacha20_block(key_, counter, nonce, block);
        n = size < kChaCha20BlockBytes ? size : kChaCha20BlockBytes;
        __builtin_memcpy(dest, block, n);
        dest += n, size -= n;
    }
    for (int i = 0; i < 8; ++i) key_[i] = next_key[i];
    erase(next_key, sizeof next_key);
    erase(block, sizeof block);
}

}  // namespace lib
