// Kernel glue for the framebuffer console; see framebuffer_console.hpp.
#include "kernel/console/framebuffer_console.hpp"

// Bounds of the embedded PSF file (kernel/console/font.S).
extern "C" const uint8_t console_font_start[];
extern "C" const uint8_t console_font_end[];

namespace console::framebuffer {
namespace {

constinit lib::PsfFont g_font;
constinit TextRenderer g_renderer;
constinit bool g_active = false;

}  // namespace

bool init(const boot::Framebuffer& fb) {
    g_active = false;
    // Only 32 bpp direct colour is drawn; 24, 16 or 8 bpp (rare with UEFI
    // GOP, which reports 32-bit pixels) leave the kernel on serial alone.
    if (fb.address == nullptr || fb.bpp != 32 || fb.width == 0 || fb.height == 0) return false;

    auto parsed =
        lib::PsfFont::parse(lib::Bytes(console_font_start, static_cast<size_t>(console_font_end - console_font_start)));
    if (!parsed.has_value()) return false;
    g_font = parsed.value();

    Surface surface;
    surface.pixels = fb.address;
    surface.width = fb.width;
    surface.height = fb.height;
    surface.pitch = fb.pitch;
    surface.format = PixelFormat{fb.red_size, fb.red_shift, fb.green_size, fb.green_shift, fb.blue_size, fb.blue_shift};
    g_active = g_renderer.init(surface, g_font);
    return g_active;
}

bool active() {
    return g_active;
}

void write(lib::StringView text) {
    if (g_active) g_renderer.write(text);
}

TextRenderer& renderer() {
    return g_renderer;
}
const lib::PsfFont& font() {
    return g_font;
}

}  // namespace console::framebuffer
