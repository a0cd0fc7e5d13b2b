#include "lib/cmdline.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace {

std::string str(lib::StringView v) { return std::string(v.data() ? v.data() : "", v.size()); }

TEST(CommandLine, FindsKeysAndValues) {
    lib::CommandLine line("test=all  quiet selftest=panic expect_cpus=4");
    EXPECT_EQ(str(line.find("test").value), "all");
    EXPECT_TRUE(line.has("quiet"));
    EXPECT_TRUE(line.find("quiet").value.empty());
    EXPECT_EQ(str(line.value_or("selftest", "none")), "panic");
    EXPECT_EQ(line.number_or("expect_cpus", 1), 4u);
    EXPECT_FALSE(line.has("tes"));
    EXPECT_FALSE(line.has("test=all"));
}

TEST(CommandLine, LastOccurrenceWins) {
    lib::CommandLine line("test=boot test=all");
    EXPECT_EQ(str(line.find("test").value), "all");
}

TEST(CommandLine, QuotedValuesKeepSpaces) {
    lib::CommandLine line("title=\"hello world\" x=1 open=\"unterminated value");
    EXPECT_EQ(str(line.find("title").value), "hello world");
    EXPECT_EQ(line.number_or("x", 0), 1u);
    EXPECT_EQ(str(line.find("open").value), "unterminated value");
}

TEST(CommandLine, EmptyAndBlank) {
    EXPECT_FALSE(lib::CommandLine("").has("x"));
    EXPECT_FALSE(lib::CommandLine("   \t ").has("x"));
    EXPECT_FALSE(lib::CommandLine(lib::StringView()).has("x"));
    lib::CommandLine line("=value key=");
    EXPECT_TRUE(line.has(""));
    EXPECT_TRUE(line.has("key"));
    EXPECT_EQ(str(line.value_or("key", "fallback")), "fallback");
}

TEST(CommandLine, NumbersRejectGarbageAndOverflow) {
    lib::CommandLine line("a=12x b=18446744073709551615 c=18446744073709551616 d=-1");
    EXPECT_EQ(line.number_or("a", 7), 7u);
    EXPECT_EQ(line.number_or("b", 7), UINT64_MAX);
    EXPECT_EQ(line.number_or("c", 7), 7u);
    EXPECT_EQ(line.number_or("d", 7), 7u);
}

TEST(CommandLine, RandomBytesNeverCrash) {
    std::mt19937 rng(1234);
    for (int round = 0; round < 5000; ++round) {
        std::string text(rng() % 64, '\0');
        for (char& c : text) c = "ab= \"\t1"[rng() % 7];
        lib::CommandLine line(lib::StringView(text.data(), text.size()));
        size_t words = 0;
        line.for_each([&](lib::StringView key, lib::StringView value) {
            ++words;
            // Every view points inside the text.
            EXPECT_GE(key.data(), text.data());
            EXPECT_LE(key.data() + key.size(), text.data() + text.size());
            if (value.size()) EXPECT_LE(value.data() + value.size(), text.data() + text.size());
        });
        EXPECT_LE(words, text.size());
        (void)line.number_or("a", 0);
    }
}

}  // namespace
