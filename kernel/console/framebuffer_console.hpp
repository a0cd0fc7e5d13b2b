// The framebuffer console: a Terminal (VT100/xterm emulation, terminal.hpp)
// drawn by a TextRenderer with the built-in PSF font (font.S) on the
// framebuffer the boot loader set up. Called only from console.cpp, under
// the console lock (and by in-kernel tests).
//
// The cells live in static storage (the console starts before the heap), for
// up to kMaxCells per screen; a larger screen uses the top-left part of it.
#pragma once

#include "kernel/boot/boot_info.hpp"
#include "kernel/console/terminal.hpp"
#include "kernel/console/text_renderer.hpp"
#include "lib/expected.hpp"
#include "lib/psf.hpp"
#include "lib/span.hpp"
#include "lib/string_view.hpp"

namespace console::framebuffer {

constexpr size_t kMaxCells = 20000;  // 160x50 at 1280x800, 240x66 at 1920x1080

// Fails (and the console stays off) without a framebuffer, at a depth other
// than 32 bits per pixel, with unusable channel masks, or if the built-in
// font does not parse.
lib::Expected<void> init(const boot::Framebuffer& framebuffer);
bool active();

// Kernel text (the log): "\n" starts a new line, as ONLCR would make it.
void write(lib::StringView text);
// Bytes exactly as a program wrote them to the terminal (after its line
// discipline's output processing): the path of the future tty1.
void write_terminal(lib::Span<const uint8_t> bytes);

// For the keyboard encoder (application cursor keys) and in-kernel tests.
Terminal& terminal();
TextRenderer& renderer();
const lib::PsfFont& font();

}  // namespace console::framebuffer
