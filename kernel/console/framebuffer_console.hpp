// The framebuffer text console: the built-in PSF font (font.S) drawn by a
// TextRenderer on the framebuffer the boot loader set up. Called only from
// console.cpp, under the console lock.
#pragma once

#include "kernel/boot/boot_info.hpp"
#include "kernel/console/text_renderer.hpp"
#include "lib/psf.hpp"
#include "lib/string_view.hpp"

namespace console::framebuffer {

// False (and the console stays off) without a framebuffer, at a depth other
// than 32 bits per pixel, with unusable channel masks, or if the built-in
// font does not parse.
bool init(const boot::Framebuffer& framebuffer);
bool active();
void write(lib::StringView text);

// For in-kernel tests and diagnostics.
TextRenderer& renderer();
const lib::PsfFont& font();

}  // namespace console::framebuffer
