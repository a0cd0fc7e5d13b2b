// Host tests of inflate and gunzip against Debian's gzip: its output at
// several levels for text, random and repetitive data (stored, fixed and
// dynamic blocks), real .gz files from the system checked against zlib,
// header fields, several members, and bad input (every truncation, random
// corruption, hand-made invalid streams), which must be a clear error and
// never a read or write out of bounds (ASan + UBSan).
#include "lib/compress/gzip.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "lib/compress/inflate.hpp"

namespace {

using Data = std::vector<uint8_t>;

lib::Bytes view(const Data& d) {
    return lib::Bytes(d.data(), d.size());
}

// Runs /bin/gzip with `options` on `input` (through a temporary file).
Data gzip(const Data& input, const std::string& options) {
    char in_path[] = "/tmp/gzip_test_XXXXXX";
    int fd = mkstemp(in_path);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, input.data(), input.size()), ssize_t(input.size()));
    close(fd);
    std::string command = "gzip -c " + options + " " + in_path;
    FILE* pipe = popen(command.c_str(), "r");
    Data out;
    uint8_t buffer[65536];
    for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.insert(out.end(), buffer, buffer + n);
    EXPECT_EQ(pclose(pipe), 0) << command;
    std::remove(in_path);
    return out;
}

Data text(size_t size) {
    static const char* kWords[] = {"the ", "kernel ", "loader ", "maps ", "memory ", "and ", "registers ", "\n"};
    std::mt19937 rng(42);
    Data d;
    while (d.size() < size) {
        const char* w = kWords[rng() % 8];
        d.insert(d.end(), w, w + std::strlen(w));
    }
    d.resize(size);
    return d;
}

Data random_bytes(size_t size, unsigned seed = 7) {
    std::mt19937 rng(seed);
    Data d(size);
    for (auto& b : d) b = uint8_t(rng());
    return d;
}

Data gunzip_all(const Data& gz) {
    auto size = lib::gunzip(view(gz), nullptr, SIZE_MAX);
    EXPECT_TRUE(size.has_value()) << (size ? "" : size.error().message);
    if (!size) return {};
    Data out(*size + 1);
    auto written = lib::gunzip(view(gz), out.data(), *size);
    EXPECT_TRUE(written.has_value()) << (written ? "" : written.error().message);
    if (!written) return {};
    EXPECT_EQ(*written, *size);
    out.resize(*written);
    return out;
}

TEST(Gzip, Crc32OfTheCheckString) {
    const char* check = "123456789";  // the CRC catalogue's check value
    EXPECT_EQ(lib::crc32(lib::Bytes(reinterpret_cast<const uint8_t*>(check), 9)), 0xcbf43926u);
    EXPECT_EQ(lib::crc32({}), 0u);
}

TEST(Gzip, DebianGzipOutputAtEveryLevelComesBack) {
    const Data inputs[] = {Data{}, Data{'x'}, text(100), text(300000), random_bytes(200000), Data(500000, 'a')};
    for (const Data& input : inputs)
        for (const char* level : {"-1", "-6", "-9"}) {
            Data gz = gzip(input, std::string("-n ") + level);
            EXPECT_EQ(gunzip_all(gz), input) << "size " << input.size() << " level " << level;
        }
}

TEST(Gzip, TheFileNameFieldIsSkipped) {
    Data input = text(5000);
    Data gz = gzip(input, "-N");  // stores the temporary file's name (FNAME)
    ASSERT_GT(gz.size(), 10u);
    EXPECT_TRUE(gz[3] & (1u << 3));
    EXPECT_EQ(gunzip_all(gz), input);
}

TEST(Gzip, ExtraCommentAndHeaderCrcAreReadAndChecked) {
    Data input = text(2000);
    Data plain = gzip(input, "-n");
    // Rebuild the header with FEXTRA, FCOMMENT and FHCRC (RFC 1952 §2.3.1).
    Data header(plain.begin(), plain.begin() + 10);
    header[3] = (1u << 1) | (1u << 2) | (1u << 4);
    const uint8_t extra[] = {4, 0, 'A', 'B', 2, 0};  // XLEN 4: one subfield "AB" of length 0... and 2 bytes
    header.insert(header.end(), extra, extra + sizeof extra);
    const char* comment = "made by a test";
    header.insert(header.end(), comment, comment + std::strlen(comment) + 1);
    uint32_t crc = lib::crc32(view(header));
    header.push_back(uint8_t(crc));
    header.push_back(uint8_t(crc >> 8));
    Data gz = header;
    gz.insert(gz.end(), plain.begin() + 10, plain.end());
    EXPECT_EQ(gunzip_all(gz), input);
    gz[12] ^= 1;  // the extra field changed: the header CRC no longer matches
    auto result = lib::gunzip(view(gz), nullptr, SIZE_MAX);
    ASSERT_FALSE(result.has_value());
    EXPECT_STREQ(result.error().message, "gzip: header CRC mismatch");
}

TEST(Gzip, MembersBackToBackAreOneFile) {
    Data a = text(1000), b = random_bytes(3000);
    Data gz = gzip(a, "-n");
    Data second = gzip(b, "-n -9");
    gz.insert(gz.end(), second.begin(), second.end());
    Data expected = a;
    expected.insert(expected.end(), b.begin(), b.end());
    EXPECT_EQ(gunzip_all(gz), expected);
    gz.push_back(0);  // a byte after the last member
    auto result = lib::gunzip(view(gz), nullptr, SIZE_MAX);
    ASSERT_FALSE(result.has_value());
    EXPECT_STREQ(result.error().message, "gzip: bytes after the last member");
}

TEST(Gzip, RealGzipFilesOfTheSystemMatchZlib) {
    // Debian ships these compressed by its gzip (console fonts, changelogs).
    int checked = 0;
    for (const char* dir : {"/usr/share/consolefonts", "/usr/share/doc/gzip", "/usr/share/doc/libc6"}) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            if (entry.path().extension() != ".gz" || checked >= 12) continue;
            FILE* f = std::fopen(entry.path().c_str(), "rb");
            Data gz;
            uint8_t buffer[65536];
            for (size_t n; (n = fread(buffer, 1, sizeof buffer, f)) > 0;) gz.insert(gz.end(), buffer, buffer + n);
            std::fclose(f);
            // zlib's reading (gzip format: windowBits 15 + 16).
            z_stream z{};
            ASSERT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
            Data expected(1 << 24);
            z.next_in = gz.data();
            z.avail_in = uInt(gz.size());
            z.next_out = expected.data();
            z.avail_out = uInt(expected.size());
            ASSERT_EQ(::inflate(&z, Z_FINISH), Z_STREAM_END) << entry.path();
            expected.resize(z.total_out);
            inflateEnd(&z);
            EXPECT_EQ(gunzip_all(gz), expected) << entry.path();
            ++checked;
        }
    }
    EXPECT_GT(checked, 3);
}

TEST(Gzip, EveryTruncationIsAnErrorNotACrash) {
    Data gz = gzip(text(3000), "-n -9");
    for (size_t length = 0; length < gz.size(); ++length) {
        Data cut(gz.begin(), gz.begin() + length);
        Data out(4000);
        auto result = lib::gunzip(view(cut), out.data(), out.size());
        EXPECT_FALSE(result.has_value()) << "length " << length;
    }
}

TEST(Gzip, RandomCorruptionIsCaught) {
    Data input = text(20000);
    Data gz = gzip(input, "-n -6");
    std::mt19937 rng(1);
    int errors = 0;
    for (int round = 0; round < 2000; ++round) {
        Data bad = gz;
        for (int flips = 1 + int(rng() % 3); flips > 0; --flips) bad[rng() % bad.size()] ^= uint8_t(1u << (rng() % 8));
        Data out(input.size() * 2);
        auto result = lib::gunzip(view(bad), out.data(), out.size());
        // Either refused, or (a flip in the name or time field) the right data.
        if (!result) {
            ++errors;
            EXPECT_NE(result.error().message, nullptr);
        } else {
            EXPECT_EQ(Data(out.begin(), out.begin() + *result), input);
        }
        (void)lib::gunzip(view(bad), nullptr, SIZE_MAX);  // measuring must be as safe
    }
    EXPECT_GT(errors, 1500);
}

TEST(Gzip, OutputLargerThanTheBufferIsRefused) {
    Data gz = gzip(Data(10000, 'z'), "-n");
    Data out(9999);
    auto result = lib::gunzip(view(gz), out.data(), out.size());
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, lib::ErrorCode::kERANGE);
}

// DEFLATE streams written bit by bit (RFC 1951 §3.1.1: fields from the least
// significant bit; Huffman codes from their most significant bit).
struct BitWriter {
    Data bytes;
    unsigned used = 8;
    void put(uint32_t value, unsigned count) {
        for (unsigned i = 0; i < count; ++i) {
            if (used == 8) {
                bytes.push_back(0);
                used = 0;
            }
            bytes.back() |= uint8_t(((value >> i) & 1) << used++);
        }
    }
    void code(uint32_t code, unsigned length) {
        for (unsigned i = length; i-- > 0;) put((code >> i) & 1, 1);
    }
};

std::string inflate_error(const Data& stream) {
    Data out(1000);
    size_t consumed = 0;
    auto result = lib::inflate(view(stream), out.data(), out.size(), &consumed);
    return result ? "ok" : result.error().message;
}

TEST(Inflate, HandMadeInvalidStreamsNameTheirFault) {
    {
        BitWriter w;  // final fixed block: length 3 (code 257 = 0000001), distance 1, with no output before
        w.put(1, 1);
        w.put(1, 2);
        w.code(1, 7);
        w.code(0, 5);
        EXPECT_EQ(inflate_error(w.bytes), "deflate: a distance reaches back before the start of the output");
    }
    {
        BitWriter w;  // block type 3
        w.put(1, 1);
        w.put(3, 2);
        EXPECT_EQ(inflate_error(w.bytes), "deflate: block type 3 is reserved");
    }
    {
        BitWriter w;  // stored block whose NLEN is not ~LEN
        w.put(1, 1);
        w.put(0, 2);
        w.put(0, 5);
        w.put(5, 16);
        w.put(5, 16);
        EXPECT_EQ(inflate_error(w.bytes), "deflate: a stored block's length and its complement differ");
    }
    {
        BitWriter w;  // dynamic block: code-length code lengths all 1 (19 codes of 1 bit)
        w.put(1, 1);
        w.put(2, 2);
        w.put(0, 5);
        w.put(0, 5);
        w.put(15, 4);
        for (int i = 0; i < 19; ++i) w.put(1, 3);
        EXPECT_EQ(inflate_error(w.bytes), "deflate: a Huffman code is over-subscribed");
    }
    {
        BitWriter w;  // fixed block: literal 'A' then a length code 286 (11000110, 8 bits)
        w.put(1, 1);
        w.put(1, 2);
        w.code(0x30 + 'A', 8);
        w.code(0xc6, 8);
        EXPECT_EQ(inflate_error(w.bytes), "deflate: a length code beyond 285");
    }
}

TEST(Inflate, StoredAndFixedBlocksDecode) {
    BitWriter w;
    w.put(0, 1);  // stored, not final: "hi"
    w.put(0, 2);
    w.put(0, 5);
    w.put(2, 16);
    w.put(0xfffd, 16);
    w.put('h', 8);
    w.put('i', 8);
    w.put(1, 1);  // fixed, final: '!' then length 3 distance 3 ("hi!") then end
    w.put(1, 2);
    w.code(0x30 + '!', 8);
    w.code(1, 7);  // 257: length 3
    w.code(2, 5);  // distance code 2: distance 3
    w.code(0, 7);  // 256: end of block
    Data out(16);
    size_t consumed = 0;
    auto size = lib::inflate(view(w.bytes), out.data(), out.size(), &consumed);
    ASSERT_TRUE(size.has_value()) << size.error().message;
    EXPECT_EQ(std::string(out.begin(), out.begin() + *size), "hi!hi!");
    EXPECT_EQ(consumed, w.bytes.size());
}

}  // namespace
