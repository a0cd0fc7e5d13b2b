// Host tests of the text renderer on an in-memory "framebuffer" with a
// padded pitch, drawing a Terminal: a test font whose glyphs encode their own
// code point (so the screen can be read back as text from the pixels alone)
// and the real Terminus font. The pixels must always show exactly what the
// terminal's cells hold, whatever scrolled or changed in between draws.
#include "kernel/console/text_renderer.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using console::PixelFormat;
using console::Surface;
using console::TextRenderer;

constexpr uint32_t kCellWidth = 8, kCellHeight = 4;
constexpr uint8_t kSentinel = 0xAB;

// PSF2, 256 glyphs of 8x4, no unicode table (code point N = glyph N).
// Glyph N: row 0 = N's bits, row 1 = all ink (marks a drawn cell), rows 2-3 blank.
std::vector<uint8_t> make_test_font() {
    std::vector<uint8_t> font = {0x72, 0xB5, 0x4A, 0x86};
    auto put32 = [&](uint32_t v) {
        for (int i = 0; i < 4; ++i) font.push_back(uint8_t(v >> (8 * i)));
    };
    put32(0), put32(32), put32(0), put32(256), put32(kCellHeight), put32(kCellHeight), put32(kCellWidth);
    for (uint32_t g = 0; g < 256; ++g) {
        font.push_back(uint8_t(g));
        font.push_back(0xFF);
        font.push_back(0);
        font.push_back(0);
    }
    return font;
}

constexpr PixelFormat kBgrx{8, 16, 8, 8, 8, 0};  // UEFI PixelBlueGreenRedReserved8BitPerColor
constexpr PixelFormat kRgbx{8, 0, 8, 8, 8, 16};  // PixelRedGreenBlueReserved8BitPerColor

struct Screen {
    uint32_t width, height, pitch;
    std::vector<uint8_t> memory;
    std::vector<uint8_t> font_file = make_test_font();
    lib::PsfFont font = *lib::PsfFont::parse(lib::Bytes(font_file.data(), font_file.size()));
    TextRenderer renderer;
    std::vector<console::Cell> primary, alternate;
    console::Terminal terminal;

    uint32_t scale;

    Screen(uint32_t w, uint32_t h, uint32_t padding_bytes, PixelFormat format = kBgrx, uint32_t scale_ = 1,
           bool cursor = false)
        : width(w), height(h), pitch(w * 4 + padding_bytes), memory(size_t(pitch) * h, kSentinel), scale(scale_) {
        Surface surface{memory.data(), width, height, pitch, format};
        EXPECT_TRUE(renderer.init(surface, font, scale));
        primary.resize(size_t(renderer.columns()) * renderer.rows());
        alternate.resize(primary.size());
        EXPECT_TRUE(terminal.init(renderer.columns(), renderer.rows(), {primary.data(), primary.size()},
                                  {alternate.data(), alternate.size()}));
        // Most cases read cells back from the pixels: no cursor in the way.
        if (!cursor) terminal.write("\x1b[?25l");
        renderer.draw(terminal);
    }

    void write(const std::string& text) {
        terminal.write(lib::StringView(text.data(), text.size()));
        renderer.draw(terminal);
    }

    // Font pixel (x, y) of a cell: the top-left screen pixel of its block.
    uint32_t font_pixel(uint32_t column, uint32_t row, uint32_t x, uint32_t y) const {
        return renderer.pixel((column * kCellWidth + x) * scale, (row * kCellHeight + y) * scale);
    }

    // The character drawn in a cell, '\0' for a blank cell.
    char cell(uint32_t column, uint32_t row) const {
        uint32_t bg = kBgrx.encode(console::palette_colour(0));
        bool drawn = font_pixel(column, row, 0, 1) != bg;
        if (!drawn) return '\0';
        uint32_t ink = font_pixel(column, row, 0, 1);
        uint8_t code = 0;
        for (uint32_t x = 0; x < 8; ++x)
            if (font_pixel(column, row, x, 0) == ink) code |= uint8_t(0x80 >> x);
        return char(code);
    }

    std::string line(uint32_t row) const {
        std::string text;
        for (uint32_t c = 0; c < renderer.columns(); ++c) text.push_back(cell(c, row) ? cell(c, row) : '.');
        return text;
    }

    // Every pixel of the cell is exactly what `expected` ('.' = blank)
    // drawn in the default colours gives: no stale pixels after scrolling.
    bool cell_exact(uint32_t column, uint32_t row, char expected) const {
        const uint32_t ink = kBgrx.encode(console::palette_colour(7));
        const uint32_t paper = kBgrx.encode(console::palette_colour(0));
        // Every screen pixel, so each scale x scale block is checked whole.
        for (uint32_t y = 0; y < kCellHeight * scale; ++y)
            for (uint32_t x = 0; x < kCellWidth * scale; ++x) {
                const uint32_t font_x = x / scale, font_y = y / scale;
                bool set = expected != '.' && ((font_y == 0 && (uint8_t(expected) & (0x80 >> font_x))) || font_y == 1);
                const uint32_t at = renderer.pixel(column * kCellWidth * scale + x, row * kCellHeight * scale + y);
                if (at != (set ? ink : paper)) return false;
            }
        return true;
    }

    // The pixels equal a fresh renderer's full drawing of the same cells:
    // drawing only the damage, moving scrolled pixels, lost nothing.
    bool pixels_match_terminal() const {
        std::vector<uint8_t> other(memory.size(), kSentinel);
        TextRenderer fresh;
        if (!fresh.init(Surface{other.data(), width, height, pitch, kBgrx}, font, scale)) return false;
        console::Terminal copy = terminal;
        copy.damage_all();
        fresh.draw(copy);
        return other == memory;
    }

    bool padding_untouched() const {
        for (uint32_t y = 0; y < height; ++y)
            for (uint32_t b = width * 4; b < pitch; ++b)
                if (memory[size_t(y) * pitch + b] != kSentinel) return false;
        return true;
    }
};

TEST(PixelFormat, EncodesChannels) {
    console::Rgb colour{0x12, 0x34, 0x56};
    EXPECT_EQ(kBgrx.encode(colour), 0x123456u);
    EXPECT_EQ(kRgbx.encode(colour), 0x563412u);
    PixelFormat rgb565{5, 11, 6, 5, 5, 0};
    EXPECT_TRUE(rgb565.valid());
    EXPECT_EQ(rgb565.encode({0xFF, 0xFF, 0xFF}), 0xFFFFu);
    EXPECT_EQ(rgb565.encode({0xFF, 0, 0}), 0xF800u);
    PixelFormat ten_bit{8, 24, 8, 16, 8, 8};  // channels high in the word
    EXPECT_EQ(ten_bit.encode(colour), 0x12345600u);
    EXPECT_FALSE((PixelFormat{0, 16, 8, 8, 8, 0}.valid()));
    EXPECT_FALSE((PixelFormat{9, 16, 8, 8, 8, 0}.valid()));
    EXPECT_FALSE((PixelFormat{8, 30, 8, 8, 8, 0}.valid()));
}

TEST(TextRenderer, RejectsUnusableSurfaces) {
    auto font_file = make_test_font();
    auto font = *lib::PsfFont::parse(lib::Bytes(font_file.data(), font_file.size()));
    std::vector<uint8_t> memory(64 * 64 * 4);
    TextRenderer renderer;
    EXPECT_FALSE(renderer.init(Surface{nullptr, 64, 64, 256, kBgrx}, font));
    EXPECT_FALSE(renderer.init(Surface{memory.data(), 64, 64, 255, kBgrx}, font));  // pitch < line
    EXPECT_FALSE(renderer.init(Surface{memory.data(), 64, 64, 256, PixelFormat{}}, font));
    EXPECT_FALSE(renderer.init(Surface{memory.data(), 7, 64, 256, kBgrx}, font));  // narrower than a glyph
    EXPECT_FALSE(renderer.init(Surface{memory.data(), 64, 3, 256, kBgrx}, font));
    EXPECT_FALSE(renderer.init(Surface{memory.data(), 64, 64, 256, kBgrx}, lib::PsfFont{}));
    std::vector<console::Cell> cells(8 * 16);
    console::Terminal terminal;
    ASSERT_TRUE(terminal.init(8, 16, {cells.data(), cells.size()}, {cells.data(), cells.size()}));
    renderer.draw(terminal);  // ignored while not initialised
    EXPECT_TRUE(renderer.init(Surface{memory.data(), 64, 64, 256, kBgrx}, font));
    EXPECT_EQ(renderer.columns(), 8u);
    EXPECT_EQ(renderer.rows(), 16u);
}

TEST(TextRenderer, AutomaticScale) {
    auto font_file = make_test_font();  // 8x4 glyphs
    auto font = *lib::PsfFont::parse(lib::Bytes(font_file.data(), font_file.size()));
    auto scale_for = [&](uint32_t width, uint32_t height) {
        std::vector<uint8_t> memory(size_t(width) * height * 4);
        TextRenderer renderer;
        EXPECT_TRUE(renderer.init(Surface{memory.data(), width, height, width * 4, kBgrx}, font));
        EXPECT_EQ(renderer.cell_width(), 8 * renderer.scale());
        EXPECT_EQ(renderer.cell_height(), 4 * renderer.scale());
        return renderer.scale();
    };
    EXPECT_EQ(scale_for(799, 1000), 1u);  // fewer than 2 x 100 columns
    EXPECT_EQ(scale_for(1600, 320), 2u);  // 100 x 40 cells at 2x
    EXPECT_EQ(scale_for(1600, 319), 1u);
    EXPECT_EQ(scale_for(2400, 480), 3u);
    EXPECT_EQ(scale_for(8000, 8000), TextRenderer::kMaxScale);

    std::vector<uint8_t> memory(64 * 64 * 4);
    TextRenderer renderer;
    EXPECT_FALSE(renderer.init(Surface{memory.data(), 64, 64, 256, kBgrx}, font, TextRenderer::kMaxScale + 1));
    EXPECT_FALSE(renderer.init(Surface{memory.data(), 64, 64, 256, kBgrx}, font, 9));
    EXPECT_FALSE(renderer.init(Surface{memory.data(), 15, 64, 256, kBgrx}, font, 2));  // one 16-pixel cell does not fit
    EXPECT_TRUE(renderer.init(Surface{memory.data(), 16, 8, 256, kBgrx}, font, 2));
    EXPECT_EQ(renderer.columns(), 1u);
    EXPECT_EQ(renderer.rows(), 1u);
}

TEST(TextRenderer, ScaledGlyphIsBlocks) {
    Screen screen(4 * kCellWidth * 3, 2 * kCellHeight * 3, 4, kBgrx, 3);
    screen.write("\x1b[31mK\x1b[0mZ");
    EXPECT_EQ(screen.cell(0, 0), 'K');
    EXPECT_EQ(screen.cell(1, 0), 'Z');
    EXPECT_TRUE(screen.cell_exact(1, 0, 'Z'));
    const uint32_t red = kBgrx.encode(console::palette_colour(1));
    for (uint32_t y = 3; y < 6; ++y)  // font row 1 (all ink) is screen rows 3-5
        for (uint32_t x = 0; x < 24; ++x) EXPECT_EQ(screen.renderer.pixel(x, y), red) << x << "," << y;
    EXPECT_TRUE(screen.padding_untouched());
}

TEST(TextRenderer, DrawsTextWhereTheTerminalPutIt) {
    Screen screen(10 * kCellWidth + 3, 4 * kCellHeight + 2, 12);
    EXPECT_EQ(screen.renderer.columns(), 10u);
    EXPECT_EQ(screen.renderer.rows(), 4u);
    screen.write("hi");
    EXPECT_EQ(screen.line(0), "hi........");
    screen.write("\r\nab\rX");
    EXPECT_EQ(screen.line(1), "Xb........");
    screen.write("\tT");
    EXPECT_EQ(screen.line(1), "Xb......T.");  // tab moves to column 8 without drawing
    screen.write("\b\bZ");
    EXPECT_EQ(screen.line(1), "Xb.....ZT.");
    screen.write("\x1b[1;2H\x1b[K");  // erased cells are blank pixels again
    EXPECT_EQ(screen.line(0), "h.........");
    EXPECT_TRUE(screen.cell_exact(1, 0, '.'));
    EXPECT_TRUE(screen.padding_untouched());
}

TEST(TextRenderer, ScrollingKeepsTheLastLines) {
    Screen screen(6 * kCellWidth, 3 * kCellHeight + 3, 20);
    // The pixel rows below the last text row must survive scrolling as they are.
    const size_t tail = size_t(3 * kCellHeight) * screen.pitch;
    screen.write("one\r\ntwo\r\nthree\r\nfour\r\nfive");
    EXPECT_EQ(screen.line(0), "three.");
    EXPECT_EQ(screen.line(1), "four..");
    EXPECT_EQ(screen.line(2), "five..");
    screen.write("\r\n");  // one line at a time, as a VT100 scrolls
    EXPECT_EQ(screen.line(0), "four..");
    EXPECT_EQ(screen.line(1), "five..");
    EXPECT_EQ(screen.line(2), "......");
    for (uint32_t r = 0; r < 3; ++r)
        for (uint32_t c = 0; c < 6; ++c) EXPECT_TRUE(screen.cell_exact(c, r, screen.line(r)[c]));
    EXPECT_TRUE(screen.padding_untouched());
    for (size_t i = tail; i < screen.memory.size(); ++i) {
        size_t x = i % screen.pitch;
        if (x < screen.width * 4) ASSERT_EQ(screen.memory[i], 0) << i;  // cleared at init, black, never moved
    }
}

TEST(TextRenderer, ScrollingRegionsMoveOnlyTheirRows) {
    Screen screen(8 * kCellWidth, 6 * kCellHeight, 0);
    screen.write("a\r\nb\r\nc\r\nd\r\ne\r\nf");
    screen.write("\x1b[2;4r\x1b[4;1H\n\n" "X\x1b[2;1H\x1bM" "Y");  // up twice in rows 2-4, then down once
    EXPECT_EQ(screen.line(0), "a.......");
    EXPECT_EQ(screen.line(1), "Y.......");
    EXPECT_EQ(screen.line(2), "d.......");
    EXPECT_EQ(screen.line(3), "........");
    EXPECT_EQ(screen.line(4), "e.......");
    EXPECT_EQ(screen.line(5), "f.......");
}

// Whatever the sequence of writes, draws and scrolls, every pixel shows
// exactly what the terminal holds: the damage tracking loses nothing.
TEST(TextRenderer, RandomSessionsMatchTheCells) {
    std::mt19937 random(31337);
    const char* pieces[] = {"\r\n", "\n", "\r", "\t", "\b", "\x1b[H", "\x1b[2J", "\x1b[K", "\x1b[1J", "\x1bM",
                            "\x1b[3L", "\x1b[2M", "\x1b[2@", "\x1b[3P", "\x1b[5X", "\x1b[S", "\x1b[2T", "\x1b[2;3r",
                            "\x1b[r", "\x1b[7m", "\x1b[0m", "\x1b[4m", "\x1b[9m", "\x1b[?1049h", "\x1b[?1049l",
                            "\x1b[3;4H", "\x1b[44m", "\x1b[49m", "\x1b[?5h", "\x1b[?5l", "\x1b[?25h", "\x1b[?25l"};
    for (int round = 0; round < 60; ++round) {
        uint32_t columns = 1 + random() % 20, rows = 1 + random() % 12, scale = 1 + round % 3;
        Screen screen((columns * kCellWidth + random() % 8) * scale, (rows * kCellHeight + random() % 4) * scale,
                      random() % 16, kBgrx, scale, true);
        ASSERT_EQ(screen.renderer.columns(), columns);
        ASSERT_EQ(screen.renderer.rows(), rows);
        for (int chunk = 0; chunk < 30; ++chunk) {
            std::string text;
            for (int i = 0; i < 12; ++i) {
                if (random() % 3 == 0) {
                    text += pieces[random() % (sizeof pieces / sizeof *pieces)];
                } else {
                    char c = char('!' + random() % 90);
                    text.push_back(c == '.' ? ',' : c);  // '.' means blank in line()
                }
            }
            screen.write(text);
            ASSERT_TRUE(screen.pixels_match_terminal()) << "round " << round << " chunk " << chunk;
        }
        ASSERT_TRUE(screen.padding_untouched());
    }
}

TEST(TextRenderer, CursorIsDrawnAndUndrawn) {
    Screen screen(4 * kCellWidth, 2 * kCellHeight, 0, kBgrx, 1, true);
    const uint32_t grey = kBgrx.encode(console::palette_colour(7));
    const uint32_t black = kBgrx.encode(console::palette_colour(0));
    EXPECT_EQ(screen.renderer.pixel(0, 3), grey);  // a block cursor: the blank cell in reverse
    screen.write("A");
    EXPECT_EQ(screen.renderer.pixel(0, 3), black);  // 'A' drawn plain, the cursor moved on
    EXPECT_EQ(screen.renderer.pixel(kCellWidth, 3), grey);
    screen.write("\x1b[?25l");
    EXPECT_EQ(screen.renderer.pixel(kCellWidth, 3), black);
}

TEST(TextRenderer, Colours) {
    Screen screen(10 * kCellWidth, 2 * kCellHeight, 0);
    screen.write("\x1b[31mA\x1b[0mB\x1b[7mC\x1b[0m\x1b[1;32mD\x1b[0m\x1b[38;2;1;2;3mE\x1b[0m\x1b[8mF\x1b[0m\x1b[4mG");
    const uint32_t red = kBgrx.encode(console::palette_colour(1));
    const uint32_t grey = kBgrx.encode(console::palette_colour(7));
    const uint32_t black = kBgrx.encode(console::palette_colour(0));
    EXPECT_EQ(screen.renderer.pixel(0 * kCellWidth, 1), red);    // ink row of 'A'
    EXPECT_EQ(screen.renderer.pixel(1 * kCellWidth, 1), grey);   // 'B' default
    EXPECT_EQ(screen.renderer.pixel(2 * kCellWidth, 1), black);  // 'C' inverse: black ink
    EXPECT_EQ(screen.renderer.pixel(2 * kCellWidth, 3), grey);   // ... on grey
    EXPECT_EQ(screen.renderer.pixel(3 * kCellWidth, 1), kBgrx.encode(console::palette_colour(10)));  // bold: bright
    EXPECT_EQ(screen.renderer.pixel(4 * kCellWidth, 1), kBgrx.encode(console::Rgb{1, 2, 3}));      // 24-bit
    EXPECT_EQ(screen.renderer.pixel(5 * kCellWidth, 1), black);  // hidden
    EXPECT_EQ(screen.renderer.pixel(6 * kCellWidth + 7, 3), grey);  // underline: the last font row
    EXPECT_EQ(screen.line(0).substr(0, 2), "AB");
}

TEST(TextRenderer, RgbAndBgrDiffer) {
    Screen bgr(2 * kCellWidth, kCellHeight, 0, kBgrx);
    Screen rgb(2 * kCellWidth, kCellHeight, 0, kRgbx);
    bgr.write("\x1b[31mA");
    rgb.write("\x1b[31mA");
    console::Rgb red = console::palette_colour(1);
    EXPECT_EQ(bgr.renderer.pixel(0, 1), uint32_t(red.red) << 16 | uint32_t(red.green) << 8 | red.blue);
    EXPECT_EQ(rgb.renderer.pixel(0, 1), uint32_t(red.blue) << 16 | uint32_t(red.green) << 8 | red.red);
}

TEST(TextRenderer, Utf8) {
    Screen screen(10 * kCellWidth, 2 * kCellHeight, 0);
    screen.write("\xc3\xa9");  // U+00E9: glyph 0xE9 in the identity font
    EXPECT_EQ(uint8_t(screen.cell(0, 0)), 0xE9);
    screen.write("\xc3" "A");  // broken: replacement, then A
    EXPECT_EQ(screen.cell(1, 0), '?');
    EXPECT_EQ(screen.cell(2, 0), 'A');
    screen.write("\xe2\x82\xac");  // U+20AC: no glyph, so '?'
    EXPECT_EQ(screen.cell(3, 0), '?');
    screen.write("\xe2\x82");  // split across writes
    screen.write("\xac" "Z");
    EXPECT_EQ(screen.cell(4, 0), '?');
    EXPECT_EQ(screen.cell(5, 0), 'Z');
}

std::vector<uint8_t> read_gzip(const char* path) {
    std::vector<uint8_t> data;
    gzFile file = gzopen(path, "rb");
    if (!file) return data;
    uint8_t chunk[4096];
    int got;
    while ((got = gzread(file, chunk, sizeof chunk)) > 0) data.insert(data.end(), chunk, chunk + got);
    gzclose(file);
    return data;
}

TEST(TextRenderer, RealFontGlyphLandsWherePromised) {
    auto file = read_gzip("/usr/share/consolefonts/Uni2-Terminus16.psf.gz");
    ASSERT_FALSE(file.empty());
    auto font = *lib::PsfFont::parse(lib::Bytes(file.data(), file.size()));
    const uint32_t width = 100, height = 50, pitch = width * 4 + 64;
    std::vector<uint8_t> memory(size_t(pitch) * height);
    TextRenderer renderer;
    ASSERT_TRUE(renderer.init(Surface{memory.data(), width, height, pitch, kRgbx}, font));
    EXPECT_EQ(renderer.columns(), 12u);
    EXPECT_EQ(renderer.rows(), 3u);
    std::vector<console::Cell> primary(12 * 3), alternate(12 * 3);
    console::Terminal terminal;
    ASSERT_TRUE(terminal.init(12, 3, {primary.data(), primary.size()}, {alternate.data(), alternate.size()}));
    terminal.write("\x1b[?25l\r\n  A");
    renderer.draw(terminal);
    const uint32_t ink = kRgbx.encode(console::palette_colour(7));
    const uint32_t paper = kRgbx.encode(console::palette_colour(0));
    lib::Bytes glyph = font.glyph_bitmap_for('A');
    for (uint32_t y = 0; y < 16; ++y)
        for (uint32_t x = 0; x < 8; ++x) {
            bool set = glyph[y] & (0x80 >> x);
            ASSERT_EQ(renderer.pixel(2 * 8 + x, 16 + y), set ? ink : paper) << x << "," << y;
        }
}

}  // namespace
