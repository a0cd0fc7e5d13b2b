// PS/2 keyboard scancodes (set 1, which the i8042 produces from the
// keyboard's set 2 when its translation is on) to key events, with the US
// layout, Shift, Caps Lock, Ctrl and Alt. Pure logic, host-tested in
// scancode_test.cpp.
//
// Set 1 in brief (IBM PC/AT technical reference; the "XT" codes): one byte
// per key press, the same byte | 0x80 on release; 0xE0 announces an extended
// key (right Ctrl/Alt, arrows, ...); Pause sends E1 1D 45 E1 9D C5 and no
// release; Print Screen wraps its code in a fake Shift (E0 2A / E0 AA).
#pragma once

#include <stdint.h>

namespace dev::keyboard {

// A key: its set-1 make code, with 0x80 added for the 0xE0 keys. Named
// here are those the layout and the modifiers need.
enum class Key : uint8_t {
    kNone = 0x00,
    kEscape = 0x01,
    kBackspace = 0x0e,
    kTab = 0x0f,
    kEnter = 0x1c,
    kLeftCtrl = 0x1d,
    kLeftShift = 0x2a,
    kRightShift = 0x36,
    kLeftAlt = 0x38,
    kSpace = 0x39,
    kCapsLock = 0x3a,
    kF1 = 0x3b,
    kNumLock = 0x45,
    kKeypad7 = 0x47,
    kKeypadPeriod = 0x53,
    kF11 = 0x57,
    kF12 = 0x58,
    kKeypadEnter = 0x80 | 0x1c,
    kRightCtrl = 0x80 | 0x1d,
    kKeypadSlash = 0x80 | 0x35,
    kRightAlt = 0x80 | 0x38,
    kHome = 0x80 | 0x47,
    kUp = 0x80 | 0x48,
    kPageUp = 0x80 | 0x49,
    kLeft = 0x80 | 0x4b,
    kRight = 0x80 | 0x4d,
    kEnd = 0x80 | 0x4f,
    kDown = 0x80 | 0x50,
    kPageDown = 0x80 | 0x51,
    kInsert = 0x80 | 0x52,
    kDelete = 0x80 | 0x53,
    kPause = 0xff,  // 0xE0 0x7F is never sent, so its slot is free
};

struct Modifiers {
    bool left_shift = false, right_shift = false;
    bool left_ctrl = false, right_ctrl = false;
    bool left_alt = false, right_alt = false;
    bool caps_lock = false;  // the lock state, toggled by each press
    bool num_lock = false;

    bool shift() const { return left_shift || right_shift; }
    bool ctrl() const { return left_ctrl || right_ctrl; }
    bool alt() const { return left_alt || right_alt; }
};

struct KeyEvent {
    Key key = Key::kNone;
    bool pressed = false;
    char character = 0;  // what the key types with these modifiers (US layout), or 0
    Modifiers modifiers;  // after this event
};

// The character `key` types (US layout) with `modifiers`: letters follow
// Shift XOR Caps Lock, other keys Shift alone; Ctrl with a letter or one of
// @[\]^_ gives the control character (0x00..0x1f); Enter is '\n',
// Backspace '\b', Tab '\t', Escape 0x1b; keypad digits only with Num Lock.
char character_for(Key key, const Modifiers& modifiers);

class ScancodeDecoder {
public:
    // Feeds one byte from the controller. Returns true and fills `event` when
    // the byte completes a key event (prefix bytes and ignored sequences
    // return false).
    bool feed(uint8_t byte, KeyEvent& event);
    const Modifiers& modifiers() const { return modifiers_; }

private:
    void update_modifiers(Key key, bool pressed);

    Modifiers modifiers_;
    bool extended_ = false;
    uint8_t pause_bytes_left_ = 0;
    bool caps_held_ = false;  // so a held Caps Lock's repeats do not toggle
    bool num_held_ = false;
};

}  // namespace dev::keyboard
