// A text terminal drawn with a PSF font onto 32-bit pixels in memory: the
// pure part of the framebuffer console, host-tested on an ordinary buffer
// (text_renderer_test.cpp). It knows nothing of boot info or locks.
//
// Understands UTF-8 (code points drawn through the font's unicode table),
// "\n" (new line; also returns to column 0), "\r", "\t" (next multiple of 8, no erase),
// "\b" (one column back, nothing erased) and SGR colour escapes (ansi.hpp).
// Wrapping is deferred as in VT100 terminals: a character in the last column
// leaves the cursor there, and only the next printable character wraps, so a
// line exactly as wide as the screen followed by "\n" gives no blank line.
//
// Scrolling is the expensive part (a 2048x2048 framebuffer is 16 MiB, and
// reads from write-combining video memory are slow on real hardware; under
// QEMU/TCG a full-screen move per line made a 300-line log take 20 s). Two
// things keep it cheap: each text row remembers how many columns were ever
// drawn on it since it was last blank, so only that part of a row is moved
// or cleared; and when the cursor falls off the bottom the screen jumps up by
// scroll_step() rows (1/8 of the screen) at once instead of one.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/console/ansi.hpp"
#include "lib/psf.hpp"
#include "lib/string_view.hpp"

namespace console {

// Where each colour channel sits in a 32-bit pixel (UEFI GOP reports RGB,
// BGR or explicit masks; Limine passes size and shift per channel).
struct PixelFormat {
    uint8_t red_size, red_shift;
    uint8_t green_size, green_shift;
    uint8_t blue_size, blue_shift;

    bool valid() const;  // every channel 1..8 bits wide and inside 32 bits
    uint32_t encode(Rgb colour) const;
};

struct Surface {
    uint8_t* pixels = nullptr;
    uint32_t width = 0;   // pixels
    uint32_t height = 0;  // pixels
    uint32_t pitch = 0;   // bytes from one scan line to the next, >= width * 4
    PixelFormat format{};
};

class TextRenderer {
public:
    // Each font pixel is drawn as a scale x scale block. kAutoScale picks the
    // largest scale that still leaves kMinAutoColumns x kMinAutoRows cells,
    // so an 8x16 font is readable on a large screen: 2x on 2048x2048 (QEMU's
    // OVMF default here), 3x on 3840x2160, 1x on 1920x1080 and below.
    static constexpr uint32_t kAutoScale = 0;
    static constexpr uint32_t kMinAutoColumns = 100, kMinAutoRows = 40;
    static constexpr uint32_t kMaxScale = 8;

    // Takes the surface and font (neither is copied; both must outlive the
    // renderer) and clears the screen. Fails if the font has no glyphs, the
    // pixel format is unusable, the pitch is smaller than a line, the scale is
    // above kMaxScale, or not even one character fits.
    bool init(const Surface& surface, const lib::PsfFont& font, uint32_t scale = kAutoScale);

    void write(lib::StringView text);

    uint32_t columns() const { return columns_; }
    uint32_t rows() const { return rows_; }
    uint32_t cursor_column() const { return column_; }
    uint32_t cursor_row() const { return row_; }
    uint32_t scroll_step() const { return scroll_step_; }
    uint32_t scale() const { return scale_; }
    uint32_t cell_width() const { return cell_width_; }    // pixels: font width x scale
    uint32_t cell_height() const { return cell_height_; }  // pixels: font height x scale

    // Text rows beyond this are left unused (a 4K screen with an 8x16 font
    // has 135), which bounds the per-row bookkeeping below.
    static constexpr uint32_t kMaxRows = 512;
    const TextStyle& style() const { return style_; }

    // Clears the screen to the current background and homes the cursor.
    void clear();

    // Pixel at (x, y), for tests; 0 outside the surface.
    uint32_t pixel(uint32_t x, uint32_t y) const;

private:
    void put_byte(uint8_t byte);
    void put_code_point(uint32_t code_point);
    void draw_cell(uint32_t column, uint32_t row, uint32_t code_point);
    void fill_cells(uint32_t row, uint32_t first_column, uint32_t end_column, uint32_t colour);
    void new_line();
    void scroll_up(uint32_t count);
    void update_colours();

    Surface surface_{};
    const lib::PsfFont* font_ = nullptr;
    uint32_t columns_ = 0, rows_ = 0;
    uint32_t column_ = 0, row_ = 0;
    uint32_t scroll_step_ = 1;
    uint32_t scale_ = 1, cell_width_ = 0, cell_height_ = 0;
    bool wrap_pending_ = false;
    // Per text row: columns [0, used) may hold something other than blank
    // background; everything right of that is known to be blank.
    uint16_t row_used_[kMaxRows] = {};

    AnsiParser escapes_;
    TextStyle style_;
    uint32_t foreground_pixel_ = 0, background_pixel_ = 0;

    // UTF-8 decoding state between bytes (a write may split a character).
    uint32_t utf8_code_point_ = 0;
    uint8_t utf8_remaining_ = 0;
};

}  // namespace console
