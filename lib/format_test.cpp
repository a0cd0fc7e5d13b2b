// Host tests of lib/format.hpp: every spec, every argument type, the edge
// values of each integer width, malformed format strings and truncation.
#include "lib/format.hpp"

#include <gtest/gtest.h>

#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

namespace {

struct StringSink {
    std::string text;
    void put(char c) { text.push_back(c); }
};

template <typename... Args>
std::string fmt(const char* format, const Args&... args) {
    StringSink sink;
    lib::format_to(sink, format, args...);
    return sink.text;
}

enum class Colour : uint8_t { kRed = 3 };
enum Plain { kPlainSeven = 7 };

TEST(Format, PlainTextAndEscapes) {
    EXPECT_EQ(fmt(""), "");
    EXPECT_EQ(fmt("hello"), "hello");
    EXPECT_EQ(fmt("{{}}"), "{}");
    EXPECT_EQ(fmt("a{{b}}c {}", 1), "a{b}c 1");
    EXPECT_EQ(fmt("lone } brace"), "lone } brace");
}

TEST(Format, SignedEdges) {
    EXPECT_EQ(fmt("{}", int8_t(INT8_MIN)), "-128");
    EXPECT_EQ(fmt("{}", int8_t(INT8_MAX)), "127");
    EXPECT_EQ(fmt("{}", int16_t(INT16_MIN)), "-32768");
    EXPECT_EQ(fmt("{}", int32_t(INT32_MIN)), "-2147483648");
    EXPECT_EQ(fmt("{}", int32_t(INT32_MAX)), "2147483647");
    EXPECT_EQ(fmt("{}", int64_t(INT64_MIN)), "-9223372036854775808");
    EXPECT_EQ(fmt("{}", int64_t(INT64_MAX)), "9223372036854775807");
    EXPECT_EQ(fmt("{}", 0), "0");
    EXPECT_EQ(fmt("{}", -1), "-1");
    EXPECT_EQ(fmt("{}", -1L), "-1");
    EXPECT_EQ(fmt("{}", -1LL), "-1");
    EXPECT_EQ(fmt("{}", short(-5)), "-5");
}

TEST(Format, UnsignedEdges) {
    EXPECT_EQ(fmt("{}", uint8_t(255)), "255");
    EXPECT_EQ(fmt("{}", uint16_t(65535)), "65535");
    EXPECT_EQ(fmt("{}", UINT32_MAX), "4294967295");
    EXPECT_EQ(fmt("{}", UINT64_MAX), "18446744073709551615");
    EXPECT_EQ(fmt("{}", size_t(0)), "0");
    EXPECT_EQ(fmt("{}", 42UL), "42");
}

TEST(Format, Bases) {
    EXPECT_EQ(fmt("{:x}", 255), "ff");
    EXPECT_EQ(fmt("{:X}", 255), "FF");
    EXPECT_EQ(fmt("{:#x}", 255), "0xff");
    EXPECT_EQ(fmt("{:#X}", 255), "0xFF");
    EXPECT_EQ(fmt("{:b}", 5), "101");
    EXPECT_EQ(fmt("{:#b}", 5), "0b101");
    EXPECT_EQ(fmt("{:o}", 8), "10");
    EXPECT_EQ(fmt("{:#o}", 8), "0o10");
    EXPECT_EQ(fmt("{:d}", 17), "17");
    EXPECT_EQ(fmt("{:x}", 0), "0");
    EXPECT_EQ(fmt("{:x}", UINT64_MAX), "ffffffffffffffff");
    EXPECT_EQ(fmt("{:b}", UINT64_MAX), std::string(64, '1'));
    EXPECT_EQ(fmt("{:#b}", INT64_MIN), "-0b1" + std::string(63, '0'));
    EXPECT_EQ(fmt("{:x}", INT64_MIN), "-8000000000000000");
    EXPECT_EQ(fmt("{:#x}", -255), "-0xff");
    EXPECT_EQ(fmt("{:o}", UINT64_MAX), "1777777777777777777777");
}

TEST(Format, WidthFillAlign) {
    EXPECT_EQ(fmt("[{:5}]", 42), "[   42]");
    EXPECT_EQ(fmt("[{:<5}]", 42), "[42   ]");
    EXPECT_EQ(fmt("[{:^5}]", 42), "[ 42  ]");
    EXPECT_EQ(fmt("[{:>5}]", 42), "[   42]");
    EXPECT_EQ(fmt("[{:*^6}]", 42), "[**42**]");
    EXPECT_EQ(fmt("[{:.<4}]", 'a'), "[a...]");
    EXPECT_EQ(fmt("[{:5}]", "ab"), "[ab   ]");
    EXPECT_EQ(fmt("[{:>5}]", "ab"), "[   ab]");
    EXPECT_EQ(fmt("[{:1}]", "abc"), "[abc]");
    EXPECT_EQ(fmt("[{:6}]", true), "[true  ]");
    EXPECT_EQ(fmt("[{:>6}]", false), "[ false]");
    EXPECT_EQ(fmt("[{:-<3}]", 'x'), "[x--]");
    EXPECT_EQ(fmt("[{:0<4}]", 7), "[7000]");  // '0' as fill before an align
}

TEST(Format, ZeroPadding) {
    EXPECT_EQ(fmt("{:05}", 42), "00042");
    EXPECT_EQ(fmt("{:05}", -42), "-0042");
    EXPECT_EQ(fmt("{:#010x}", 0xbeef), "0x0000beef");
    EXPECT_EQ(fmt("{:08b}", 5), "00000101");
    EXPECT_EQ(fmt("{:02}", 12345), "12345");
    EXPECT_EQ(fmt("{:016x}", 0x1234), "0000000000001234");
    EXPECT_EQ(fmt("{:<05}", 1), "00001");  // zero padding wins over alignment
}

TEST(Format, BoolAndChar) {
    EXPECT_EQ(fmt("{}", true), "true");
    EXPECT_EQ(fmt("{}", false), "false");
    EXPECT_EQ(fmt("{:s}", true), "true");
    EXPECT_EQ(fmt("{:d}", true), "1");
    EXPECT_EQ(fmt("{}", 'A'), "A");
    EXPECT_EQ(fmt("{:c}", 'A'), "A");
    EXPECT_EQ(fmt("{:d}", 'A'), "65");
    EXPECT_EQ(fmt("{:x}", char(0xff)), "ff");
    EXPECT_EQ(fmt("{:c}", 66), "B");
    EXPECT_EQ(fmt("{:c}", 256), "{!}");
    EXPECT_EQ(fmt("{:c}", -1), "{!}");
    EXPECT_EQ(fmt("{}", uint8_t(65)), "65");  // uint8_t is a number, not a char
}

TEST(Format, Strings) {
    const char* null_string = nullptr;
    char mutable_text[] = "mutable";
    EXPECT_EQ(fmt("{}", "literal"), "literal");
    EXPECT_EQ(fmt("{}", null_string), "(null)");
    EXPECT_EQ(fmt("{}", static_cast<const char*>("ptr")), "ptr");
    EXPECT_EQ(fmt("{}", mutable_text), "mutable");
    EXPECT_EQ(fmt("{}", lib::StringView("abcdef", 3)), "abc");
    EXPECT_EQ(fmt("{}", lib::StringView()), "");
    EXPECT_EQ(fmt("{:s}", "s"), "s");
    EXPECT_EQ(fmt("{:d}", "s"), "{!}");
    // A char array without a NUL is not read past its end.
    const char unterminated[3] = {'a', 'b', 'c'};
    EXPECT_EQ(fmt("{}|", unterminated), "abc|");
    // Embedded NULs in a StringView are passed through.
    EXPECT_EQ(fmt("{}", lib::StringView("a\0b", 3)), std::string("a\0b", 3));
}

TEST(Format, Pointers) {
    int object = 0;
    char expected[32];
    std::snprintf(expected, sizeof expected, "0x%016" PRIxPTR, reinterpret_cast<uintptr_t>(&object));
    EXPECT_EQ(fmt("{}", &object), expected);
    EXPECT_EQ(fmt("{:p}", &object), expected);
    EXPECT_EQ(fmt("{}", static_cast<void*>(nullptr)), "0x0000000000000000");
    EXPECT_EQ(fmt("{}", nullptr), "0x0000000000000000");
    EXPECT_EQ(fmt("{:x}", reinterpret_cast<void*>(0xabc)), "abc");
    EXPECT_EQ(fmt("{:#x}", reinterpret_cast<void*>(0xabc)), "0xabc");
    EXPECT_EQ(fmt("{:p}", uint64_t(0xffffffff80000000)), "0xffffffff80000000");
    EXPECT_EQ(fmt("{:p}", "x").substr(0, 2), "0x");
    EXPECT_EQ(fmt("{:d}", &object), "{!}");
    const volatile int* volatile_pointer = &object;
    EXPECT_EQ(fmt("{}", volatile_pointer), expected);
    EXPECT_EQ(fmt("[{:>20}]", nullptr), "[  0x0000000000000000]");
}

TEST(Format, Enums) {
    EXPECT_EQ(fmt("{}", Colour::kRed), "3");
    EXPECT_EQ(fmt("{}", kPlainSeven), "7");
}

TEST(Format, MismatchesNeverCrash) {
    EXPECT_EQ(fmt("{}"), "{?}");
    EXPECT_EQ(fmt("{} {}", 1), "1 {?}");
    EXPECT_EQ(fmt("{}", 1, 2, 3), "1");
    EXPECT_EQ(fmt("{:q}", 1), "{!}");
    EXPECT_EQ(fmt("{:5x5}", 1), "{!}");
    EXPECT_EQ(fmt("{0}", 1), "{!}");
    EXPECT_EQ(fmt("{:99999999999}", 1), "{!}");
    EXPECT_EQ(fmt("{:1025}", 1), "{!}");
    EXPECT_EQ(fmt("abc {", 1), "abc {!}");
    EXPECT_EQ(fmt("abc {:", 1), "abc {!}");
    EXPECT_EQ(fmt("{:q}"), "{!}");
    // A bad placeholder still uses up its argument.
    EXPECT_EQ(fmt("{:q} {}", 1, 2), "{!} 2");
    EXPECT_EQ(fmt("{:s}", 5), "{!}");
    EXPECT_EQ(fmt("{:p}", -5), "{!}");
    EXPECT_EQ(fmt("{:c}", true), "{!}");
    EXPECT_EQ(fmt("{:p}", 'c'), "{!}");
}

TEST(Format, BufferTruncates) {
    char buffer[8];
    EXPECT_EQ(lib::format(buffer, sizeof buffer, "{}", 1234), 4u);
    EXPECT_STREQ(buffer, "1234");
    EXPECT_EQ(lib::format(buffer, sizeof buffer, "{}-{}", "abcdef", 12345), 12u);
    EXPECT_STREQ(buffer, "abcdef-");
    EXPECT_EQ(lib::format(buffer, 1, "xyz"), 3u);
    EXPECT_STREQ(buffer, "");
    buffer[0] = 'Q';
    EXPECT_EQ(lib::format(buffer, 0, "xyz"), 3u);
    EXPECT_EQ(buffer[0], 'Q');
    EXPECT_EQ(lib::format(nullptr, 0, "{}", 99), 2u);
    // Exactly fitting: 7 characters plus the NUL.
    EXPECT_EQ(lib::format(buffer, sizeof buffer, "1234567"), 7u);
    EXPECT_STREQ(buffer, "1234567");
}

TEST(Format, BufferNeverWritesPastSize) {
    char buffer[16];
    for (size_t size = 0; size <= 10; ++size) {
        std::memset(buffer, 'Z', sizeof buffer);
        lib::format(buffer, size, "{:>12}", 5);
        for (size_t i = size; i < sizeof buffer; ++i) EXPECT_EQ(buffer[i], 'Z') << "size " << size;
        if (size > 0) EXPECT_EQ(buffer[size - 1], '\0');
    }
}

// Randomized: integers against printf, in every base, with seeded inputs.
TEST(Format, RandomizedIntegersMatchPrintf) {
    std::mt19937_64 random(20261125);
    for (int i = 0; i < 5000; ++i) {
        uint64_t bits = random();
        int shift = static_cast<int>(random() % 64);
        uint64_t unsigned_value = bits >> shift;
        int64_t signed_value = static_cast<int64_t>(bits) >> shift;
        char expected[128];
        std::snprintf(expected, sizeof expected, "%" PRIu64, unsigned_value);
        EXPECT_EQ(fmt("{}", unsigned_value), expected);
        std::snprintf(expected, sizeof expected, "%" PRId64, signed_value);
        EXPECT_EQ(fmt("{}", signed_value), expected);
        std::snprintf(expected, sizeof expected, "%" PRIx64, unsigned_value);
        EXPECT_EQ(fmt("{:x}", unsigned_value), expected);
        std::snprintf(expected, sizeof expected, "%#" PRIo64, unsigned_value);
        if (unsigned_value != 0) EXPECT_EQ(fmt("{:#o}", unsigned_value), std::string("0o") + (expected + 1));
        int width = static_cast<int>(random() % 30);
        std::snprintf(expected, sizeof expected, "%0*" PRId64, width, signed_value);
        std::string spec = "{:0" + std::to_string(width) + "}";
        EXPECT_EQ(lib::format(nullptr, 0, spec.c_str(), signed_value), strlen(expected));
        EXPECT_EQ(fmt(spec.c_str(), signed_value), expected);
        std::snprintf(expected, sizeof expected, "%*" PRIX64, width, unsigned_value);
        spec = "{:" + std::to_string(width) + "X}";
        EXPECT_EQ(fmt(spec.c_str(), unsigned_value), expected);
    }
}

// Randomized hostile format strings: never crash, never write out of bounds
// (ASan checks), and the length returned always matches the full output.
TEST(Format, RandomizedHostileFormatStrings) {
    std::mt19937 random(7);
    const char alphabet[] = "{}:<>^#0123456789dxXbocsp*-q";
    for (int i = 0; i < 20000; ++i) {
        std::string format;
        size_t length = random() % 24;
        for (size_t j = 0; j < length; ++j) format.push_back(alphabet[random() % (sizeof alphabet - 1)]);
        std::string full = fmt(format.c_str(), -7, "str", 'c', true, static_cast<void*>(nullptr), UINT64_MAX);
        char buffer[12];
        size_t reported = lib::format(buffer, sizeof buffer, format.c_str(), -7, "str", 'c', true,
                                      static_cast<void*>(nullptr), UINT64_MAX);
        EXPECT_EQ(reported, full.size()) << format;
        EXPECT_EQ(std::string(buffer), full.substr(0, sizeof buffer - 1)) << format;
    }
}

}  // namespace
