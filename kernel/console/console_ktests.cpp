// In-kernel tests of the consoles on the real (QEMU) hardware: the UART
// answers, and the framebuffer console draws the font where it says, in the
// framebuffer the boot loader handed over.
#include "kernel/boot/boot_info.hpp"
#include "kernel/console/console.hpp"
#include "kernel/console/framebuffer_console.hpp"
#include "kernel/console/log.hpp"
#include "lib/format.hpp"
#include "kernel/test/ktest.hpp"

namespace {

// The 32-bit pixel at (x, y) of the boot framebuffer, read from the
// framebuffer itself (not through the renderer).
uint32_t framebuffer_pixel(uint32_t x, uint32_t y) {
    const boot::Framebuffer& fb = boot::info().framebuffer;
    uint32_t value;
    __builtin_memcpy(&value, fb.address + uint64_t(y) * fb.pitch + uint64_t(x) * 4, sizeof value);
    return value;
}

// Whether the glyph for `code_point` is drawn in text cell (column, row) with
// the given ink and paper pixels, every font pixel as a scale x scale block.
bool cell_shows(uint32_t column, uint32_t row, uint32_t code_point, uint32_t ink, uint32_t paper) {
    const lib::PsfFont& font = console::framebuffer::font();
    const console::TextRenderer& screen = console::framebuffer::renderer();
    const uint32_t scale = screen.scale();
    lib::Bytes glyph = font.glyph_bitmap_for(code_point);
    const uint32_t x0 = column * screen.cell_width(), y0 = row * screen.cell_height();
    for (uint32_t y = 0; y < screen.cell_height(); ++y) {
        for (uint32_t x = 0; x < screen.cell_width(); ++x) {
            const uint32_t font_x = x / scale, font_y = y / scale;
            bool set = glyph[font_y * font.bytes_per_row() + font_x / 8] & (0x80 >> (font_x % 8));
            if (framebuffer_pixel(x0 + x, y0 + y) != (set ? ink : paper)) return false;
        }
    }
    return true;
}

console::PixelFormat boot_pixel_format() {
    const boot::Framebuffer& fb = boot::info().framebuffer;
    return console::PixelFormat{fb.red_size, fb.red_shift, fb.green_size, fb.green_shift, fb.blue_size, fb.blue_shift};
}

// Machines without a display (QEMU -vga none, a headless board) have no
// framebuffer: the framebuffer cases then have nothing to check and pass
// with a note, so the suite can run on every machine shape.
bool skip_without_framebuffer() {
    if (boot::info().has_framebuffer && console::framebuffer_active()) return false;
    klog::print("  (no framebuffer console: nothing to check)\n");
    return true;
}

}  // namespace

KTEST(console, serial_port_present) {
    // QEMU's q35 machine always has a 16550 at COM1 (our -serial stdio).
    KEXPECT(console::serial_present());
}

KTEST(console, framebuffer_draws_known_glyph) {
    if (skip_without_framebuffer()) return;
    console::TextRenderer& screen = console::framebuffer::renderer();
    // Drawn through the renderer directly so that the serial log stays clean.
    screen.write("\x1b[0m\n");
    const uint32_t row = screen.cursor_row();
    screen.write("Az");
    const console::PixelFormat format = boot_pixel_format();
    const uint32_t ink = format.encode(console::palette_colour(console::TextStyle::kDefaultForeground));
    const uint32_t paper = format.encode(console::palette_colour(console::TextStyle::kDefaultBackground));
    KEXPECT(cell_shows(0, row, 'A', ink, paper));
    KEXPECT(cell_shows(1, row, 'z', ink, paper));
    KEXPECT(!cell_shows(1, row, 'A', ink, paper));
    // A colour escape changes the ink of what follows.
    // (Checked before the newline, which may scroll the screen.)
    screen.write("\x1b[91mE\x1b[0m");
    const uint32_t red = format.encode(console::palette_colour(9));
    KEXPECT(cell_shows(2, row, 'E', red, paper));
    screen.write("\n");
}

KTEST(console, scrolling_keeps_the_last_line) {
    if (skip_without_framebuffer()) return;
    console::TextRenderer& screen = console::framebuffer::renderer();
    screen.write("\x1b[0m\n");
    // Move the cursor to the last row, then mark that row.
    while (screen.cursor_row() != screen.rows() - 1) screen.write("\n");
    screen.write("#scroll-marker");
    const uint32_t last = screen.rows() - 1;
    const uint32_t step = screen.scroll_step();
    KASSERT(step >= 1 && step < screen.rows());
    const console::PixelFormat format = boot_pixel_format();
    const uint32_t ink = format.encode(console::palette_colour(console::TextStyle::kDefaultForeground));
    const uint32_t paper = format.encode(console::palette_colour(console::TextStyle::kDefaultBackground));
    KEXPECT(cell_shows(0, last, '#', ink, paper));
    screen.write("\n");
    // The screen jumped up by scroll_step() rows: the marked line with it,
    // the rows below are blank and the cursor is on the first of them.
    KEXPECT(cell_shows(0, last - step, '#', ink, paper));
    KEXPECT(cell_shows(1, last - step, 's', ink, paper));
    KEXPECT(cell_shows(0, last, ' ', ink, paper));
    KEXPECT(cell_shows(1, last - step + 1, ' ', ink, paper));
    KEXPECT_EQ(screen.cursor_row(), last - step + 1);
}

KTEST(console, log_levels_filter) {
    // Not observable on the screen from here, but the level round-trips and
    // a filtered line does not deadlock or print.
    klog::Level saved = klog::level();
    klog::set_level(klog::Level::kError);
    KEXPECT(klog::level() == klog::Level::kError);
    klog::info("this line must not appear");
    klog::set_level(saved);
    KEXPECT(klog::level() == saved);
}
