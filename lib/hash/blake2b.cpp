// BLAKE2b, written from RFC 7693 §2-§3 (G, the compression function F with
// its 12 rounds over the SIGMA permutations, the parameter block folded into
// h[0], and the padding of the last block).
#include "lib/hash/blake2b.hpp"

#include "lib/bytes.hpp"

namespace lib {
namespace {

// RFC 7693 §2.6: the IV is SHA-512's (the fractional parts of the square
// roots of the first eight primes).
constexpr uint64_t kIv[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

// RFC 7693 §2.7: message word schedule; rounds 10 and 11 reuse rows 0 and 1.
constexpr uint8_t kSigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4}, {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13}, {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11}, {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5}, {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

constexpr uint64_t rotate_right(uint64_t x, unsigned n) {
    return (x >> n) | (x << (64 - n));
}

// The mixing function G (§3.1) with BLAKE2b's rotations 32, 24, 16, 63.
void mix(uint64_t* v, int a, int b, int c, int d, uint64_t x, uint64_t y) {
    v[a] = v[a] + v[b] + x;
    v[d] = rotate_right(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = rotate_right(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + y;
    v[d] = rotate_right(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = rotate_right(v[b] ^ v[c], 63);
}

}  // namespace

Blake2b::Blake2b(size_t digest_bytes, Bytes key) {
    if (digest_bytes == 0) digest_bytes = 1;
    if (digest_bytes > kMaxDigestBytes) digest_bytes = kMaxDigestBytes;
    size_t key_bytes = key.size() > kMaxKeyBytes ? kMaxKeyBytes : key.size();
    digest_bytes_ = digest_bytes;
    for (int i = 0; i < 8; ++i) h_[i] = kIv[i];
    // §2.5 parameter block: digest length, key length, fanout 1, depth 1.
    h_[0] ^= 0x01010000ULL ^ (uint64_t(key_bytes) << 8) ^ digest_bytes;
    for (size_t i = 0; i < kBlockBytes; ++i) buffer_[i] = 0;
    if (key_bytes > 0) {
        // §3.3: a key is hashed as a first block of its own, zero-padded.
        for (size_t i = 0; i < key_bytes; ++i) buffer_[i] = key[i];
        buffered_ = kBlockBytes;
    }
}

void Blake2b::compress(bool last) {
    uint64_t m[16];
    for (int i = 0; i < 16; ++i) m[i] = load_le64(buffer_ + 8 * i);
    uint64_t v[16];
    for (int i = 0; i < 8; ++i) {
        v[i] = h_[i];
        v[i + 8] = kIv[i];
    }
    v[12] ^= counter_[0];
    v[13] ^= counter_[1];
    if (last) v[14] = ~v[14];
    for (int round = 0; round < 12; ++round) {
        const uint8_t* s = kSigma[round % 10];
        mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; ++i) h_[i] ^= v[i] ^ v[i + 8];
}

void Blake2b::update(Bytes data) {
    for (size_t i = 0; i < data.size(); ++i) {
        // A full buffer is compressed only once more input arrives: the last
        // block must be compressed with the final flag (§3.3).
        if (buffered_ == kBlockBytes) {
            counter_[0] += kBlockBytes;
            if (counter_[0] < kBlockBytes) ++counter_[1];
            compress(false);
            buffered_ = 0;
        }
        buffer_[buffered_++] = data[i];
    }
}

void Blake2b::finish(uint8_t* out) {
    counter_[0] += buffered_;
    if (counter_[0] < buffered_) ++counter_[1];
    for (size_t i = buffered_; i < kBlockBytes; ++i) buffer_[i] = 0;
    compress(true);
    for (size_t i = 0; i < digest_bytes_; ++i) out[i] = uint8_t(h_[i / 8] >> (8 * (i % 8)));
}

void Blake2b::hash512(Bytes data, uint8_t (&out)[kMaxDigestBytes]) {
    Blake2b hasher(kMaxDigestBytes);
    hasher.update(data);
    hasher.finish(out);
}

}  // namespace lib
