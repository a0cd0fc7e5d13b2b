// The PS/2 keyboard behind the i8042 controller, interrupting on ISA IRQ 1
// through the I/O APIC (kernel/arch/x86_64/irq.hpp). The controller
// translates the keyboard's scancode set 2 into set 1 (configuration byte
// bit 6), which dev/scancode.hpp decodes into key events. Events queue up for
// a reader; with echo on, the characters typed are also written to every
// console (serial and framebuffer) from the interrupt handler.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/dev/scancode.hpp"

namespace dev::keyboard {

// Probes and sets up the controller and the keyboard, routes IRQ 1. Returns
// false (with a log line) if there is no controller or the IRQ can not be
// routed. Echo starts on.
bool init();
bool present();

void set_echo(bool on);
bool echo();

// The oldest queued key event, if any (the queue keeps the last 128).
bool read_event(KeyEvent& event);
// Events dropped because the queue was full.
uint64_t dropped_events();

// For tests: puts `byte` into the controller's output buffer as if the
// keyboard had sent it (controller command 0xD2); it arrives through IRQ 1.
bool inject_byte(uint8_t byte);

// The text echoed for a typed character: itself, "\b \b" for Backspace,
// "^X" for control characters. Writes at most 4 bytes; returns the length.
size_t echo_text(char character, char* out);

}  // namespace dev::keyboard
