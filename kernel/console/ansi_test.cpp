// Host tests of escape-sequence stripping for the serial log.
#include "kernel/console/ansi.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace {

using console::AnsiParser;

// Feeds `input`; returns what a plain-text output keeps.
std::string strip(AnsiParser& parser, const std::string& input) {
    std::string text;
    for (char c : input)
        if (parser.feed(c) == AnsiParser::Result::kText) text.push_back(c);
    return text;
}

TEST(Ansi, PlainTextPassesThrough) {
    AnsiParser parser;
    EXPECT_EQ(strip(parser, "hello\tworld\n\r\b"), "hello\tworld\n\r\b");
    EXPECT_EQ(strip(parser, "\xc3\xa9\xe2\x82\xac"), "\xc3\xa9\xe2\x82\xac");  // UTF-8 bytes are text
}

TEST(Ansi, ColourAndOtherSequencesAreDropped) {
    AnsiParser parser;
    EXPECT_EQ(strip(parser, "a\x1b[31mb\x1b[0mc\x1b[mD\x1b[1;33;44me"), "abcDe");
    EXPECT_EQ(strip(parser, "a\x1b[2Jb\x1b[10;20Hc\x1b[?25ld\x1b" "ce\x1b(Bf\x1b[38:5:1mg"), "abcdefg");
    EXPECT_EQ(strip(parser, "x\x1b]0;title\x07y\x1bPdata\x1b\\z"), "xyz");  // control strings too
}

TEST(Ansi, ControlsInsideASequenceAreKept) {
    AnsiParser parser;
    // As on a terminal, a newline inside a sequence is acted on (so it is
    // kept) and the sequence goes on to its final byte.
    EXPECT_EQ(strip(parser, "\x1b[31\nmx"), "\nx");
    // CAN aborts a sequence; ESC starts a new one.
    EXPECT_EQ(strip(parser, "\x1b[3\x18" "y"), "\x18y");
    EXPECT_EQ(strip(parser, "\x1b[3\x1b[32mz"), "z");
}

TEST(Ansi, SplitAcrossWrites) {
    AnsiParser parser;
    EXPECT_EQ(strip(parser, "x\x1b[9"), "x");
    EXPECT_EQ(strip(parser, "1my"), "y");
}

TEST(Ansi, HostileParameters) {
    AnsiParser parser;
    std::string many = "\x1b[";
    for (int i = 0; i < 100; ++i) many += "1;";
    EXPECT_EQ(strip(parser, many + "99999999999999999999m" + "ok"), "ok");
}

TEST(Ansi, RandomBytesNeverStick) {
    std::mt19937 random(42);
    for (int round = 0; round < 2000; ++round) {
        AnsiParser parser;
        std::string junk;
        for (int i = 0; i < 40; ++i) junk.push_back(char(random() % 3 == 0 ? 0x1b : random()));
        strip(parser, junk);
        // Whatever came before, CAN returns to text: what follows is shown.
        EXPECT_EQ(strip(parser, "\x18\nabc"), "\x18\nabc");
    }
}

}  // namespace
