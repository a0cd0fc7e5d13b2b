// The two hashes against their reference vectors: RFC 7693 Appendix A
// (BLAKE2b-512 of "abc") and Appendix E (the self-test's grand hash over
// keyed and unkeyed digests of every length), and the BLAKE3 team's
// test_vectors.json ("hash" mode: input i % 251 of each length; the first 32
// bytes are the default output, longer prefixes the extended output).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lib/hash/blake2b.hpp"
#include "lib/hash/blake3.hpp"

namespace {

std::string hex(const uint8_t* bytes, size_t size) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < size; ++i) {
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 15];
    }
    return out;
}

lib::Bytes bytes_of(const std::vector<uint8_t>& v) {
    return lib::Bytes(v.data(), v.size());
}

TEST(Blake2b, Rfc7693AppendixA) {
    const uint8_t abc[] = {'a', 'b', 'c'};
    uint8_t digest[64];
    lib::Blake2b::hash512(lib::Bytes(abc, 3), digest);
    EXPECT_EQ(hex(digest, 64),
              "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
              "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
}

// RFC 7693 Appendix E: a Fibonacci-like byte sequence seeded by the length.
std::vector<uint8_t> selftest_sequence(size_t length, uint32_t seed) {
    std::vector<uint8_t> out(length);
    uint32_t a = 0xDEAD4BADu * seed, b = 1;
    for (size_t i = 0; i < length; ++i) {
        uint32_t t = a + b;
        a = b;
        b = t;
        out[i] = uint8_t(t >> 24);
    }
    return out;
}

TEST(Blake2b, Rfc7693AppendixESelfTest) {
    const size_t digest_lengths[] = {20, 32, 48, 64};
    const size_t input_lengths[] = {0, 3, 128, 129, 255, 1024};
    lib::Blake2b grand(32);
    for (size_t outlen : digest_lengths) {
        for (size_t inlen : input_lengths) {
            std::vector<uint8_t> in = selftest_sequence(inlen, uint32_t(inlen));
            uint8_t md[64];
            lib::Blake2b unkeyed(outlen);
            unkeyed.update(bytes_of(in));
            unkeyed.finish(md);
            grand.update(lib::Bytes(md, outlen));
            std::vector<uint8_t> key = selftest_sequence(outlen, uint32_t(outlen));
            lib::Blake2b keyed(outlen, bytes_of(key));
            keyed.update(bytes_of(in));
            keyed.finish(md);
            grand.update(lib::Bytes(md, outlen));
        }
    }
    uint8_t result[32];
    grand.finish(result);
    EXPECT_EQ(hex(result, 32), "c23a7800d98123bd10f506c61e29da5603d763b8bbad2e737f5e765a7bccd475");
}

TEST(Blake2b, StreamingInAnyPiecesEqualsOneCall) {
    std::vector<uint8_t> data = selftest_sequence(1000, 7);
    uint8_t whole[64], pieces[64];
    lib::Blake2b::hash512(bytes_of(data), whole);
    for (size_t step : {1u, 7u, 127u, 128u, 129u, 999u}) {
        lib::Blake2b hasher;
        for (size_t at = 0; at < data.size(); at += step)
            hasher.update(lib::Bytes(data.data() + at, std::min(step, data.size() - at)));
        hasher.finish(pieces);
        EXPECT_EQ(hex(whole, 64), hex(pieces, 64)) << "step " << step;
    }
}

struct Blake3Vector {
    size_t input_length;
    const char* output;  // a prefix of the reference extended output
};

// From test_vectors.json, "hash" mode.
const Blake3Vector kBlake3Vectors[] = {
    {0,
     "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262e00f03e7b69af26b7faaf09fcd333050338ddfe085b8cc869"
     "ca98b206c08243a26f5487789e8f660afe6c99ef9e0c52b92e7393024a80459cf91f476f9ffdbda7001c22e159b402631f277ca96f2defdf1"
     "078282314e763699a31c5363165421cce14d"},
    {1, "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"},
    {1023, "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11"},
    {1024, "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7"},
    {1025,
     "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444f4c4a22b4b399155358a994e52bf255de60035742ec71bd08"
     "ac275a1b51cc6bfe332b0ef84b409108cda080e6269ed4b3e2c3f7d722aa4cdc98d16deb554e5627be8f955c98e1d5f9565a9194cad0c4285"
     "f93700062d9595adb992ae68ff12800ab67a"},
    {2048, "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a"},
    {2049, "5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030"},
    {3072, "b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2"},
    {3073, "7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3"},
    {4096, "015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969"},
    {4097, "9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995"},
    {5120, "9cadc15fed8b5d854562b26a9536d9707cadeda9b143978f319ab34230535833"},
    {5121, "628bd2cb2004694adaab7bbd778a25df25c47b9d4155a55f8fbd79f2fe154cff"},
    {6144, "3e2e5b74e048f3add6d21faab3f83aa44d3b2278afb83b80b3c35164ebeca205"},
    {6145, "f1323a8631446cc50536a9f705ee5cb619424d46887f3c376c695b70e0f0507f"},
    {7168, "61da957ec2499a95d6b8023e2b0e604ec7f6b50e80a9678b89d2628e99ada77a"},
    {7169, "a003fc7a51754a9b3c7fae0367ab3d782dccf28855a03d435f8cfe74605e7817"},
    {8193, "bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3b"},
    {16384, "f875d6646de28985646f34ee13be9a576fd515f76b5b0a26bb324735041ddde4"},
    {31744, "62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47"},
    {102400,
     "bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085e01c59dab908c04c3342b816941a26d69c2605ebee5ec5291"
     "cc55e15b76146e6745f0601156c3596cb75065a9c57f35585a52e1ac70f69131c23d611ce11ee4ab1ec2c009012d236648e77be9295dd0426"
     "f29b764d65de58eb7d01dd42248204f45f8e"},
};

TEST(Blake3, ReferenceVectors) {
    for (const Blake3Vector& vector : kBlake3Vectors) {
        std::vector<uint8_t> input(vector.input_length);
        for (size_t i = 0; i < input.size(); ++i) input[i] = uint8_t(i % 251);
        std::string expected = vector.output;
        std::vector<uint8_t> out(expected.size() / 2);
        lib::Blake3 hasher;
        hasher.update(bytes_of(input));
        hasher.finish(out.data(), out.size());
        EXPECT_EQ(hex(out.data(), out.size()), expected) << "input length " << vector.input_length;
        uint8_t digest[32];
        lib::Blake3::hash256(bytes_of(input), digest);
        EXPECT_EQ(hex(digest, 32), expected.substr(0, 64)) << "input length " << vector.input_length;
    }
}

TEST(Blake3, StreamingInAnyPiecesEqualsOneCall) {
    std::vector<uint8_t> data(5000);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7 + 3);
    uint8_t whole[32], pieces[32];
    lib::Blake3::hash256(bytes_of(data), whole);
    for (size_t step : {1u, 63u, 64u, 65u, 1023u, 1024u, 1025u, 4999u}) {
        lib::Blake3 hasher;
        for (size_t at = 0; at < data.size(); at += step)
            hasher.update(lib::Bytes(data.data() + at, std::min(step, data.size() - at)));
        hasher.finish(pieces, 32);
        EXPECT_EQ(hex(whole, 32), hex(pieces, 32)) << "step " << step;
    }
}

}  // namespace
