// Kernel glue for the framebuffer console; see framebuffer_console.hpp.
#include "kernel/console/framebuffer_console.hpp"

#include "lib/utility.hpp"

// Bounds of the embedded PSF file (kernel/console/font.S).
extern "C" const uint8_t console_font_start[];
extern "C" const uint8_t console_font_end[];

namespace console::framebuffer {
namespace {

constinit lib::PsfFont g_font;
constinit TextRenderer g_renderer;
constinit Terminal g_terminal;
constinit bool g_active = false;

// Zero-filled (.bss) storage for the two screens' cells; the terminal writes
// every cell it uses before reading it.
alignas(Cell) uint8_t g_primary[kMaxCells * sizeof(Cell)];
alignas(Cell) uint8_t g_alternate[kMaxCells * sizeof(Cell)];

lib::Span<Cell> cells(uint8_t* storage) {
    return {reinterpret_cast<Cell*>(storage), kMaxCells};
}

}  // namespace

lib::Expected<void> init(const boot::Framebuffer& fb) {
    g_active = false;
    // Only 32 bpp direct colour is drawn; 24, 16 or 8 bpp (rare with UEFI
    // GOP, which reports 32-bit pixels) leave the kernel on serial alone.
    if (fb.address == nullptr || fb.width == 0 || fb.height == 0)
        return lib::Error::make(lib::Errno::kEINVAL, "an empty framebuffer");
    if (fb.bpp != 32) return lib::Error::make(lib::Errno::kEOPNOTSUPP, "only 32 bits per pixel are drawn").with(fb.bpp);

    auto parsed =
        lib::PsfFont::parse(lib::Bytes(console_font_start, static_cast<size_t>(console_font_end - console_font_start)));
    g_font = TRY(parsed);

    Surface surface;
    surface.pixels = fb.address;
    surface.width = fb.width;
    surface.height = fb.height;
    surface.pitch = fb.pitch;
    surface.format = PixelFormat{fb.red_size, fb.red_shift, fb.green_size, fb.green_shift, fb.blue_size, fb.blue_shift};
    TRY(g_renderer.init(surface, g_font));
    const uint32_t columns = g_renderer.columns();
    const uint32_t rows = lib::min<uint32_t>(g_renderer.rows(), uint32_t(kMaxCells / columns));
    TRY(g_terminal.init(columns, rows, cells(g_primary), cells(g_alternate)));
    g_renderer.draw(g_terminal);
    g_active = true;
    return {};
}

bool active() {
    return g_active;
}

void write(lib::StringView text) {
    if (!g_active) return;
    // Runs of text go to the terminal whole; each "\n" becomes "\r\n".
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] != '\n') continue;
        g_terminal.write(text.substr(start, i - start));
        if (i < text.size()) g_terminal.write("\r\n");
        start = i + 1;
    }
    g_renderer.draw(g_terminal);
}

void write_terminal(lib::Span<const uint8_t> bytes) {
    if (!g_active) return;
    g_terminal.write(bytes);
    g_renderer.draw(g_terminal);
}

Terminal& terminal() {
    return g_terminal;
}
TextRenderer& renderer() {
    return g_renderer;
}
const lib::PsfFont& font() {
    return g_font;
}

}  // namespace console::framebuffer
