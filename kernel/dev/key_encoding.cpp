// Key events to xterm's byte sequences; see key_encoding.hpp.
#include "kernel/dev/key_encoding.hpp"

namespace dev::keyboard {
namespace {

constexpr uint8_t kEsc = 0x1b;
constexpr uint8_t kDel = 0x7f;

class Writer {
public:
    explicit Writer(EncodedKey& out) : out_(out) {}
    void byte(uint8_t b) {
        if (out_.length < EncodedKey::kMaxLength) out_.bytes[out_.length++] = b;
    }
    void number(uint32_t n) {
        if (n >= 10) number(n / 10);
        byte(uint8_t('0' + n % 10));
    }

private:
    EncodedKey& out_;
};

// xterm's modifier parameter: 1 plus Shift 1, Alt 2, Ctrl 4 (1 = none).
uint32_t modifier_parameter(const Modifiers& m) {
    return 1 + (m.shift() ? 1 : 0) + (m.alt() ? 2 : 0) + (m.ctrl() ? 4 : 0);
}

// The keys that send CSI <letter> or SS3 <letter>, and those that send
// CSI <number> ~. The keypad's navigation keys (Num Lock off) count as the
// keys printed on them; keypad 5 is xterm's "Begin" (E).
char cursor_letter(Key key, const Modifiers& m) {
    switch (key) {
        case Key::kUp: return 'A';
        case Key::kDown: return 'B';
        case Key::kRight: return 'C';
        case Key::kLeft: return 'D';
        case Key::kHome: return 'H';
        case Key::kEnd: return 'F';
        default: break;
    }
    if (m.num_lock) return 0;
    switch (uint8_t(key)) {
        case 0x48: return 'A';  // keypad 8
        case 0x50: return 'B';  // keypad 2
        case 0x4d: return 'C';  // keypad 6
        case 0x4b: return 'D';  // keypad 4
        case 0x47: return 'H';  // keypad 7
        case 0x4f: return 'F';  // keypad 1
        case 0x4c: return 'E';  // keypad 5
        default: return 0;
    }
}

uint32_t tilde_number(Key key, const Modifiers& m) {
    switch (key) {
        case Key::kInsert: return 2;
        case Key::kDelete: return 3;
        case Key::kPageUp: return 5;
        case Key::kPageDown: return 6;
        default: break;
    }
    const uint8_t code = uint8_t(key);
    // F5-F10 are set-1 codes 0x3f-0x44, F11/F12 0x57/0x58; VT220 numbering
    // skips 16 and 22.
    static constexpr uint8_t kF5ToF10[6] = {15, 17, 18, 19, 20, 21};
    if (code >= 0x3f && code <= 0x44) return kF5ToF10[code - 0x3f];
    if (key == Key::kF11) return 23;
    if (key == Key::kF12) return 24;
    if (m.num_lock) return 0;
    if (code == 0x52) return 2;  // keypad 0: Insert
    if (code == 0x53) return 3;  // keypad .: Delete
    if (code == 0x49) return 5;  // keypad 9: PgUp
    if (code == 0x51) return 6;  // keypad 3: PgDn
    return 0;
}

// Ctrl with a character: the C0 control code (ASCII clears bits 5 and 6 of
// @, letters, [ \ ] ^ _), and the console's digit row: 2 NUL, 3-7 ESC..US,
// 8 DEL; space NUL, / and - US, ? DEL. Other characters are sent unchanged.
int control_code(char c) {
    if (c >= 'a' && c <= 'z') return c & 0x1f;
    if (c >= '@' && c <= '_') return c & 0x1f;
    switch (c) {
        case ' ':
        case '2': return 0x00;
        case '3': return 0x1b;
        case '4': return 0x1c;
        case '5': return 0x1d;
        case '6': return 0x1e;
        case '7':
        case '/':
        case '-': return 0x1f;
        case '8':
        case '?': return kDel;
        default: return -1;
    }
}

bool is_delete(Key key, const Modifiers& m) {
    return key == Key::kDelete || (key == Key::kKeypadPeriod && !m.num_lock);
}

// 1-12 for F1-F12 (set-1 codes 0x3b-0x44, then 0x57 and 0x58), else 0.
uint8_t function_key_number(Key key) {
    const uint8_t code = uint8_t(key);
    if (code >= uint8_t(Key::kF1) && code < uint8_t(Key::kF1) + 10) return uint8_t(code - uint8_t(Key::kF1) + 1);
    if (key == Key::kF11) return 11;
    if (key == Key::kF12) return 12;
    return 0;
}

}  // namespace

EncodedKey encode_key(const KeyEvent& event, const KeyModes& modes) {
    EncodedKey out;
    if (!event.pressed) return out;
    const Modifiers& m = event.modifiers;
    const Key key = event.key;
    Writer w(out);
    const uint32_t parameter = modifier_parameter(m);

    if (m.ctrl() && m.alt() && is_delete(key, m)) {
        out.ctrl_alt_delete = true;
        return out;
    }
    if (m.ctrl() && m.alt()) {
        if (const uint8_t number = function_key_number(key)) {
            out.console_key = number;
            return out;
        }
    }
    if (const char letter = cursor_letter(key, m)) {
        w.byte(kEsc);
        if (parameter != 1) {
            w.byte('['), w.byte('1'), w.byte(';'), w.number(parameter);
        } else {
            w.byte(modes.application_cursor_keys ? 'O' : '[');
        }
        w.byte(uint8_t(letter));
        return out;
    }
    if (key >= Key::kF1 && uint8_t(key) <= uint8_t(Key::kF1) + 3) {  // F1-F4: SS3 P..S
        w.byte(kEsc);
        if (parameter != 1)
            w.byte('['), w.byte('1'), w.byte(';'), w.number(parameter);
        else
            w.byte('O');
        w.byte(uint8_t('P' + (uint8_t(key) - uint8_t(Key::kF1))));
        return out;
    }
    if (const uint32_t number = tilde_number(key, m)) {
        w.byte(kEsc), w.byte('['), w.number(number);
        if (parameter != 1) w.byte(';'), w.number(parameter);
        w.byte('~');
        return out;
    }

    // Keys that type something. Alt sends ESC first (xterm's metaSendsEscape,
    // the Linux console's default).
    uint8_t c;
    switch (key) {
        case Key::kEnter:
        case Key::kKeypadEnter: c = '\r'; break;
        case Key::kBackspace: c = m.ctrl() ? 0x08 : kDel; break;
        case Key::kEscape: c = kEsc; break;
        case Key::kTab:
            if (m.shift()) {  // back tab
                w.byte(kEsc), w.byte('['), w.byte('Z');
                return out;
            }
            c = '\t';
            break;
        default: {
            Modifiers without_ctrl = m;
            without_ctrl.left_ctrl = without_ctrl.right_ctrl = false;
            const char typed = character_for(key, without_ctrl);
            if (typed == 0) return out;
            c = uint8_t(typed);
            if (m.ctrl()) {
                const int control = control_code(typed);
                if (control >= 0) c = uint8_t(control);
            }
        }
    }
    if (m.alt()) w.byte(kEsc);
    w.byte(c);
    return out;
}

}  // namespace dev::keyboard
