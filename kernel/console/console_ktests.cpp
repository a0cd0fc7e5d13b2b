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


// Machines without a display (QEMU -vga none, a headless board) have no
// framebuffer: the framebuffer cases are then skipped, so the suite can run
// on every machine shape. What decides is the loader's answer (no
// framebuffer handed over), not the console under test.
#define SKIP_WITHOUT_FRAMEBUFFER() \
    if (!boot::info().has_framebuffer) KSKIP("the loader handed over no framebuffer")

KTEST(console, serial_port_present) {
    // QEMU's q35 machine always has a 16550 at COM1 (our -serial stdio).
    KEXPECT(console::serial_present());
}

uint32_t default_ink() {
    return console::framebuffer::renderer().encode(console::palette_colour(console::kDefaultForegroundIndex));
}
uint32_t default_paper() {
    return console::framebuffer::renderer().encode(console::palette_colour(console::kDefaultBackgroundIndex));
}

// Drawn through the framebuffer console directly (not console::write) so
// that the serial log stays clean.
void show(lib::StringView text) {
    console::framebuffer::write(text);
}

}  // namespace

KTEST(console, framebuffer_draws_known_glyph) {
    SKIP_WITHOUT_FRAMEBUFFER();
    klog::flush();  // nothing of the log's may scroll the screen under the checks
    show("\x1b[0m\n");
    const uint32_t row = console::framebuffer::terminal().cursor_row();
    show("Az");
    KEXPECT(cell_shows(0, row, 'A', default_ink(), default_paper()));
    KEXPECT(cell_shows(1, row, 'z', default_ink(), default_paper()));
    KEXPECT(!cell_shows(1, row, 'A', default_ink(), default_paper()));
    // A colour escape changes the ink of what follows.
    // (Checked before the newline, which may scroll the screen.)
    show("\x1b[91mE\x1b[0m");
    const uint32_t red = console::framebuffer::renderer().encode(console::palette_colour(9));
    KEXPECT(cell_shows(2, row, 'E', red, default_paper()));
    show("\n");
}

KTEST(console, scrolling_moves_the_screen_up_one_line) {
    SKIP_WITHOUT_FRAMEBUFFER();
    klog::flush();  // nothing of the log's may scroll the screen under the checks
    const console::Terminal& terminal = console::framebuffer::terminal();
    const uint32_t last = terminal.rows() - 1;
    // The cursor to the last row, which gets a marker; a newline scrolls.
    char move[32];
    show(lib::StringView(move, lib::format(move, sizeof move, "\x1b[0m\x1b[{};1H", last + 1)));
    show("#scroll-marker");
    KEXPECT(cell_shows(0, last, '#', default_ink(), default_paper()));
    show("\n");
    KEXPECT(cell_shows(0, last - 1, '#', default_ink(), default_paper()));
    KEXPECT(cell_shows(1, last - 1, 's', default_ink(), default_paper()));
    KEXPECT(cell_shows(1, last, ' ', default_ink(), default_paper()));
    KEXPECT_EQ(terminal.cursor_row(), last);
    KEXPECT_EQ(terminal.cursor_column(), 0u);
}

KTEST(console, framebuffer_terminal_emulates_a_vt100) {
    SKIP_WITHOUT_FRAMEBUFFER();
    klog::flush();  // nothing of the log's may scroll the screen under the checks
    const console::Terminal& terminal = console::framebuffer::terminal();
    // Save the cursor, draw at an absolute place, erase part of it, restore.
    show("\x1b" "7\x1b[3;5HABCDEF\x1b[3;7H\x1b[2X\x1b" "8");
    KEXPECT(cell_shows(4, 2, 'A', default_ink(), default_paper()));
    KEXPECT(cell_shows(5, 2, 'B', default_ink(), default_paper()));
    KEXPECT(cell_shows(6, 2, ' ', default_ink(), default_paper()));
    KEXPECT(cell_shows(8, 2, 'E', default_ink(), default_paper()));
    KEXPECT_EQ(terminal.cell(6, 2).code_point, uint32_t(' '));
    // The alternate screen leaves the log as it was.
    show("\x1b[?1049h\x1b[Hvi");
    KEXPECT(terminal.alternate_screen_active());
    KEXPECT(cell_shows(0, 0, 'v', default_ink(), default_paper()));
    show("\x1b[?1049l");
    KEXPECT(!terminal.alternate_screen_active());
    KEXPECT(cell_shows(4, 2, 'A', default_ink(), default_paper()));
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
