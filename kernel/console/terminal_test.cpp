// Host tests of the terminal emulator: escape sequences in, screen cells,
// cursor, modes and replies out, each as xterm's ctlseqs (and the VT100
// manual) say; and a fuzz loop that checks, after every chunk of random
// input, that the cursor and margins stay inside the grid and that the
// recorded damage is complete (a copy of the screen kept up to date from the
// damage alone always equals the screen).
#include "kernel/console/terminal.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace console {
namespace {

std::string utf8(uint32_t c) {
    std::string out;
    if (c < 0x80) {
        out += char(c);
    } else if (c < 0x800) {
        out += char(0xc0 | c >> 6), out += char(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        out += char(0xe0 | c >> 12), out += char(0x80 | (c >> 6 & 0x3f)), out += char(0x80 | (c & 0x3f));
    } else {
        out += char(0xf0 | c >> 18), out += char(0x80 | (c >> 12 & 0x3f)), out += char(0x80 | (c >> 6 & 0x3f));
        out += char(0x80 | (c & 0x3f));
    }
    return out;
}

struct Screen {
    std::vector<Cell> primary, alternate;
    Terminal t;
    std::string replies;

    Screen(uint32_t columns = 20, uint32_t rows = 6) : primary(columns * rows), alternate(columns * rows) {
        EXPECT_TRUE(t.init(columns, rows, {primary.data(), primary.size()}, {alternate.data(), alternate.size()}));
        t.set_reply([](void* self, const char* bytes, size_t length) {
            static_cast<Screen*>(self)->replies.append(bytes, length);
        }, this);
    }
    Screen& operator<<(const std::string& text) {
        t.write(lib::StringView(text.data(), text.size()));
        return *this;
    }
    // Row `row` as text, trailing blanks removed.
    std::string line(uint32_t row) const {
        std::string text;
        for (uint32_t c = 0; c < t.columns(); ++c) text += utf8(t.cell(c, row).code_point);
        return text.substr(0, text.find_last_not_of(' ') + 1);
    }
    std::string lines() const {
        std::string all;
        for (uint32_t r = 0; r < t.rows(); ++r) all += line(r) + "|";
        return all;
    }
    std::pair<uint32_t, uint32_t> cursor() const { return {t.cursor_column(), t.cursor_row()}; }
};

using Cursor = std::pair<uint32_t, uint32_t>;

// --- text and controls --------------------------------------------------------

TEST(Terminal, TextAndCursor) {
    Screen s;
    s << "abc";
    EXPECT_EQ(s.line(0), "abc");
    EXPECT_EQ(s.cursor(), Cursor(3, 0));
    s << "\r\nde\rX";
    EXPECT_EQ(s.lines(), "abc|Xe|||||");
    EXPECT_EQ(s.cursor(), Cursor(1, 1));
    s << "\b\bY";  // BS stops at column 0
    EXPECT_EQ(s.line(1), "Ye");
}

TEST(Terminal, DeferredAutowrap) {
    Screen s(10, 4);
    s << "0123456789";
    EXPECT_EQ(s.cursor(), Cursor(9, 0));  // stays in the last column
    EXPECT_TRUE(s.t.wrap_pending());
    s << "\r\n";  // a line exactly as wide as the screen, then CR LF: no blank line
    EXPECT_EQ(s.cursor(), Cursor(0, 1));
    s << "abcdefghijK";
    EXPECT_EQ(s.lines(), "0123456789|abcdefghij|K||");
    // BS from the pending state goes back from the last column.
    s << "\x1b[3;1H" "0123456789\b!";
    EXPECT_EQ(s.line(2), "01234567!9");
    // Cursor movement cancels the pending wrap.
    s << "\x1b[4;1H" "0123456789\x1b[1D" "Z";
    EXPECT_EQ(s.line(3), "01234567Z9");
}

TEST(Terminal, AutowrapOff) {
    Screen s(10, 3);
    s << "\x1b[?7l" "0123456789ABC";
    EXPECT_EQ(s.lines(), "012345678C|||");
    EXPECT_FALSE(s.t.autowrap());
    s << "\x1b[?7h";
    EXPECT_TRUE(s.t.autowrap());
}

TEST(Terminal, TabStops) {
    Screen s(40, 3);
    s << "a\tb\tc";
    EXPECT_EQ(s.line(0), "a       b       c");
    s << "\r\x1b[3g" "\x1b[5C\x1bH\r\tx";  // clear all, one stop at column 5
    EXPECT_EQ(s.cursor(), Cursor(6, 0));
    s << "\t";  // no more stops: the last column
    EXPECT_EQ(s.cursor(), Cursor(39, 0));
    s << "\x1b[2J\x1b[H\x1b[3g\x1b[10G\x1bH\x1b[20G\x1bH\x1b[H\x1b[2I";  // CHT 2
    EXPECT_EQ(s.cursor(), Cursor(19, 0));
    s << "\x1b[Z";  // CBT
    EXPECT_EQ(s.cursor(), Cursor(9, 0));
    s << "\x1b[g\x1b[H\t";  // TBC 0 clears the stop at column 10
    EXPECT_EQ(s.cursor(), Cursor(19, 0));
}

TEST(Terminal, LineFeedScrollsAtTheBottom) {
    Screen s(10, 3);
    s << "1\r\n2\r\n3\r\n4";
    EXPECT_EQ(s.lines(), "2|3|4|");
    s << "\x1b" "E" "5";  // NEL
    EXPECT_EQ(s.lines(), "3|4|5|");
    s << "\x1b[H\x1bM" "0";  // RI at the top scrolls down
    EXPECT_EQ(s.lines(), "0|3|4|");
    s << "\x1b[3;5H\x1b" "D" "x";  // IND keeps the column
    EXPECT_EQ(s.lines(), "3|4|    x|");
    s << "\x1b[20h\x1b[1;3H\nL";  // LNM: LF also returns
    EXPECT_EQ(s.line(1), "L");
}

// --- cursor movement ----------------------------------------------------------

TEST(Terminal, CursorMovement) {
    Screen s(20, 10);
    s << "\x1b[5;10H";
    EXPECT_EQ(s.cursor(), Cursor(9, 4));
    s << "\x1b[2A";
    EXPECT_EQ(s.cursor(), Cursor(9, 2));
    s << "\x1b[A";  // default 1
    EXPECT_EQ(s.cursor(), Cursor(9, 1));
    s << "\x1b[0A";  // 0 means 1 too
    EXPECT_EQ(s.cursor(), Cursor(9, 0));
    s << "\x1b[9A";  // clamped
    EXPECT_EQ(s.cursor(), Cursor(9, 0));
    s << "\x1b[3B\x1b[4C";
    EXPECT_EQ(s.cursor(), Cursor(13, 3));
    s << "\x1b[100C";
    EXPECT_EQ(s.cursor(), Cursor(19, 3));
    s << "\x1b[5D";
    EXPECT_EQ(s.cursor(), Cursor(14, 3));
    s << "\x1b[2E";  // CNL
    EXPECT_EQ(s.cursor(), Cursor(0, 5));
    s << "\x1b[7G\x1b[F";  // CHA, CPL
    EXPECT_EQ(s.cursor(), Cursor(0, 4));
    s << "\x1b[8d";  // VPA
    EXPECT_EQ(s.cursor(), Cursor(0, 7));
    s << "\x1b[3`\x1b[2a\x1b[e";  // HPA, HPR, VPR
    EXPECT_EQ(s.cursor(), Cursor(4, 8));
    s << "\x1b[2;3f";  // HVP
    EXPECT_EQ(s.cursor(), Cursor(2, 1));
    s << "\x1b[H";
    EXPECT_EQ(s.cursor(), Cursor(0, 0));
    s << "\x1b[;5H";  // empty row parameter: 1
    EXPECT_EQ(s.cursor(), Cursor(4, 0));
    s << "\x1b[99999;99999H";  // clamped, and a huge parameter does not overflow
    EXPECT_EQ(s.cursor(), Cursor(19, 9));
}

// --- erasing and editing --------------------------------------------------------

Screen filled(uint32_t columns = 10, uint32_t rows = 4) {
    Screen s(columns, rows);
    for (uint32_t r = 0; r < rows; ++r) {
        s << "\x1b[" + std::to_string(r + 1) + ";1H";
        for (uint32_t c = 0; c < columns; ++c) s << std::string(1, char('a' + r));
    }
    return s;
}

TEST(Terminal, EraseInDisplay) {
    Screen a = filled();
    a << "\x1b[2;4H\x1b[J";
    EXPECT_EQ(a.lines(), "aaaaaaaaaa|bbb|||");
    Screen b = filled();
    b << "\x1b[2;4H\x1b[1J";
    EXPECT_EQ(b.lines(), "|    bbbbbb|cccccccccc|dddddddddd|");
    Screen c = filled();
    c << "\x1b[2;4H\x1b[2J";
    EXPECT_EQ(c.lines(), "||||");
    EXPECT_EQ(c.cursor(), Cursor(3, 1));  // ED does not move the cursor
    Screen d = filled();
    d << "\x1b[3J";  // the scrollback: there is none
    EXPECT_EQ(d.line(0), "aaaaaaaaaa");
}

TEST(Terminal, EraseInLineAndCharacters) {
    Screen a = filled();
    a << "\x1b[1;4H\x1b[K\x1b[2;4H\x1b[1K\x1b[3;4H\x1b[2K\x1b[4;4H\x1b[3X";
    EXPECT_EQ(a.lines(), "aaa|    bbbbbb||ddd   dddd|");
    a << "\x1b[4;9H\x1b[99X";  // clamped to the line
    EXPECT_EQ(a.line(3), "ddd   dd");
}

TEST(Terminal, InsertAndDeleteCharacters) {
    Screen a = filled();
    a << "\x1b[1;3H\x1b[2@";
    EXPECT_EQ(a.line(0), "aa  aaaaaa");
    a << "\x1b[2;3H\x1b[3P";
    EXPECT_EQ(a.line(1), "bbbbbbb");
    a << "\x1b[3;9H\x1b[50@";
    EXPECT_EQ(a.line(2), "cccccccc");
    a << "\x1b[4;2H\x1b[4h" "XY\x1b[4l" "Z";  // insert mode, then replace mode
    EXPECT_EQ(a.line(3), "dXYZdddddd");
    EXPECT_FALSE(a.t.insert_mode());
}

TEST(Terminal, InsertAndDeleteLines) {
    Screen a = filled(10, 5);
    a << "\x1b[2;5H\x1b[2L";
    EXPECT_EQ(a.lines(), "aaaaaaaaaa|||bbbbbbbbbb|cccccccccc|");
    EXPECT_EQ(a.cursor(), Cursor(0, 1));  // IL goes to the left margin
    a << "\x1b[1;1H\x1b[M";
    EXPECT_EQ(a.lines(), "||bbbbbbbbbb|cccccccccc||");
    a << "\x1b[99M";
    EXPECT_EQ(a.lines(), "|||||");
}

TEST(Terminal, ScrollUpAndDown) {
    Screen a = filled(10, 4);
    a << "\x1b[2S";
    EXPECT_EQ(a.lines(), "cccccccccc|dddddddddd|||");
    a << "\x1b[T";
    EXPECT_EQ(a.lines(), "|cccccccccc|dddddddddd||");
    a << "\x1b[1;2;3;4;5T";  // xterm's mouse tracking form: not a scroll
    EXPECT_EQ(a.lines(), "|cccccccccc|dddddddddd||");
}

TEST(Terminal, ErasedCellsTakeTheBackgroundColour) {
    Screen a(10, 3);
    a << "\x1b[44m\x1b[2J\x1b[0m";
    EXPECT_EQ(a.t.cell(5, 1).pen.background, Colour::indexed(4));
    EXPECT_EQ(a.t.cell(5, 1).pen.attributes, 0);
    a << "\x1b[41;1m\x1b[3;1H\n";  // scrolled-in lines too
    EXPECT_EQ(a.t.cell(0, 2).pen.background, Colour::indexed(1));
    EXPECT_EQ(a.t.cell(0, 2).pen.attributes, 0);
}

TEST(Terminal, RepeatLastCharacter) {
    Screen a;
    a << "x\x1b[3b";
    EXPECT_EQ(a.line(0), "xxxx");
}

// --- scrolling regions and origin mode ------------------------------------------

TEST(Terminal, ScrollingRegion) {
    Screen a = filled(10, 6);
    a << "\x1b[2;4r";
    EXPECT_EQ(a.t.scroll_top(), 1u);
    EXPECT_EQ(a.t.scroll_bottom(), 3u);
    EXPECT_EQ(a.cursor(), Cursor(0, 0));  // DECSTBM homes the cursor
    a << "\x1b[4;1H\nX";  // LF at the bottom margin scrolls the region only
    EXPECT_EQ(a.lines(), "aaaaaaaaaa|cccccccccc|dddddddddd|X|eeeeeeeeee|ffffffffff|");
    a << "\x1b[2;1H\x1bM" "Y";  // RI at the top margin
    EXPECT_EQ(a.lines(), "aaaaaaaaaa|Y|cccccccccc|dddddddddd|eeeeeeeeee|ffffffffff|");
    a << "\x1b[3;1H\x1b[5A";  // CUU stops at the top margin from inside
    EXPECT_EQ(a.cursor(), Cursor(0, 1));
    a << "\x1b[6;1H\x1b[5A";  // ... and from below it
    EXPECT_EQ(a.cursor(), Cursor(0, 1));
    a << "\x1b[6;1H\n\n";  // below the region: LF at the last row does not scroll
    EXPECT_EQ(a.line(5), "ffffffffff");
    a << "\x1b[6;1H\x1b[L";  // IL outside the region: ignored
    EXPECT_EQ(a.line(5), "ffffffffff");
    a << "\x1b[2;1H\x1b[L";  // IL inside: the region's lines move
    EXPECT_EQ(a.lines(), "aaaaaaaaaa||Y|cccccccccc|eeeeeeeeee|ffffffffff|");
    a << "\x1b[S";  // SU scrolls the region
    EXPECT_EQ(a.lines(), "aaaaaaaaaa|Y|cccccccccc||eeeeeeeeee|ffffffffff|");
    a << "\x1b[3;2r\x1b[1;1r";  // invalid (fewer than two lines): ignored
    EXPECT_EQ(a.t.scroll_top(), 1u);
    a << "\x1b[r";  // reset to the whole screen
    EXPECT_EQ(a.t.scroll_bottom(), 5u);
}

TEST(Terminal, OriginMode) {
    Screen a(10, 8);
    a << "\x1b[3;6r\x1b[?6h";
    EXPECT_EQ(a.cursor(), Cursor(0, 2));
    a << "\x1b[2;3H";
    EXPECT_EQ(a.cursor(), Cursor(2, 3));
    a << "\x1b[99;1H";  // clamped to the region
    EXPECT_EQ(a.cursor(), Cursor(0, 5));
    a << "\x1b[6n";  // reported relative to the region
    EXPECT_EQ(a.replies, "\x1b[4;1R");
    a << "\x1b[?6l";
    EXPECT_EQ(a.cursor(), Cursor(0, 0));
}

// --- save and restore -------------------------------------------------------------

TEST(Terminal, SaveAndRestoreCursor) {
    Screen a;
    a << "\x1b[3;4H\x1b[1;31m\x1b" "7\x1b[H\x1b[0m" "x\x1b" "8y";
    EXPECT_EQ(a.cursor(), Cursor(4, 2));
    EXPECT_EQ(a.t.cell(3, 2).pen.foreground, Colour::indexed(1));
    EXPECT_EQ(a.t.cell(3, 2).pen.attributes, attribute::kBold);
    EXPECT_EQ(a.t.cell(0, 0).pen, Pen{});
    a << "\x1b[5;5H\x1b[s\x1b[H\x1b[u";  // SCOSC / SCORC
    EXPECT_EQ(a.cursor(), Cursor(4, 4));
    Screen b;
    b << "\x1b[4;4H\x1b[7m\x1b" "8";  // nothing saved: home and the default pen
    EXPECT_EQ(b.cursor(), Cursor(0, 0));
    EXPECT_EQ(b.t.pen(), Pen{});
}

// --- SGR ------------------------------------------------------------------------------

TEST(Terminal, GraphicRendition) {
    using namespace attribute;
    Screen a;
    a << "\x1b[1;2;3;4;5;7;8;9m";
    EXPECT_EQ(a.t.pen().attributes, kBold | kDim | kItalic | kUnderline | kBlink | kReverse | kHidden | kStrike);
    a << "\x1b[22;23;24;25;27;28;29m";
    EXPECT_EQ(a.t.pen().attributes, 0);
    a << "\x1b[4:3m";
    EXPECT_EQ(a.t.pen().attributes, kUnderline);
    a << "\x1b[4:0m";
    EXPECT_EQ(a.t.pen().attributes, 0);
    a << "\x1b[31;42m";
    EXPECT_EQ(a.t.pen().foreground, Colour::indexed(1));
    EXPECT_EQ(a.t.pen().background, Colour::indexed(2));
    a << "\x1b[93;104m";
    EXPECT_EQ(a.t.pen().foreground, Colour::indexed(11));
    EXPECT_EQ(a.t.pen().background, Colour::indexed(12));
    a << "\x1b[39;49m";
    EXPECT_EQ(a.t.pen(), Pen{});
    a << "\x1b[38;5;196;48;5;17m";
    EXPECT_EQ(a.t.pen().foreground, Colour::indexed(196));
    EXPECT_EQ(a.t.pen().background, Colour::indexed(17));
    a << "\x1b[38;2;10;20;30m\x1b[48:2::40:50:60m";
    EXPECT_EQ(a.t.pen().foreground, Colour::rgb(10, 20, 30));
    EXPECT_EQ(a.t.pen().background, Colour::rgb(40, 50, 60));
    a << "\x1b[38:2:1:2:3m\x1b[48:5:9m";
    EXPECT_EQ(a.t.pen().foreground, Colour::rgb(1, 2, 3));
    EXPECT_EQ(a.t.pen().background, Colour::indexed(9));
    a << "\x1b[38;5;300m\x1b[38;2;1;2m";  // out of range or short: ignored
    EXPECT_EQ(a.t.pen().foreground, Colour::rgb(1, 2, 3));
    a << "\x1b[38;5;1;1m";  // what follows a complete colour still applies
    EXPECT_EQ(a.t.pen().foreground, Colour::indexed(1));
    EXPECT_EQ(a.t.pen().attributes, kBold);
    a << "\x1b[m";
    EXPECT_EQ(a.t.pen(), Pen{});
    a << "\x1b[7mR";
    EXPECT_EQ(a.t.cell(0, 0).pen.attributes, kReverse);
}

TEST(Terminal, Palette) {
    EXPECT_EQ(palette_colour(16), (Rgb{0, 0, 0}));
    EXPECT_EQ(palette_colour(196), (Rgb{255, 0, 0}));
    EXPECT_EQ(palette_colour(21), (Rgb{0, 0, 255}));
    EXPECT_EQ(palette_colour(231), (Rgb{255, 255, 255}));
    EXPECT_EQ(palette_colour(110), (Rgb{135, 175, 215}));
    EXPECT_EQ(palette_colour(232), (Rgb{8, 8, 8}));
    EXPECT_EQ(palette_colour(255), (Rgb{238, 238, 238}));
    EXPECT_EQ(resolve_colour(Colour::standard(), true), palette_colour(kDefaultForegroundIndex));
    EXPECT_EQ(resolve_colour(Colour::standard(), false), palette_colour(kDefaultBackgroundIndex));
    EXPECT_EQ(resolve_colour(Colour::rgb(1, 2, 3), true), (Rgb{1, 2, 3}));
}

// --- modes ------------------------------------------------------------------------------

TEST(Terminal, AlternateScreen) {
    Screen a(10, 3);
    a << "main\x1b[2;3H";
    a << "\x1b[?1049h";
    EXPECT_TRUE(a.t.alternate_screen_active());
    EXPECT_EQ(a.lines(), "|||");
    a << "\x1b[Halt";
    EXPECT_EQ(a.line(0), "alt");
    a << "\x1b[?1049l";
    EXPECT_FALSE(a.t.alternate_screen_active());
    EXPECT_EQ(a.lines(), "main|||");
    EXPECT_EQ(a.cursor(), Cursor(2, 1));  // restored
    a << "\x1b[?47h";  // 47: no clearing
    EXPECT_EQ(a.line(0), "alt");
    a << "\x1b[?47l\x1b[?1047h";
    EXPECT_EQ(a.line(0), "alt");
    a << "\x1b[?1047l\x1b[?47h";  // 1047 cleared it on the way out
    EXPECT_EQ(a.lines(), "|||");
    a << "\x1b[?47l";
    EXPECT_EQ(a.line(0), "main");
}

TEST(Terminal, ModesForTheKeyboardAndTheCursor) {
    Screen a;
    EXPECT_TRUE(a.t.cursor_visible());
    a << "\x1b[?25l";
    EXPECT_FALSE(a.t.cursor_visible());
    a << "\x1b[?1h\x1b=\x1b[?2004h";
    EXPECT_TRUE(a.t.application_cursor_keys());
    EXPECT_TRUE(a.t.application_keypad());
    EXPECT_TRUE(a.t.bracketed_paste());
    a << "\x1b[?1;25h\x1b>";  // several modes at once
    EXPECT_TRUE(a.t.cursor_visible());
    EXPECT_FALSE(a.t.application_keypad());
    a << "\x1b[!p";  // DECSTR
    EXPECT_FALSE(a.t.application_cursor_keys());
    a << "\x1b[?5h";
    EXPECT_TRUE(a.t.reverse_video());
    a << "text\x1b" "c";  // RIS
    EXPECT_FALSE(a.t.reverse_video());
    EXPECT_EQ(a.lines(), "||||||");
}

TEST(Terminal, Replies) {
    Screen a;
    auto answer = [&](const std::string& query) {
        a.replies.clear();
        a << query;
        return a.replies;
    };
    EXPECT_EQ(answer("\x1b[5n"), "\x1b[0n");
    EXPECT_EQ(answer("\x1b[4;7H\x1b[6n"), "\x1b[4;7R");
    EXPECT_EQ(answer("\x1b[?6n"), "\x1b[?4;7R");
    EXPECT_EQ(answer("\x1b[c\x1b[0c"), "\x1b[?6c\x1b[?6c");
    EXPECT_EQ(answer("\x1b[>c"), "\x1b[>0;10;0c");
    // busybox's line editor asks for the cursor after a full line: the last column.
    Screen b(10, 3);
    b << "0123456789\x1b[6n";
    EXPECT_EQ(b.replies, "\x1b[1;10R");
}

// --- parsing ------------------------------------------------------------------------

TEST(Terminal, ControlStringsAreSwallowed) {
    Screen a(40, 2);
    a << "\x1b]0;window title\x07" "a";
    a << "\x1b]2;title\x1b\\" "b";
    a << "\x1bPq#0;2;0;0;0#1!14@\x1b\\" "c";
    a << "\x1b_apc\x1b\\" "d\x1b^pm\x1b\\" "e\x1bXsos\x1b\\" "f";
    EXPECT_EQ(a.line(0), "abcdef");
    a << "\x1b]0;ends with another escape\x1b[1;3Hz";  // ESC not followed by '\' starts a new sequence
    EXPECT_EQ(a.line(0), "abzdef");
}

TEST(Terminal, UnknownAndMalformedSequencesAreHarmless) {
    Screen a(40, 2);
    a << "\x1b[?999h\x1b[99z\x1b%G\x1b[>5;6q\x1b[1 q\x1b[=1c\x1b[1$p" "ok";
    EXPECT_EQ(a.line(0), "ok");
    a << "\x1b[31\x18m";  // CAN aborts: the 'm' is text
    EXPECT_EQ(a.line(0), "okm");
    EXPECT_EQ(a.t.pen(), Pen{});
    a << "\x1b[1\r" "C!";  // a control inside a sequence is executed, the sequence goes on
    EXPECT_EQ(a.line(0), "o!m");
    std::string many = "\x1b[";
    for (int i = 0; i < 40; ++i) many += "1;";
    a << many + "7m";  // parameters past the 32nd are dropped: no reverse
    EXPECT_EQ(a.t.pen().attributes, attribute::kBold);
    a << "\x1b[0m\x1b[1!!!!p";  // too many intermediates: ignored
    EXPECT_EQ(a.line(0), "o!m");
}

TEST(Terminal, Utf8) {
    Screen a(20, 2);
    a << "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    EXPECT_EQ(a.t.cell(0, 0).code_point, 0xe9u);
    EXPECT_EQ(a.t.cell(1, 0).code_point, 0x20acu);
    EXPECT_EQ(a.t.cell(2, 0).code_point, 0x1f600u);
    a << "\r\n\xc3(\xc0\xaf\xed\xa0\x80\x80x";  // cut short, overlong, surrogate, stray continuation
    std::vector<uint32_t> row;
    for (uint32_t c = 0; c < 7; ++c) row.push_back(a.t.cell(c, 1).code_point);
    EXPECT_EQ(row, (std::vector<uint32_t>{0xfffd, '(', 0xfffd, 0xfffd, 0xfffd, 0xfffd, 'x'}));
    a << "\x1b[2;1H\x1b[2Ke\xcc\x81" "x";  // a combining mark takes no cell
    EXPECT_EQ(a.line(1), "ex");
    a << "\xe2\x82\x1b[1;1Hq";  // ESC cuts a sequence and still works
    EXPECT_EQ(a.t.cell(0, 0).code_point, uint32_t('q'));
}

TEST(Terminal, LineDrawingCharacters) {
    Screen a(20, 2);
    a << "\x1b(0lqk\x1b(B" "x";
    EXPECT_EQ(a.line(0), "\u250c\u2500\u2510x");
    a << "\r\n\x1b)0a\x0eq\x0fq";  // G1 through SO, back with SI
    EXPECT_EQ(a.line(1), "a\u2500q");
}

TEST(Terminal, ScreenAlignment) {
    Screen a(4, 2);
    a << "\x1b[2;2r\x1b#8";
    EXPECT_EQ(a.lines(), "EEEE|EEEE|");
    EXPECT_EQ(a.cursor(), Cursor(0, 0));
    EXPECT_EQ(a.t.scroll_bottom(), 1u);
}

TEST(Terminal, RefusesBadSizes) {
    std::vector<Cell> cells(100);
    Terminal t;
    EXPECT_FALSE(t.init(0, 5, {cells.data(), cells.size()}, {cells.data(), cells.size()}));
    EXPECT_FALSE(t.init(20, 6, {cells.data(), cells.size()}, {cells.data(), cells.size()}));  // 120 > 100
    EXPECT_FALSE(t.init(Terminal::kMaxColumns + 1, 1, {cells.data(), cells.size()}, {cells.data(), cells.size()}));
    t.write("ignored when not initialised");
}

// --- damage ------------------------------------------------------------------------------

TEST(Terminal, DamageOfWrites) {
    Screen a(10, 4);
    EXPECT_TRUE(a.t.redraw_all());  // a new screen is drawn whole
    a.t.clear_damage();
    uint32_t begin, end;
    EXPECT_FALSE(a.t.row_damage(0, begin, end));
    a << "\x1b[2;3Hab";
    ASSERT_TRUE(a.t.row_damage(1, begin, end));
    EXPECT_EQ(begin, 2u);
    EXPECT_EQ(end, 4u);
    EXPECT_FALSE(a.t.row_damage(0, begin, end));
    EXPECT_EQ(a.t.scroll_count(), 0u);
}

TEST(Terminal, DamageOfScrolls) {
    Screen a(10, 5);
    a.t.clear_damage();
    a << "\x1b[5;1Hx\n\n\n";  // three scrolls of the whole screen merge into one
    ASSERT_EQ(a.t.scroll_count(), 1u);
    EXPECT_EQ(a.t.scroll(0).top, 0);
    EXPECT_EQ(a.t.scroll(0).bottom, 4);
    EXPECT_EQ(a.t.scroll(0).lines, 3);
    uint32_t begin, end;
    ASSERT_TRUE(a.t.row_damage(1, begin, end));  // the 'x' moved up with its damage
    EXPECT_EQ(begin, 0u);
    EXPECT_EQ(end, 1u);
    EXPECT_TRUE(a.t.row_damage(4, begin, end));
    EXPECT_EQ(end, 10u);
    a << "\x1b[2;4r\x1b[4;1H\n";  // another region: another move
    ASSERT_EQ(a.t.scroll_count(), 2u);
    EXPECT_EQ(a.t.scroll(1).lines, 1);
    a.t.clear_damage();
    a << "\x1b[4;1H\n\x1b[2;1H\x1bM";  // the opposite direction: another move
    ASSERT_EQ(a.t.scroll_count(), 2u);
    EXPECT_EQ(a.t.scroll(1).top, 1);
    EXPECT_EQ(a.t.scroll(1).lines, -1);
    a.t.clear_damage();
    a << "\x1b[2J\x1b[4;1H\n";  // nothing to move in a region redrawn whole anyway
    EXPECT_EQ(a.t.scroll_count(), 0u);
    a.t.clear_damage();
    a << "\x1b[r\x1b[5;1H\n\n\n\n\n\n";  // more than the height: no move, everything redrawn
    EXPECT_EQ(a.t.scroll_count(), 0u);
    for (uint32_t row = 0; row < 5; ++row) EXPECT_TRUE(a.t.row_damage(row, begin, end));
    // Up and down in turn: moves that cannot merge; past kMaxScrolls of them
    // a full redraw is cheaper to describe.
    Screen b(10, 12);
    b << "\x1b[2;11r";
    b.t.clear_damage();
    for (size_t i = 0; i <= Terminal::kMaxScrolls; ++i) b << (i % 2 ? "\x1b[2;1H\x1bM" : "\x1b[11;1H\n");
    EXPECT_TRUE(b.t.redraw_all());
}

// --- fuzzing -------------------------------------------------------------------------------

// A copy of the screen updated only from the damage, as the renderer does.
struct DamageFollower {
    std::vector<Cell> cells;
    uint32_t columns, rows;
    DamageFollower(uint32_t c, uint32_t r) : cells(size_t(c) * r), columns(c), rows(r) {}

    void follow(Terminal& t) {
        if (!t.redraw_all()) {
            for (size_t i = 0; i < t.scroll_count(); ++i) {
                const Terminal::Scroll& s = t.scroll(i);
                ASSERT_LE(s.top, s.bottom);
                ASSERT_LT(s.bottom, rows);
                ASSERT_NE(s.lines, 0);
                ASSERT_LT(uint32_t(std::abs(s.lines)), uint32_t(s.bottom - s.top + 1));
                std::vector<Cell> moved(cells);
                for (int row = s.top; row <= s.bottom; ++row) {
                    const int from = row + s.lines;
                    if (from >= s.top && from <= s.bottom)
                        std::copy_n(cells.begin() + from * columns, columns, moved.begin() + row * columns);
                }
                cells = moved;
            }
        }
        for (uint32_t row = 0; row < rows; ++row) {
            uint32_t begin, end;
            if (!t.row_damage(row, begin, end)) continue;
            ASSERT_LE(end, columns);
            for (uint32_t c = begin; c < end; ++c) cells[row * columns + c] = t.cell(c, row);
        }
        t.clear_damage();
    }
};

TEST(Terminal, FuzzStaysInsideAndDamageIsComplete) {
    std::mt19937 rng(77);
    const std::vector<std::string> pieces = {
        "\x1b[", "\x1b[?", "\x1b]", "\x1bP", "\x1b", ";", ":", "0", "1", "2", "5", "9", "99", "99999", "\x07",
        "\x1b\\", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "P", "S", "T", "X", "Z", "b",
        "c", "d", "f", "g", "h", "l", "m", "n", "r", "s", "u", "@", "`", "7", "8", "#", "(", ")", "0", "\r", "\n",
        "\b", "\t", "\x0e", "\x0f", "\x18", "text", "\xc3\xa9", "\xe2\x82", "\xff", "1049", "47", "25", "6", "38",
        "48", "2", "\x7f", " ", "!", "p", "$", "=", ">", "x"};
    for (int run = 0; run < 40; ++run) {
        const uint32_t columns = 1 + rng() % 30, rows = 1 + rng() % 12;
        Screen screen(columns, rows);
        DamageFollower follower(columns, rows);
        for (int chunk = 0; chunk < 300; ++chunk) {
            std::string input;
            for (int i = 0, n = 1 + int(rng() % 20); i < n; ++i) {
                if (rng() % 8 == 0)
                    input += char(rng());
                else
                    input += pieces[rng() % pieces.size()];
            }
            screen << input;
            const Terminal& t = screen.t;
            ASSERT_LT(t.cursor_column(), columns);
            ASSERT_LT(t.cursor_row(), rows);
            ASSERT_LE(t.scroll_top(), t.scroll_bottom());
            ASSERT_LT(t.scroll_bottom(), rows);
            follower.follow(screen.t);
            if (HasFatalFailure()) return;
            for (uint32_t row = 0; row < rows; ++row)
                for (uint32_t c = 0; c < columns; ++c)
                    ASSERT_EQ(follower.cells[row * columns + c], t.cell(c, row))
                        << "stale cell " << c << "," << row << " after run " << run << " chunk " << chunk;
        }
    }
}

}  // namespace
}  // namespace console
