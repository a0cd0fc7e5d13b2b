// Key events to the bytes a terminal program reads, as xterm sends them
// (xterm's "PC-Style Function Keys" in ctlseqs, and its terminfo entry):
// characters as typed, Enter CR, Backspace DEL, Ctrl+key control codes, Alt
// as an ESC prefix, cursor keys as CSI A-D (SS3 A-D when the program asked
// for application cursor keys, DECCKM), Home/End, Insert/Delete/PgUp/PgDn as
// CSI n ~, F1-F12, and xterm's modifier parameter (1 + Shift 1 + Alt 2 +
// Ctrl 4) on the special keys. Ctrl+Alt+Delete sends nothing: it is reported,
// for init (Linux turns it into SIGINT for init, or a reboot). Neither does
// Ctrl+Alt+F1-F12, the Linux console's virtual-terminal switch keys: they
// are reported as console keys (the kernel's debugging dumps use them).
//
// Pure logic, host-tested against the host's terminfo entry for xterm.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/dev/scancode.hpp"

namespace dev::keyboard {

struct EncodedKey {
    static constexpr size_t kMaxLength = 16;
    uint8_t bytes[kMaxLength] = {};
    uint8_t length = 0;
    bool ctrl_alt_delete = false;  // the "three-finger salute": no bytes, an event
    uint8_t console_key = 0;       // Ctrl+Alt+F<n>: n (1-12), no bytes
};

// The terminal modes that change what keys send (from the terminal emulator).
struct KeyModes {
    bool application_cursor_keys = false;  // DECCKM (CSI ? 1 h)
};

// What `event` sends; nothing for releases and for keys that send nothing
// alone (modifiers, locks).
EncodedKey encode_key(const KeyEvent& event, const KeyModes& modes);

}  // namespace dev::keyboard
