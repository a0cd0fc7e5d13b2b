// The PS/2 keyboard behind the i8042 controller, interrupting on ISA IRQ 1
// through the I/O APIC (kernel/arch/x86_64/irq.hpp). The controller
// translates the keyboard's scancode set 2 into set 1 (configuration byte
// bit 6), which dev/scancode.hpp decodes into key events. Events queue up for
// a reader, and so do the bytes a terminal program reads for them (xterm's
// encoding, key_encoding.hpp), for the tty device layer; Ctrl+Alt+Delete goes
// to a handler instead, and Ctrl+Alt+F11/F12 to the kernel's dumps (the
// screen's text, the threads). With echo on (until tty1 takes the keyboard),
// the characters typed are also written to the log by a worker thread.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/dev/key_encoding.hpp"
#include "kernel/dev/scancode.hpp"
#include "lib/expected.hpp"

namespace dev::keyboard {

// Probes and sets up the controller and the keyboard, routes IRQ 1 (one log
// line). Fails with ENODEV if there is no controller, EIO if it does not
// work, or the routing's error. Echo starts on.
lib::Expected<void> init();
bool present();

void set_echo(bool on);
bool echo();

// The oldest queued key event, if any (the queue keeps the last 128).
bool read_event(KeyEvent& event);
// Events dropped because the queue was full.
uint64_t dropped_events();

// The oldest bytes typed, as a terminal program reads them (the queue keeps
// the last 256; a key's sequence is queued whole or not at all). Returns how
// many were copied into `out`.
size_t read_input(uint8_t* out, size_t capacity);
// Bytes dropped because the input queue was full.
uint64_t dropped_input();
// Called from the interrupt handler after it queued bytes for read_input
// (tty1 hands the reading to a thread). nullptr: nobody is told.
void set_input_handler(void (*handler)());
// The terminal modes that change what keys send (DECCKM): the tty layer sets
// them from the terminal the keyboard types into.
void set_key_modes(const KeyModes& modes);
// Called from the interrupt handler on Ctrl+Alt+Delete (which queues no
// bytes): init is told, as Linux does (issue 14). nullptr: ignored.
void set_ctrl_alt_delete_handler(void (*handler)());

// For tests: puts `byte` into the controller's output buffer as if the
// keyboard had sent it (controller command 0xD2); it arrives through IRQ 1.
// ENODEV without a keyboard, ETIMEDOUT if the controller does not take it.
lib::Expected<void> inject_byte(uint8_t byte);

// The text echoed for a typed character: itself, "\b \b" for Backspace,
// "^X" for control characters. Writes at most 4 bytes; returns the length.
size_t echo_text(char character, char* out);

}  // namespace dev::keyboard
