// The kernel's consoles: the COM1 serial port and the framebuffer text
// console. console::write() sends the same text to every active one.
//
// Text may carry SGR colour escapes (ESC [ n ; ... m, ECMA-48 §8.3.117): the
// framebuffer console shows them as colours, the serial console drops them so
// that serial logs stay plain, grep-able text.
//
// Text written before a console starts is not lost: the last 16 KiB of output
// are kept (history.hpp) and replayed onto each console when it comes up.
//
// Writes are serialized by one spinlock (interrupts off while held), so a
// single write() is never cut into by another CPU. klog takes its own lock
// around a whole line on top of this.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/boot/boot_info.hpp"
#include "lib/expected.hpp"
#include "lib/string_view.hpp"

namespace console {

// Probes and programs COM1. Safe to call before anything else is set up
// (no memory allocation, no interrupts); absent hardware is not an error.
void init_serial();

// Starts the text console on a 32 bpp framebuffer with the built-in font.
// Fails (and the kernel stays on serial alone) if the framebuffer is
// missing, too small or in a pixel format the console does not draw.
lib::Expected<void> init_framebuffer(const boot::Framebuffer& framebuffer);

void write(lib::StringView text);
// Bytes a program wrote to the serial terminal (ttyS0), unchanged, under the
// console lock: a program's write and a kernel log line never cut into
// each other.
void write_serial_raw(const uint8_t* bytes, size_t count);

// Bytes a program wrote to the framebuffer terminal (tty1, after its line
// discipline's OPOST), under the console lock: the kernel log shares the
// screen, as on Linux, and neither cuts into the other. Dropped when there
// is no framebuffer console (Linux's dummy console). Returns the
// terminal's DECCKM mode after them (application cursor keys), which
// decides what the keyboard's cursor keys send.
bool write_framebuffer_raw(const uint8_t* bytes, size_t count);
// Where the framebuffer terminal's answers to DSR and DA go (bytes it
// "types": tty1 feeds them to its line discipline). Called with the console
// lock held, so it must only queue them.
using TerminalReply = void (*)(void* context, const char* bytes, size_t length);
void set_framebuffer_reply(TerminalReply reply, void* context);
// The framebuffer terminal's size in character cells (false without one).
bool framebuffer_size(uint32_t& columns, uint32_t& rows);
// The framebuffer terminal's text, one "screen| <row>" line a row (trailing
// blanks cut, non-ASCII as '?'), between a header and an end line, on the
// serial port only (not in the log, not on the screen): what tests and bug
// reports read of the screen (Ctrl+Alt+F11, docs/tty.md).
void dump_screen_to_serial();

bool serial_present();
bool framebuffer_active();

// For the panic path: from now on write() no longer takes the console lock,
// so a CPU that panicked while holding it (or while another CPU held it)
// can still print. Output from several CPUs may then interleave.
void enter_panic_mode();
bool in_panic_mode();

}  // namespace console
