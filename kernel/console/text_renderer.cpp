// Drawing text into 32-bit pixels; see text_renderer.hpp.
#include "kernel/console/text_renderer.hpp"

#include "lib/memory.hpp"
#include "lib/utility.hpp"

namespace console {
namespace {

constexpr uint32_t kBytesPerPixel = 4;
constexpr uint32_t kTabWidth = 8;
constexpr uint32_t kReplacementCharacter = 0xFFFD;  // drawn as the font's '?' if absent

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

// `count` pixels from `line` on, all `colour`; bytewise fill when the four
// bytes agree (black, white, grey), which is the common case and fastest.
void fill_span(uint8_t* line, uint64_t count, uint32_t colour) {
    const uint8_t byte = uint8_t(colour);
    if (colour == byte * 0x01010101u) {
        lib::fill_bytes(line, byte, count * kBytesPerPixel);
        return;
    }
    for (uint64_t x = 0; x < count; ++x) store_pixel(line + x * kBytesPerPixel, colour);
}

bool channel_valid(uint8_t size, uint8_t shift) {
    return size >= 1 && size <= 8 && uint32_t(size) + shift <= 32;
}

uint32_t encode_channel(uint8_t value, uint8_t size, uint8_t shift) {
    // Keep the top `size` bits of the 8-bit value.
    return uint32_t(value >> (8 - size)) << shift;
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

bool TextRenderer::init(const Surface& surface, const lib::PsfFont& font, uint32_t scale) {
    font_ = nullptr;
    columns_ = rows_ = 0;
    if (surface.pixels == nullptr || !surface.format.valid() || font.glyph_count() == 0) return false;
    if (uint64_t(surface.width) * kBytesPerPixel > surface.pitch) return false;
    if (scale > kMaxScale) return false;
    if (scale == kAutoScale) {
        scale =
            lib::min(surface.width / (font.width() * kMinAutoColumns), surface.height / (font.height() * kMinAutoRows));
        scale = lib::max<uint32_t>(1, lib::min(scale, kMaxScale));
    }
    // Font dimensions are at most 256 (lib::PsfFont), so these fit.
    const uint32_t cell_width = font.width() * scale, cell_height = font.height() * scale;
    if (surface.width < cell_width || surface.height < cell_height) return false;

    surface_ = surface;
    font_ = &font;
    scale_ = scale;
    cell_width_ = cell_width;
    cell_height_ = cell_height;
    // row_used_ holds 16-bit column counts.
    columns_ = lib::min<uint32_t>(surface.width / cell_width, 0xFFFF);
    rows_ = lib::min<uint32_t>(surface.height / cell_height, kMaxRows);
    scroll_step_ = lib::max<uint32_t>(1, rows_ / 8);
    escapes_ = AnsiParser{};
    style_ = TextStyle{};
    utf8_remaining_ = 0;
    update_colours();
    clear();
    return true;
}

uint32_t TextRenderer::pixel(uint32_t x, uint32_t y) const {
    if (font_ == nullptr || x >= surface_.width || y >= surface_.height) return 0;
    return load_pixel(surface_.pixels + uint64_t(y) * surface_.pitch + uint64_t(x) * kBytesPerPixel);
}

void TextRenderer::update_colours() {
    foreground_pixel_ = surface_.format.encode(palette_colour(style_.shown_foreground()));
    background_pixel_ = surface_.format.encode(palette_colour(style_.shown_background()));
}

void TextRenderer::clear() {
    if (font_ == nullptr) return;
    // The whole surface, including the strip below the last text row and
    // right of the last column, so nothing the firmware drew stays.
    for (uint32_t y = 0; y < surface_.height; ++y)
        fill_span(surface_.pixels + uint64_t(y) * surface_.pitch, surface_.width, background_pixel_);
    for (uint16_t& used : row_used_) used = 0;
    column_ = row_ = 0;
    wrap_pending_ = false;
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

void TextRenderer::draw_cell(uint32_t column, uint32_t row, uint32_t code_point) {
    const uint32_t glyph_width = font_->width();
    const uint32_t glyph_height = font_->height();
    const uint32_t bytes_per_row = font_->bytes_per_row();
    const lib::Bytes glyph = font_->glyph_bitmap_for(code_point);
    const uint64_t x0 = uint64_t(column) * cell_width_;
    const uint64_t y0 = uint64_t(row) * cell_height_;
    const uint32_t ink = foreground_pixel_, paper = background_pixel_;
    for (uint32_t y = 0; y < glyph_height; ++y) {
        const uint8_t* bits = glyph.empty() ? nullptr : glyph.data() + size_t(y) * bytes_per_row;
        // Each font row becomes scale_ identical pixel rows.
        for (uint32_t repeat = 0; repeat < scale_; ++repeat) {
            uint8_t* pixel =
                surface_.pixels + (y0 + uint64_t(y) * scale_ + repeat) * surface_.pitch + x0 * kBytesPerPixel;
            // One font byte per 8 pixels, most significant bit leftmost (PSF).
            for (uint32_t x = 0; x < glyph_width; x += 8) {
                const uint8_t byte = bits ? bits[x / 8] : 0;
                const uint32_t count = lib::min<uint32_t>(8, glyph_width - x);
                for (uint32_t bit = 0; bit < count; ++bit) {
                    const uint32_t value = (byte & (0x80 >> bit)) ? ink : paper;
                    for (uint32_t wide = 0; wide < scale_; ++wide, pixel += kBytesPerPixel) store_pixel(pixel, value);
                }
            }
        }
    }
    if (column + 1 > row_used_[row]) row_used_[row] = uint16_t(column + 1);
}

// Moves text rows [count, rows) up to [0, rows - count) and blanks the last
// `count` rows. Only the used part of each row is copied or cleared.
void TextRenderer::scroll_up(uint32_t count) {
    for (uint32_t row = 0; row + count < rows_; ++row) {
        const uint32_t source_row = row + count;
        const uint32_t source_used = row_used_[source_row];
        const uint64_t bytes = uint64_t(source_used) * cell_width_ * kBytesPerPixel;
        if (bytes != 0) {
            for (uint32_t y = 0; y < cell_height_; ++y) {
                uint8_t* to = surface_.pixels + (uint64_t(row) * cell_height_ + y) * surface_.pitch;
                const uint8_t* from = surface_.pixels + (uint64_t(source_row) * cell_height_ + y) * surface_.pitch;
                lib::move_bytes(to, from, bytes);
            }
        }
        fill_cells(row, source_used, row_used_[row], background_pixel_);
        row_used_[row] = uint16_t(source_used);
    }
    for (uint32_t row = rows_ - count; row < rows_; ++row) {
        fill_cells(row, 0, row_used_[row], background_pixel_);
        row_used_[row] = 0;
    }
}

void TextRenderer::new_line() {
    column_ = 0;
    wrap_pending_ = false;
    if (row_ + 1 < rows_) {
        ++row_;
        return;
    }
    scroll_up(scroll_step_);
    row_ = rows_ - scroll_step_;
}

void TextRenderer::put_code_point(uint32_t code_point) {
    switch (code_point) {
        case '\n': new_line(); return;
        case '\r':
            column_ = 0;
            wrap_pending_ = false;
            return;
        case '\t':
            // As on a VT100: move to the next tab stop without erasing, and
            // never past the last column.
            if (!wrap_pending_) column_ = lib::min(columns_ - 1, (column_ / kTabWidth + 1) * kTabWidth);
            return;
        case '\b':
            if (wrap_pending_)
                wrap_pending_ = false;
            else if (column_ > 0)
                --column_;
            return;
        default: break;
    }
    // Other C0 and C1 controls and DEL have no picture.
    if (code_point < 0x20 || code_point == 0x7F || (code_point >= 0x80 && code_point < 0xA0)) return;

    if (wrap_pending_) new_line();
    draw_cell(column_, row_, code_point);
    if (column_ + 1 < columns_)
        ++column_;
    else
        wrap_pending_ = true;
}

// UTF-8 (RFC 3629) decoding, forgiving: a broken sequence shows one
// replacement character and decoding resumes at the next byte.
void TextRenderer::put_byte(uint8_t byte) {
    if ((byte & 0xC0) == 0x80) {
        if (utf8_remaining_ == 0) return put_code_point(kReplacementCharacter);
        utf8_code_point_ = utf8_code_point_ << 6 | (byte & 0x3F);
        if (--utf8_remaining_ == 0) put_code_point(utf8_code_point_);
        return;
    }
    if (utf8_remaining_ != 0) {
        utf8_remaining_ = 0;
        put_code_point(kReplacementCharacter);
    }
    if (byte < 0x80) return put_code_point(byte);
    if ((byte & 0xE0) == 0xC0) {
        utf8_code_point_ = byte & 0x1F;
        utf8_remaining_ = 1;
    } else if ((byte & 0xF0) == 0xE0) {
        utf8_code_point_ = byte & 0x0F;
        utf8_remaining_ = 2;
    } else if ((byte & 0xF8) == 0xF0) {
        utf8_code_point_ = byte & 0x07;
        utf8_remaining_ = 3;
    } else {
        put_code_point(kReplacementCharacter);
    }
}

void TextRenderer::write(lib::StringView text) {
    if (font_ == nullptr) return;
    for (char c : text) {
        switch (escapes_.feed(c)) {
            case AnsiParser::Result::kText: put_byte(static_cast<uint8_t>(c)); break;
            case AnsiParser::Result::kSgr:
                style_.apply_sgr(escapes_.parameters());
                update_colours();
                break;
            case AnsiParser::Result::kConsumed: break;
        }
    }
}

}  // namespace console
