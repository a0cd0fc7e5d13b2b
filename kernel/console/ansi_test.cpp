// Host tests of the escape-sequence recogniser and SGR styles.
#include "kernel/console/ansi.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using console::AnsiParser;
using console::TextStyle;

// Feeds `input`; returns the visible text, and appends each SGR's parameter
// list (as "a,b,c") to `sgrs`.
std::string run(AnsiParser& parser, const std::string& input, std::vector<std::string>* sgrs = nullptr) {
    std::string text;
    for (char c : input) {
        switch (parser.feed(c)) {
            case AnsiParser::Result::kText: text.push_back(c); break;
            case AnsiParser::Result::kConsumed: break;
            case AnsiParser::Result::kSgr: {
                std::string list;
                for (uint16_t p : parser.parameters()) list += (list.empty() ? "" : ",") + std::to_string(p);
                if (sgrs) sgrs->push_back(list);
                break;
            }
        }
    }
    return text;
}

TEST(Ansi, PlainTextPassesThrough) {
    AnsiParser parser;
    EXPECT_EQ(run(parser, "hello\tworld\n\r\b"), "hello\tworld\n\r\b");
    EXPECT_EQ(run(parser, "\xc3\xa9"), "\xc3\xa9");  // UTF-8 bytes are text
}

TEST(Ansi, SgrSequences) {
    AnsiParser parser;
    std::vector<std::string> sgrs;
    EXPECT_EQ(run(parser, "a\x1b[31mb\x1b[0mc\x1b[mD\x1b[1;33;44me", &sgrs), "abcDe");
    ASSERT_EQ(sgrs.size(), 4u);
    EXPECT_EQ(sgrs[0], "31");
    EXPECT_EQ(sgrs[1], "0");
    EXPECT_EQ(sgrs[2], "");
    EXPECT_EQ(sgrs[3], "1,33,44");
}

TEST(Ansi, EmptyParametersAreZero) {
    AnsiParser parser;
    std::vector<std::string> sgrs;
    run(parser, "\x1b[;1m\x1b[1;;2m", &sgrs);
    ASSERT_EQ(sgrs.size(), 2u);
    EXPECT_EQ(sgrs[0], "0,1");
    EXPECT_EQ(sgrs[1], "1,0,2");
}

TEST(Ansi, OtherSequencesAreSwallowed) {
    AnsiParser parser;
    std::vector<std::string> sgrs;
    EXPECT_EQ(run(parser,
                  "a\x1b[2Jb\x1b[10;20Hc\x1b[?25ld\x1b"
                  "ce\x1b(Bf\x1b[38:5:1mg",
                  &sgrs),
              "abcdefg");
    EXPECT_TRUE(sgrs.empty());  // private ('?'), sub-parameter (':') and non-'m' finals are not SGR
}

TEST(Ansi, ControlCharacterAbortsSequence) {
    AnsiParser parser;
    // A newline in the middle of an escape is shown, and the rest is text.
    EXPECT_EQ(run(parser, "\x1b[31\nx"), "\nx");
    EXPECT_EQ(run(parser, "\x1b\ny"), "\ny");
    // ESC restarts a sequence.
    std::vector<std::string> sgrs;
    EXPECT_EQ(run(parser, "\x1b[3\x1b[32mz", &sgrs), "z");
    ASSERT_EQ(sgrs.size(), 1u);
    EXPECT_EQ(sgrs[0], "32");
}

TEST(Ansi, SplitAcrossWrites) {
    AnsiParser parser;
    std::vector<std::string> sgrs;
    EXPECT_EQ(run(parser, "x\x1b[9", &sgrs), "x");
    EXPECT_EQ(run(parser, "1my", &sgrs), "y");
    ASSERT_EQ(sgrs.size(), 1u);
    EXPECT_EQ(sgrs[0], "91");
}

TEST(Ansi, HostileParameters) {
    AnsiParser parser;
    std::vector<std::string> sgrs;
    std::string many = "\x1b[";
    for (int i = 0; i < 100; ++i) many += "1;";
    many += "99999999999999999999m";
    EXPECT_EQ(run(parser, many + "ok", &sgrs), "ok");
    ASSERT_EQ(sgrs.size(), 1u);
    EXPECT_EQ(std::count(sgrs[0].begin(), sgrs[0].end(), ','), long(AnsiParser::kMaxParameters - 1));
    AnsiParser clamp;
    sgrs.clear();
    run(clamp, "\x1b[99999999999m", &sgrs);
    EXPECT_EQ(sgrs[0], "9999");
}

TEST(Ansi, RandomBytesNeverStick) {
    std::mt19937 random(42);
    for (int round = 0; round < 2000; ++round) {
        AnsiParser parser;
        std::string junk;
        for (int i = 0; i < 40; ++i) junk.push_back(char(random() % 3 == 0 ? 0x1b : random()));
        run(parser, junk);
        // Whatever came before, a newline always comes out, and plain text
        // after it too.
        EXPECT_EQ(run(parser, "\nabc"), "\nabc");
    }
}

TEST(Style, AppliesSgr) {
    TextStyle style;
    auto apply = [&](std::vector<uint16_t> codes) {
        style.apply_sgr(lib::Span<const uint16_t>(codes.data(), codes.size()));
    };
    EXPECT_EQ(style.shown_foreground(), TextStyle::kDefaultForeground);
    apply({31});
    EXPECT_EQ(style.shown_foreground(), 1);
    apply({1});
    EXPECT_EQ(style.shown_foreground(), 9);  // bold = bright
    apply({22, 44});
    EXPECT_EQ(style.shown_foreground(), 1);
    EXPECT_EQ(style.shown_background(), 4);
    apply({7});
    EXPECT_EQ(style.shown_foreground(), 4);
    EXPECT_EQ(style.shown_background(), 1);
    apply({27, 93, 102});
    EXPECT_EQ(style.shown_foreground(), 11);
    EXPECT_EQ(style.shown_background(), 10);
    apply({39, 49});
    EXPECT_EQ(style.shown_foreground(), TextStyle::kDefaultForeground);
    EXPECT_EQ(style.shown_background(), TextStyle::kDefaultBackground);
    apply({35, 4, 5, 38});  // unknown codes ignored
    EXPECT_EQ(style.shown_foreground(), 5);
    apply({});
    EXPECT_EQ(style.shown_foreground(), TextStyle::kDefaultForeground);
}

TEST(Palette, SixteenColours) {
    EXPECT_EQ(console::palette_colour(0).red, 0);
    EXPECT_EQ(console::palette_colour(15).red, 0xFF);
    EXPECT_EQ(console::palette_colour(31).red, console::palette_colour(15).red);  // masked, never out of bounds
}

}  // namespace
