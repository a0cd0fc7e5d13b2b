// The ChaCha20 block function against RFC 8439's test vector (§2.3.2), and
// the generator's promises: output depends on the seed, never repeats, and
// the key changes with every request (fast key erasure).
#include "lib/random/chacha20.hpp"

#include <string.h>

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

TEST(ChaCha20, BlockFunctionMatchesRfc8439Section232) {
    // Key 00 01 02 ... 1f, nonce 00:00:00:09 00:00:00:4a 00:00:00:00, counter 1.
    uint32_t key[8];
    uint8_t key_bytes[32];
    for (int i = 0; i < 32; ++i) key_bytes[i] = uint8_t(i);
    memcpy(key, key_bytes, sizeof key);  // little-endian words, as the RFC reads them
    const uint32_t nonce[3] = {0x09000000, 0x4a000000, 0x00000000};
    uint8_t out[64];
    lib::chacha20_block(key, 1, nonce, out);
    const uint8_t expected[64] = {
        0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
        0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
        0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
        0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
    };
    EXPECT_EQ(memcmp(out, expected, sizeof out), 0);
}

TEST(ChaCha20, BlockFunctionAllZeroKeyMatchesRfc8439AppendixA1) {
    // Appendix A.1, test vector #1: key, nonce and counter all zero.
    const uint32_t key[8] = {};
    const uint32_t nonce[3] = {};
    uint8_t out[64];
    lib::chacha20_block(key, 0, nonce, out);
    const uint8_t expected_start[16] = {0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90,
                                        0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28};
    EXPECT_EQ(memcmp(out, expected_start, sizeof expected_start), 0);
}

std::string draw(lib::ChaCha20Generator& g, size_t n) {
    std::string s(n, '\0');
    g.fill(s.data(), n);
    return s;
}

TEST(ChaCha20Generator, SameSeedSameStreamOtherSeedOtherStream) {
    uint8_t seed[32] = {1, 2, 3};
    lib::ChaCha20Generator a, b, c;
    EXPECT_FALSE(a.seeded());
    a.seed(seed), b.seed(seed);
    seed[31] = 9;
    c.seed(seed);
    EXPECT_TRUE(a.seeded());
    for (size_t n : {0, 1, 31, 32, 33, 64, 100, 1000}) {
        std::string x = draw(a, n), y = draw(b, n), z = draw(c, n);
        EXPECT_EQ(x, y) << n;
        if (n >= 8) EXPECT_NE(x, z) << n;
    }
}

TEST(ChaCha20Generator, NoRequestRepeatsAndEveryRequestChangesTheKey) {
    uint8_t seed[32] = {};
    lib::ChaCha20Generator g;
    g.seed(seed);
    std::set<std::string> seen;
    for (int i = 0; i < 2000; ++i) EXPECT_TRUE(seen.insert(draw(g, 16)).second) << i;
    // A long request: no 16-byte piece of it repeats (blocks are distinct).
    std::string big = draw(g, 64 * 64);
    std::set<std::string> pieces;
    for (size_t off = 0; off < big.size(); off += 16) EXPECT_TRUE(pieces.insert(big.substr(off, 16)).second);
    // An empty request still moves the key on.
    lib::ChaCha20Generator h, k;
    h.seed(seed), k.seed(seed);
    draw(h, 0);
    EXPECT_NE(draw(h, 32), draw(k, 32));
}

TEST(ChaCha20Generator, MixingEntropyChangesTheStream) {
    uint8_t seed[32] = {7};
    lib::ChaCha20Generator a, b;
    a.seed(seed), b.seed(seed);
    uint8_t entropy[32] = {0, 0, 0, 1};
    b.mix(entropy);
    EXPECT_NE(draw(a, 32), draw(b, 32));
    // Byte statistics over a large draw: every byte value appears, none far
    // more than its share (a broken round function shows up here).
    std::string big = draw(a, 1 << 16);
    std::vector<int> counts(256, 0);
    for (unsigned char ch : big) counts[ch]++;
    for (int v = 0; v < 256; ++v) {
        EXPECT_GT(counts[v], 128) << v;
        EXPECT_LT(counts[v], 384) << v;
    }
}

}  // namespace
