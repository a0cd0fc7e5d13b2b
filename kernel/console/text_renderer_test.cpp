// Host tests of the text renderer on an in-memory "framebuffer" with a
// padded pitch, using a test font whose glyphs encode their own code point
// (so the screen can be read back as text) and the real Terminus font.
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

    uint32_t scale;

    Screen(uint32_t w, uint32_t h, uint32_t padding_bytes, PixelFormat format = kBgrx, uint32_t scale_ = 1)
        : width(w), height(h), pitch(w * 4 + padding_bytes), memory(size_t(pitch) * h, kSentinel), scale(scale_) {
        Surface surface{memory.data(), width, height, pitch, format};
        EXPECT_TRUE(renderer.init(surface, font, scale));
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
    renderer.write("ignored while not initialised");
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
    screen.renderer.write("\x1b[31mK\x1b[0mZ");
    EXPECT_EQ(screen.cell(0, 0), 'K');
    EXPECT_EQ(screen.cell(1, 0), 'Z');
    EXPECT_TRUE(screen.cell_exact(1, 0, 'Z'));
    const uint32_t red = kBgrx.encode(console::palette_colour(1));
    for (uint32_t y = 3; y < 6; ++y)  // font row 1 (all ink) is screen rows 3-5
        for (uint32_t x = 0; x < 24; ++x) EXPECT_EQ(screen.renderer.pixel(x, y), red) << x << "," << y;
    EXPECT_TRUE(screen.padding_untouched());
}

TEST(TextRenderer, DrawsTextAndMovesCursor) {
    Screen screen(10 * kCellWidth + 3, 4 * kCellHeight + 2, 12);
    EXPECT_EQ(screen.renderer.columns(), 10u);
    EXPECT_EQ(screen.renderer.rows(), 4u);
    screen.renderer.write("hi");
    EXPECT_EQ(screen.line(0), "hi........");
    EXPECT_EQ(screen.renderer.cursor_column(), 2u);
    screen.renderer.write("\nab\rX");
    EXPECT_EQ(screen.line(1), "Xb........");
    screen.renderer.write("\tT");
    EXPECT_EQ(screen.line(1), "Xb......T.");  // tab moves to column 8 without drawing
    screen.renderer.write("\b\bZ");
    EXPECT_EQ(screen.line(1), "Xb.....ZT.");
    EXPECT_TRUE(screen.padding_untouched());
}

TEST(TextRenderer, DeferredWrap) {
    Screen screen(10 * kCellWidth, 4 * kCellHeight, 0);
    screen.renderer.write("0123456789");
    EXPECT_EQ(screen.renderer.cursor_row(), 0u);
    EXPECT_EQ(screen.renderer.cursor_column(), 9u);
    screen.renderer.write("\nnext");
    EXPECT_EQ(screen.line(1), "next......");  // no blank line in between
    screen.renderer.write("\n0123456789ab");
    EXPECT_EQ(screen.line(2), "0123456789");
    EXPECT_EQ(screen.line(3), "ab........");
    // Backspace at the pending-wrap position stays on the line.
    Screen other(10 * kCellWidth, 4 * kCellHeight, 0);
    other.renderer.write("0123456789\bX");
    EXPECT_EQ(other.line(0), "012345678X");
    EXPECT_EQ(other.renderer.cursor_row(), 0u);
}

TEST(TextRenderer, TabAtEndOfLine) {
    Screen screen(10 * kCellWidth, 4 * kCellHeight, 0);
    // Tabs stop at the last column and never wrap.
    screen.renderer.write("012345\t\tA");
    EXPECT_EQ(screen.line(0), "012345...A");
    EXPECT_EQ(screen.renderer.cursor_row(), 0u);
    screen.renderer.write("\tB");
    EXPECT_EQ(screen.line(1), "B.........");
}

TEST(TextRenderer, ScrollingKeepsTheLastLines) {
    Screen screen(6 * kCellWidth, 3 * kCellHeight + 3, 20);
    // The pixel rows below the last text row must survive scrolling as they are.
    const size_t tail = size_t(3 * kCellHeight) * screen.pitch;
    screen.renderer.write("one\ntwo\nthree\nfour\nfive");
    EXPECT_EQ(screen.line(0), "three.");
    EXPECT_EQ(screen.line(1), "four..");
    EXPECT_EQ(screen.line(2), "five..");
    EXPECT_EQ(screen.renderer.cursor_row(), 2u);
    screen.renderer.write("\n");
    EXPECT_EQ(screen.line(1), "five..");
    EXPECT_EQ(screen.line(2), "......");
    EXPECT_TRUE(screen.padding_untouched());
    for (size_t i = tail; i < screen.memory.size(); ++i) {
        size_t x = i % screen.pitch;
        if (x < screen.width * 4) ASSERT_EQ(screen.memory[i], 0) << i;  // cleared at init, black, never moved
    }
}

TEST(TextRenderer, JumpScrollMovesSeveralRows) {
    Screen screen(12 * kCellWidth, 16 * kCellHeight, 8);
    ASSERT_EQ(screen.renderer.scroll_step(), 2u);
    for (int i = 0; i < 16; ++i) {
        const char line[] = {char('a' + i), '\n'};
        screen.renderer.write(lib::StringView(line, i < 15 ? 2 : 1));
    }
    EXPECT_EQ(screen.line(15), "p...........");
    screen.renderer.write("\nQ");
    // Up by two rows: 'c' is now on top, the cursor two rows above the bottom.
    EXPECT_EQ(screen.line(0), "c...........");
    EXPECT_EQ(screen.line(13), "p...........");
    EXPECT_EQ(screen.line(14), "Q...........");
    EXPECT_EQ(screen.line(15), "............");
    EXPECT_EQ(screen.renderer.cursor_row(), 14u);
}

// A plain model of the terminal (ASCII, \n \r \t \b, deferred wrap, jump
// scroll) to compare the pixels with, cell by cell.
struct Model {
    uint32_t columns, rows, step;
    std::vector<std::string> lines;
    uint32_t column = 0, row = 0;
    bool wrap = false;
    Model(uint32_t c, uint32_t r, uint32_t s) : columns(c), rows(r), step(s), lines(r, std::string(c, '.')) {}
    void new_line() {
        column = 0;
        wrap = false;
        if (row + 1 < rows) {
            ++row;
            return;
        }
        lines.erase(lines.begin(), lines.begin() + step);
        lines.resize(rows, std::string(columns, '.'));
        row = rows - step;
    }
    void put(char c) {
        if (c == '\n') return new_line();
        if (c == '\r') {
            column = 0;
            wrap = false;
            return;
        }
        if (c == '\t') {
            if (!wrap) column = std::min(columns - 1, (column / 8 + 1) * 8);
            return;
        }
        if (c == '\b') {
            if (wrap)
                wrap = false;
            else if (column > 0)
                --column;
            return;
        }
        if (wrap) new_line();
        lines[row][column] = c;
        if (column + 1 < columns)
            ++column;
        else
            wrap = true;
    }
};

TEST(TextRenderer, RandomTextMatchesModel) {
    std::mt19937 random(31337);
    for (int round = 0; round < 60; ++round) {
        uint32_t columns = 1 + random() % 20, rows = 1 + random() % 20, scale = 1 + round % 3;
        Screen screen((columns * kCellWidth + random() % 8) * scale, (rows * kCellHeight + random() % 4) * scale,
                      random() % 16, kBgrx, scale);
        ASSERT_EQ(screen.renderer.columns(), columns);
        ASSERT_EQ(screen.renderer.rows(), rows);
        Model model(columns, rows, screen.renderer.scroll_step());
        for (int chunk = 0; chunk < 20; ++chunk) {
            std::string text;
            for (int i = 0; i < 40; ++i) {
                uint32_t pick = random() % 20;
                text.push_back(pick < 3    ? '\n'
                               : pick == 3 ? '\t'
                               : pick == 4 ? '\b'
                               : pick == 5 ? '\r'
                                           : char('!' + random() % 90));
                if (text.back() == '.') text.back() = ',';  // '.' means blank in the model
            }
            for (char c : text) model.put(c);
            screen.renderer.write(lib::StringView(text.data(), text.size()));
            for (uint32_t r = 0; r < rows; ++r) ASSERT_EQ(screen.line(r), model.lines[r]) << "round " << round;
            ASSERT_EQ(screen.renderer.cursor_row(), model.row);
            ASSERT_EQ(screen.renderer.cursor_column(), model.column);
        }
        for (uint32_t r = 0; r < rows; ++r)
            for (uint32_t c = 0; c < columns; ++c)
                ASSERT_TRUE(screen.cell_exact(c, r, model.lines[r][c])) << c << "," << r;
        ASSERT_TRUE(screen.padding_untouched());
    }
}

TEST(TextRenderer, Colours) {
    Screen screen(10 * kCellWidth, 2 * kCellHeight, 0);
    screen.renderer.write("\x1b[31mA\x1b[0mB\x1b[7mC");
    const uint32_t red = kBgrx.encode(console::palette_colour(1));
    const uint32_t grey = kBgrx.encode(console::palette_colour(7));
    const uint32_t black = kBgrx.encode(console::palette_colour(0));
    EXPECT_EQ(screen.renderer.pixel(0 * kCellWidth, 1), red);    // ink row of 'A'
    EXPECT_EQ(screen.renderer.pixel(1 * kCellWidth, 1), grey);   // 'B' default
    EXPECT_EQ(screen.renderer.pixel(2 * kCellWidth, 1), black);  // 'C' inverse: black ink
    EXPECT_EQ(screen.renderer.pixel(2 * kCellWidth, 3), grey);   // ... on grey
    EXPECT_EQ(screen.line(0).substr(0, 2), "AB");
}

TEST(TextRenderer, RgbAndBgrDiffer) {
    Screen bgr(2 * kCellWidth, kCellHeight, 0, kBgrx);
    Screen rgb(2 * kCellWidth, kCellHeight, 0, kRgbx);
    bgr.renderer.write("\x1b[31mA");
    rgb.renderer.write("\x1b[31mA");
    console::Rgb red = console::palette_colour(1);
    EXPECT_EQ(bgr.renderer.pixel(0, 1), uint32_t(red.red) << 16 | uint32_t(red.green) << 8 | red.blue);
    EXPECT_EQ(rgb.renderer.pixel(0, 1), uint32_t(red.blue) << 16 | uint32_t(red.green) << 8 | red.red);
}

TEST(TextRenderer, Utf8) {
    Screen screen(10 * kCellWidth, 2 * kCellHeight, 0);
    screen.renderer.write("\xc3\xa9");  // U+00E9: glyph 0xE9 in the identity font
    EXPECT_EQ(uint8_t(screen.cell(0, 0)), 0xE9);
    screen.renderer.write(
        "\xc3"
        "A");  // broken: replacement, then A
    EXPECT_EQ(screen.cell(1, 0), '?');
    EXPECT_EQ(screen.cell(2, 0), 'A');
    screen.renderer.write("\xe2\x82\xac");  // U+20AC: no glyph, so '?'
    EXPECT_EQ(screen.cell(3, 0), '?');
    screen.renderer.write("\x80");  // stray continuation byte
    EXPECT_EQ(screen.cell(4, 0), '?');
    screen.renderer.write("\xe2\x82");  // split across writes
    screen.renderer.write(
        "\xac"
        "Z");
    EXPECT_EQ(screen.cell(5, 0), '?');
    EXPECT_EQ(screen.cell(6, 0), 'Z');
    screen.renderer.write("\x01\x7f\xc2\x85");  // C0, DEL and C1 (U+0085) draw nothing
    EXPECT_EQ(screen.renderer.cursor_column(), 7u);
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
    renderer.write("\n  A");
    const uint32_t ink = kRgbx.encode(console::palette_colour(7));
    const uint32_t paper = kRgbx.encode(console::palette_colour(0));
    lib::Bytes glyph = font.glyph_bitmap_for('A');
    for (uint32_t y = 0; y < 16; ++y)
        for (uint32_t x = 0; x < 8; ++x) {
            bool set = glyph[y] & (0x80 >> x);
            ASSERT_EQ(renderer.pixel(2 * 8 + x, 16 + y), set ? ink : paper) << x << "," << y;
        }
}

TEST(TextRenderer, RandomInputStaysInBounds) {
    std::mt19937 random(2026);
    for (int round = 0; round < 200; ++round) {
        uint32_t columns = 1 + random() % 12, rows = 1 + random() % 6;
        Screen screen(columns * kCellWidth + random() % 8, rows * kCellHeight + random() % 4, random() % 16);
        std::string junk;
        for (int i = 0; i < 300; ++i) {
            int kind = int(random() % 10);
            if (kind == 0)
                junk += "\x1b[" + std::to_string(random() % 120) + "m";
            else if (kind == 1)
                junk.push_back("\n\r\t\b"[random() % 4]);
            else
                junk.push_back(char(random()));
        }
        screen.renderer.write(lib::StringView(junk.data(), junk.size()));
        ASSERT_LT(screen.renderer.cursor_column(), screen.renderer.columns());
        ASSERT_LT(screen.renderer.cursor_row(), screen.renderer.rows());
        ASSERT_TRUE(screen.padding_untouched());
    }
}

}  // namespace
