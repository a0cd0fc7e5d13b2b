// Scancode set 1 decoding and the US layout; see scancode.hpp.
#include "kernel/dev/scancode.hpp"

namespace dev::keyboard {
namespace {

// US layout, unshifted and shifted, for make codes 0x00..0x39 (set 1).
constexpr char kPlain[0x3a] = {
    0,    0x1b, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-',  '=', '\b', '\t',  // 0x00
    'q',  'w',  'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\n', 0,   'a',  's',   // 0x10
    'd',  'f',  'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0,  '\\', 'z', 'x', 'c',  'v',   // 0x20
    'b',  'n',  'm', ',', '.', '/', 0,   '*', 0,   ' ',                                    // 0x30
};
constexpr char kShifted[0x3a] = {
    0,    0x1b, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_',  '+', '\b', '\t',  // 0x00
    'Q',  'W',  'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\n', 0,   'A',  'S',   // 0x10
    'D',  'F',  'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0,   '|', 'Z',  'X', 'C',  'V',   // 0x20
    'B',  'N',  'M', '<', '>', '?', 0,   '*', 0,   ' ',                                    // 0x30
};
// Keypad 0x47..0x53 with Num Lock: 7 8 9 - 4 5 6 + 1 2 3 0 .
constexpr char kKeypad[0x53 - 0x47 + 1] = {'7', '8', '9', '-', '4', '5', '6', '+', '1', '2', '3', '0', '.'};

constexpr uint8_t kExtendedPrefix = 0xe0;
constexpr uint8_t kPausePrefix = 0xe1;
constexpr uint8_t kBreakBit = 0x80;
constexpr uint8_t kFakeShift = 0x2a;  // E0 2A / E0 AA around Print Screen
constexpr uint8_t kFakeRightShift = 0x36;

bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

char character_for(Key key, const Modifiers& modifiers) {
    uint8_t code = uint8_t(key);
    if (key == Key::kKeypadEnter) return '\n';
    if (key == Key::kKeypadSlash) return '/';
    if (code >= 0x80) return 0;
    if (code >= uint8_t(Key::kKeypad7) && code <= uint8_t(Key::kKeypadPeriod)) {
        char c = kKeypad[code - uint8_t(Key::kKeypad7)];
        bool always = c == '-' || c == '+';
        return (always || modifiers.num_lock) ? c : 0;
    }
    if (code >= sizeof kPlain) return 0;
    char plain = kPlain[code];
    if (plain == 0) return 0;
    bool upper = modifiers.shift();
    if (is_letter(plain) && modifiers.caps_lock) upper = !upper;
    char c = upper ? kShifted[code] : kPlain[code];
    if (modifiers.ctrl()) {
        // Ctrl clears bits 5 and 6 of @, A..Z, [, \, ], ^, _ (ASCII control codes).
        char base = is_letter(c) ? char(c & ~0x20) : c;
        if (base >= '@' && base <= '_') return char(base & 0x1f);
        if (c == ' ') return 0;  // Ctrl+Space: NUL, which nothing prints
    }
    return c;
}

void ScancodeDecoder::update_modifiers(Key key, bool pressed) {
    switch (key) {
    case Key::kLeftShift: modifiers_.left_shift = pressed; break;
    case Key::kRightShift: modifiers_.right_shift = pressed; break;
    case Key::kLeftCtrl: modifiers_.left_ctrl = pressed; break;
    case Key::kRightCtrl: modifiers_.right_ctrl = pressed; break;
    case Key::kLeftAlt: modifiers_.left_alt = pressed; break;
    case Key::kRightAlt: modifiers_.right_alt = pressed; break;
    case Key::kCapsLock:
        if (pressed && !caps_held_) modifiers_.caps_lock = !modifiers_.caps_lock;
        caps_held_ = pressed;
        break;
    case Key::kNumLock:
        if (pressed && !num_held_) modifiers_.num_lock = !modifiers_.num_lock;
        num_held_ = pressed;
        break;
    default: break;
    }
}

bool ScancodeDecoder::feed(uint8_t byte, KeyEvent& event) {
    if (pause_bytes_left_ > 0) {
        // The rest of E1 1D 45 E1 9D C5: one Pause press in all.
        if (--pause_bytes_left_ > 0) return false;
        event = KeyEvent{Key::kPause, true, 0, modifiers_};
        return true;
    }
    if (byte == kPausePrefix) {
        pause_bytes_left_ = 5;
        extended_ = false;
        return false;
    }
    if (byte == kExtendedPrefix) {
        extended_ = true;
        return false;
    }
    bool extended = extended_;
    extended_ = false;
    // 0x00 and 0xFF are the keyboard's error/overrun codes, not keys.
    if (byte == 0x00 || byte == 0xff) return false;
    bool pressed = !(byte & kBreakBit);
    uint8_t code = byte & ~kBreakBit;
    if (extended && (code == kFakeShift || code == kFakeRightShift)) return false;
    Key key = Key(extended ? (code | 0x80) : code);
    update_modifiers(key, pressed);
    event.key = key;
    event.pressed = pressed;
    event.modifiers = modifiers_;
    event.character = pressed ? character_for(key, modifiers_) : 0;
    return true;
}

}  // namespace dev::keyboard
