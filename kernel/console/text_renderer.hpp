// Draws a Terminal (terminal.hpp) with a PSF font onto 32-bit pixels in
// memory: the pixel half of the framebuffer console, host-tested on an
// ordinary buffer (text_renderer_test.cpp). It knows nothing of boot info or
// locks.
//
// Only what changed is drawn: the terminal records which cells changed and
// which regions scrolled since the last draw, and draw() moves the pixels of
// each scrolled region (in order), then redraws the changed cells and the
// cursor. Moving pixels is the costly part (reads from write-combining video
// memory are slow on real hardware, and QEMU/TCG makes every byte count), so
// two things keep it small: scrolls the terminal made between two draws
// arrive merged (ten lines of log written at once are one move of ten rows),
// and each text row remembers how far right anything was ever drawn on it
// since it was last blank, so only that part of a row is moved or cleared.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/console/terminal.hpp"
#include "lib/expected.hpp"
#include "lib/psf.hpp"

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
    // so an 8x16 font is readable on a large screen: 2x on 2048x2048, 3x on
    // 3840x2160, 1x on 1920x1080 and below.
    static constexpr uint32_t kAutoScale = 0;
    static constexpr uint32_t kMinAutoColumns = 100, kMinAutoRows = 40;
    static constexpr uint32_t kMaxScale = 8;

    // Takes the surface and font (neither is copied; both must outlive the
    // renderer) and clears the surface. Fails (EINVAL) if the font has no
    // glyphs, the pitch is smaller than a line, the scale is above kMaxScale,
    // or not even one character fits; EOPNOTSUPP for an unusable pixel format.
    lib::Expected<void> init(const Surface& surface, const lib::PsfFont& font, uint32_t scale = kAutoScale);

    // Text cells on the surface (a terminal may use fewer).
    uint32_t columns() const { return columns_; }
    uint32_t rows() const { return rows_; }
    uint32_t scale() const { return scale_; }
    uint32_t cell_width() const { return cell_width_; }    // pixels: font width x scale
    uint32_t cell_height() const { return cell_height_; }  // pixels: font height x scale

    // Brings the pixels up to date with `terminal` (whose size must fit
    // columns() x rows()) and clears its damage.
    void draw(Terminal& terminal);

    // The pixel value a colour has on this surface.
    uint32_t encode(Rgb colour) const { return surface_.format.encode(colour); }
    // Pixel at (x, y), for tests; 0 outside the surface.
    uint32_t pixel(uint32_t x, uint32_t y) const;

private:
    struct Colours {
        uint32_t ink, paper;
        bool underline, strike;
    };
    Colours colours_of(const Cell& cell, bool cursor) const;
    bool looks_blank(const Cell& cell, const Colours& colours) const;
    void draw_cell(uint32_t column, uint32_t row, const Cell& cell, bool cursor);
    void fill_cells(uint32_t row, uint32_t first_column, uint32_t end_column, uint32_t colour);
    void clear_all();
    void move_rows(const Terminal::Scroll& scroll);

    Surface surface_{};
    const lib::PsfFont* font_ = nullptr;
    uint32_t columns_ = 0, rows_ = 0;
    uint32_t scale_ = 1, cell_width_ = 0, cell_height_ = 0;

    uint32_t blank_pixel_ = 0;  // the default background, as drawn
    bool reverse_video_ = false;
    // Per text row: columns [0, extent) may hold something other than the
    // default background; everything right of that is known to be blank.
    uint16_t extent_[Terminal::kMaxRows] = {};
    // Where the cursor was drawn (moved along with scrolled pixels), so that
    // its cell can be drawn plain again.
    bool cursor_drawn_ = false;
    uint32_t cursor_column_ = 0, cursor_row_ = 0;
};

}  // namespace console
