// Drawing a terminal's cells into 32-bit pixels; see text_renderer.hpp.
#include "kernel/console/text_renderer.hpp"

#include "lib/memory.hpp"
#include "lib/utility.hpp"

namespace console {
namespace {

constexpr uint32_t kBytesPerPixel = 4;

// Pixels need not be 4-byte aligned (any pitch is allowed), so stores go
// through memcpy, which compiles to one plain MOV.
inline void store_pixel(uint8_t* at, uint32_t value) {
    __builtin_memcpy(at, &value, sizeof value);
}
inline uint32_t load_pixel(const uint8_t* at) {
    uint32_t value;
    __builtin_memcpy(&value, at, sizeof value);
    return value;
}

// Copies and fills a quadword at a time when they can (the usual case: rows
// start at column 0 of a framebuffer whose lines are multiples of 8 bytes).
// Under QEMU's TCG every iteration of a REP string instruction costs about
// as much as an instruction, so REP MOVSQ/STOSQ move a screen's worth of
// pixels eight times cheaper than the byte-wise routines (and they are never
// slow on hardware: Intel Optimization Reference Manual §3.7.6).
bool quadword_aligned(const void* at, uint64_t bytes) {
    return ((reinterpret_cast<uintptr_t>(at) | bytes) & 7) == 0;
}

void copy_pixels(uint8_t* to, const uint8_t* from, uint64_t bytes) {
    if (!quadword_aligned(to, bytes) || !quadword_aligned(from, 0)) return lib::copy_bytes(to, from, bytes);
    uint64_t quadwords = bytes / 8;
    asm volatile("rep movsq" : "+D"(to), "+S"(from), "+c"(quadwords) : : "memory");
}

// `count` pixels from `line` on, all `colour`.
void fill_span(uint8_t* line, uint64_t count, uint32_t colour) {
    const uint64_t bytes = count * kBytesPerPixel;
    if (quadword_aligned(line, bytes)) {
        uint64_t quadwords = bytes / 8;
        asm volatile("rep stosq" : "+D"(line), "+c"(quadwords) : "a"(uint64_t(colour) << 32 | colour) : "memory");
        return;
    }
    const uint8_t byte = uint8_t(colour);
    if (colour == byte * 0x01010101u) return lib::fill_bytes(line, byte, bytes);
    for (uint64_t x = 0; x < count; ++x) store_pixel(line + x * kBytesPerPixel, colour);
}

bool channel_valid(uint8_t size, uint8_t shift) {
    return size >= 1 && size <= 8 && uint32_t(size) + shift <= 32;
}

uint32_t encode_channel(uint8_t value, uint8_t size, uint8_t shift) {
    // Keep the top `size` bits of the 8-bit value.
    return uint32_t(value >> (8 - size)) << shift;
}

Rgb dimmed(Rgb c) {
    return {uint8_t(c.red / 2), uint8_t(c.green / 2), uint8_t(c.blue / 2)};
}

}  // namespace

bool PixelFormat::valid() const {
    return channel_valid(red_size, red_shift) && channel_valid(green_size, green_shift) &&
           channel_valid(blue_size, blue_shift);
}

uint32_t PixelFormat::encode(Rgb colour) const {
    return encode_channel(colour.red, red_size, red_shift) | encode_channel(colour.green, green_size, green_shift) |
           encode_channel(colour.blue, blue_size, blue_shift);
}

lib::Expected<void> TextRenderer::init(const Surface& surface, const lib::PsfFont& font, uint32_t scale) {
    font_ = nullptr;
    columns_ = rows_ = 0;
    if (surface.pixels == nullptr) return lib::Error::make(lib::Errno::kEINVAL, "no pixels");
    if (!surface.format.valid()) return lib::Error::make(lib::Errno::kEOPNOTSUPP, "a pixel format we do not draw");
    if (font.glyph_count() == 0) return lib::Error::make(lib::Errno::kEINVAL, "a font without glyphs");
    if (uint64_t(surface.width) * kBytesPerPixel > surface.pitch)
        return lib::Error::make(lib::Errno::kEINVAL, "the pitch is shorter than a row").with(surface.pitch);
    if (scale > kMaxScale) return lib::Error::make(lib::Errno::kEINVAL, "font scale too large").with(scale);
    if (scale == kAutoScale) {
        scale =
            lib::min(surface.width / (font.width() * kMinAutoColumns), surface.height / (font.height() * kMinAutoRows));
        scale = lib::max<uint32_t>(1, lib::min(scale, kMaxScale));
    }
    // Font dimensions are at most 256 (lib::PsfFont), so these fit.
    const uint32_t cell_width = font.width() * scale, cell_height = font.height() * scale;
    if (surface.width < cell_width || surface.height < cell_height)
        return lib::Error::make(lib::Errno::kEINVAL, "the surface is smaller than one character");

    surface_ = surface;
    font_ = &font;
    scale_ = scale;
    cell_width_ = cell_width;
    cell_height_ = cell_height;
    columns_ = lib::min<uint32_t>(surface.width / cell_width, Terminal::kMaxColumns);
    rows_ = lib::min<uint32_t>(surface.height / cell_height, Terminal::kMaxRows);
    reverse_video_ = false;
    blank_pixel_ = encode(resolve_colour(Colour::standard(), false));
    clear_all();
    return {};
}

uint32_t TextRenderer::pixel(uint32_t x, uint32_t y) const {
    if (font_ == nullptr || x >= surface_.width || y >= surface_.height) return 0;
    return load_pixel(surface_.pixels + uint64_t(y) * surface_.pitch + uint64_t(x) * kBytesPerPixel);
}

// The whole surface, including the strip below the last text row and right
// of the last column, so nothing the firmware drew stays.
void TextRenderer::clear_all() {
    for (uint32_t y = 0; y < surface_.height; ++y)
        fill_span(surface_.pixels + uint64_t(y) * surface_.pitch, surface_.width, blank_pixel_);
    for (uint16_t& extent : extent_) extent = 0;
    cursor_drawn_ = false;
}

// Columns [first_column, end_column) of text row `row`, in one colour.
void TextRenderer::fill_cells(uint32_t row, uint32_t first_column, uint32_t end_column, uint32_t colour) {
    if (first_column >= end_column) return;
    for (uint32_t y = row * cell_height_; y < (row + 1) * cell_height_; ++y) {
        uint8_t* line = surface_.pixels + uint64_t(y) * surface_.pitch;
        fill_span(line + uint64_t(first_column) * cell_width_ * kBytesPerPixel,
                  uint64_t(end_column - first_column) * cell_width_, colour);
    }
}

// Ink and paper of a cell: bold brightens the eight basic colours (the font
// has no bold face), dim halves the ink, reverse (the cell's, the screen's
// DECSCNM and the cursor's) swaps, hidden ink is the paper.
TextRenderer::Colours TextRenderer::colours_of(const Cell& cell, bool cursor) const {
    using namespace attribute;
    const uint16_t attributes = cell.pen.attributes;
    Colour foreground = cell.pen.foreground;
    if ((attributes & kBold) && foreground.is_standard()) foreground = Colour::indexed(kDefaultForegroundIndex + 8);
    if ((attributes & kBold) && foreground.is_indexed() && foreground.index() < 8)
        foreground = Colour::indexed(uint8_t(foreground.index() + 8));
    Rgb ink = resolve_colour(foreground, true);
    Rgb paper = resolve_colour(cell.pen.background, false);
    if (attributes & kDim) ink = dimmed(ink);
    bool swap = (attributes & kReverse) != 0;
    if (reverse_video_) swap = !swap;
    if (cursor) swap = !swap;
    if (swap) lib::swap(ink, paper);
    if (attributes & kHidden) ink = paper;
    return Colours{encode(ink), encode(paper), (attributes & kUnderline) != 0, (attributes & kStrike) != 0};
}

bool TextRenderer::looks_blank(const Cell& cell, const Colours& colours) const {
    return (cell.code_point == ' ' || (cell.pen.attributes & attribute::kHidden)) && !colours.underline &&
           !colours.strike && colours.paper == blank_pixel_;
}

void TextRenderer::draw_cell(uint32_t column, uint32_t row, const Cell& cell, bool cursor) {
    const Colours colours = colours_of(cell, cursor);
    if (looks_blank(cell, colours)) {
        // Right of the drawn extent everything is blank already.
        if (column >= extent_[row]) return;
        fill_cells(row, column, column + 1, colours.paper);
        return;
    }
    const uint32_t glyph_width = font_->width();
    const uint32_t glyph_height = font_->height();
    const uint32_t bytes_per_row = font_->bytes_per_row();
    const lib::Bytes glyph = cell.code_point == ' ' ? lib::Bytes() : font_->glyph_bitmap_for(cell.code_point);
    const uint64_t x0 = uint64_t(column) * cell_width_;
    const uint64_t y0 = uint64_t(row) * cell_height_;
    for (uint32_t y = 0; y < glyph_height; ++y) {
        const uint8_t* bits = glyph.empty() ? nullptr : glyph.data() + size_t(y) * bytes_per_row;
        // Underline on the last font row, strike-through across the middle.
        const bool line = (colours.underline && y == glyph_height - 1) || (colours.strike && y == glyph_height / 2);
        // Each font row becomes scale_ identical pixel rows.
        for (uint32_t repeat = 0; repeat < scale_; ++repeat) {
            uint8_t* pixel =
                surface_.pixels + (y0 + uint64_t(y) * scale_ + repeat) * surface_.pitch + x0 * kBytesPerPixel;
            // One font byte per 8 pixels, most significant bit leftmost (PSF).
            for (uint32_t x = 0; x < glyph_width; x += 8) {
                const uint8_t byte = line ? 0xff : bits ? bits[x / 8] : 0;
                const uint32_t count = lib::min<uint32_t>(8, glyph_width - x);
                for (uint32_t bit = 0; bit < count; ++bit) {
                    const uint32_t value = (byte & (0x80 >> bit)) ? colours.ink : colours.paper;
                    for (uint32_t wide = 0; wide < scale_; ++wide, pixel += kBytesPerPixel) store_pixel(pixel, value);
                }
            }
        }
    }
    if (column + 1 > extent_[row]) extent_[row] = uint16_t(column + 1);
}

// A region's pixels move as its text did: rows [top, bottom] up by `lines`
// (down if negative). Only the drawn extent of each row is copied; what the
// copy does not cover is cleared; the rows left behind become blank.
void TextRenderer::move_rows(const Terminal::Scroll& scroll) {
    const bool up = scroll.lines > 0;
    const uint32_t count = uint32_t(up ? scroll.lines : -scroll.lines);
    const uint32_t top = scroll.top, bottom = scroll.bottom;
    for (uint32_t i = 0; i + count <= bottom - top; ++i) {
        const uint32_t row = up ? top + i : bottom - i;
        const uint32_t source_row = up ? row + count : row - count;
        const uint32_t source_extent = extent_[source_row];
        const uint64_t bytes = uint64_t(source_extent) * cell_width_ * kBytesPerPixel;
        if (bytes != 0) {
            for (uint32_t y = 0; y < cell_height_; ++y) {
                uint8_t* to = surface_.pixels + (uint64_t(row) * cell_height_ + y) * surface_.pitch;
                const uint8_t* from = surface_.pixels + (uint64_t(source_row) * cell_height_ + y) * surface_.pitch;
                copy_pixels(to, from, bytes);
            }
        }
        fill_cells(row, source_extent, extent_[row], blank_pixel_);
        extent_[row] = uint16_t(source_extent);
    }
    for (uint32_t i = 0; i < count; ++i) {
        const uint32_t row = up ? bottom - i : top + i;
        fill_cells(row, 0, extent_[row], blank_pixel_);
        extent_[row] = 0;
    }
    // The drawn cursor moved with its pixels (or was blanked).
    if (cursor_drawn_ && cursor_row_ >= top && cursor_row_ <= bottom) {
        const int64_t moved = int64_t(cursor_row_) - scroll.lines;
        if (moved < top || moved > bottom)
            cursor_drawn_ = false;
        else
            cursor_row_ = uint32_t(moved);
    }
}

void TextRenderer::draw(Terminal& terminal) {
    if (font_ == nullptr || terminal.columns() > columns_ || terminal.rows() > rows_) return;
    const bool full = terminal.redraw_all() || terminal.reverse_video() != reverse_video_;
    if (full) {
        reverse_video_ = terminal.reverse_video();
        blank_pixel_ = encode(resolve_colour(Colour::standard(), reverse_video_));
        clear_all();
    } else {
        for (size_t i = 0; i < terminal.scroll_count(); ++i) move_rows(terminal.scroll(i));
    }
    // The old cursor cell, drawn plain again (it may not be damaged).
    if (cursor_drawn_ && cursor_row_ < terminal.rows() && cursor_column_ < terminal.columns())
        draw_cell(cursor_column_, cursor_row_, terminal.cell(cursor_column_, cursor_row_), false);
    cursor_drawn_ = false;
    for (uint32_t row = 0; row < terminal.rows(); ++row) {
        uint32_t begin, end;
        if (full) {
            begin = 0, end = terminal.columns();
        } else if (!terminal.row_damage(row, begin, end)) {
            continue;
        }
        for (uint32_t column = begin; column < end; ++column)
            draw_cell(column, row, terminal.cell(column, row), false);
    }
    if (terminal.cursor_visible()) {
        cursor_column_ = terminal.cursor_column();
        cursor_row_ = terminal.cursor_row();
        draw_cell(cursor_column_, cursor_row_, terminal.cell(cursor_column_, cursor_row_), true);
        cursor_drawn_ = true;
    }
    terminal.clear_damage();
}

}  // namespace console
