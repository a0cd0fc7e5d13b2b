// Host tests of the key encoder: special keys against the host's terminfo
// entry for xterm (ncurses' infocmp, which records what xterm sends), the
// rest against xterm's documented behaviour, and end to end from scancodes.
#include "kernel/dev/key_encoding.hpp"

#include <gtest/gtest.h>
#include <stdio.h>

#include <initializer_list>
#include <map>
#include <string>

namespace dev::keyboard {
namespace {

Modifiers mods(bool shift, bool alt, bool ctrl) {
    Modifiers m;
    m.left_shift = shift;
    m.left_alt = alt;
    m.left_ctrl = ctrl;
    return m;
}

std::string send(Key key, Modifiers m = {}, bool application_cursor_keys = false) {
    KeyEvent event;
    event.key = key;
    event.pressed = true;
    event.modifiers = m;
    EncodedKey encoded = encode_key(event, KeyModes{application_cursor_keys});
    EXPECT_FALSE(encoded.ctrl_alt_delete);
    return std::string(reinterpret_cast<const char*>(encoded.bytes), encoded.length);
}

// xterm's terminfo entry, with the escapes decoded (\E, ^X, \\, octal).
std::map<std::string, std::string> xterm_terminfo() {
    std::map<std::string, std::string> caps;
    FILE* pipe = popen("infocmp -1 -x xterm 2>/dev/null", "r");
    if (!pipe) return caps;
    char line[4096];
    while (fgets(line, sizeof line, pipe)) {
        std::string text(line);
        const size_t start = text.find_first_not_of(" \t");
        const size_t equals = text.find('=');
        if (start == std::string::npos || equals == std::string::npos || text[start] == '#') continue;
        std::string value;
        const std::string raw = text.substr(equals + 1, text.rfind(',') - equals - 1);
        for (size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '^' && i + 1 < raw.size()) {
                value += raw[i + 1] == '?' ? char(0x7f) : char(raw[i + 1] & 0x1f);
                ++i;
            } else if (raw[i] == '\\' && i + 1 < raw.size()) {
                const char e = raw[++i];
                if (e == 'E' || e == 'e') value += '\x1b';
                else if (e >= '0' && e <= '7') {
                    int octal = 0;
                    for (int d = 0; d < 3 && i < raw.size() && raw[i] >= '0' && raw[i] <= '7'; ++d, ++i)
                        octal = octal * 8 + (raw[i] - '0');
                    --i;
                    value += char(octal);
                } else {
                    value += e;  // \\ \, \^ ...
                }
            } else {
                value += raw[i];
            }
        }
        caps[text.substr(start, equals - start)] = value;
    }
    pclose(pipe);
    return caps;
}

TEST(KeyEncoding, SpecialKeysMatchXtermTerminfo) {
    const auto caps = xterm_terminfo();
    ASSERT_FALSE(caps.empty()) << "infocmp (ncurses-bin) is needed";
    auto expect_cap = [&](const char* name, Key key, Modifiers m = {}) {
        auto found = caps.find(name);
        ASSERT_NE(found, caps.end()) << name;
        // terminfo describes the keypad-transmit state: application cursor keys.
        EXPECT_EQ(send(key, m, true), found->second) << name;
    };
    expect_cap("kcuu1", Key::kUp);
    expect_cap("kcud1", Key::kDown);
    expect_cap("kcuf1", Key::kRight);
    expect_cap("kcub1", Key::kLeft);
    expect_cap("khome", Key::kHome);
    expect_cap("kend", Key::kEnd);
    expect_cap("kich1", Key::kInsert);
    expect_cap("kdch1", Key::kDelete);
    expect_cap("kpp", Key::kPageUp);
    expect_cap("knp", Key::kPageDown);
    expect_cap("kbs", Key::kBackspace);
    expect_cap("kcbt", Key::kTab, mods(true, false, false));
    expect_cap("kbeg", Key(0x4c));  // keypad 5 with Num Lock off

    const Key function_keys[12] = {Key(0x3b), Key(0x3c), Key(0x3d), Key(0x3e), Key(0x3f), Key(0x40),
                                   Key(0x41), Key(0x42), Key(0x43), Key(0x44), Key::kF11, Key::kF12};
    // kf1-12 plain, kf13-24 Shift, kf25-36 Ctrl, kf37-48 Ctrl+Shift, kf49-60 Alt, kf61-63 Alt+Shift.
    const Modifiers banks[6] = {mods(false, false, false), mods(true, false, false), mods(false, false, true),
                                mods(true, false, true),   mods(false, true, false), mods(true, true, false)};
    for (int bank = 0; bank < 6; ++bank) {
        for (int f = 0; f < 12; ++f) {
            const int number = bank * 12 + f + 1;
            if (number > 63) break;
            expect_cap(("kf" + std::to_string(number)).c_str(), function_keys[f], banks[bank]);
        }
    }
    // Modified cursor and editing keys: kUP (Shift), kUP3 (Alt), kUP4 (Alt+Shift),
    // kUP5 (Ctrl), kUP6 (Ctrl+Shift), kUP7 (Ctrl+Alt), and so on.
    const std::pair<const char*, Key> keys[] = {{"kUP", Key::kUp},    {"kDN", Key::kDown},  {"kRIT", Key::kRight},
                                                {"kLFT", Key::kLeft}, {"kHOM", Key::kHome}, {"kEND", Key::kEnd},
                                                {"kIC", Key::kInsert}, {"kDC", Key::kDelete}, {"kNXT", Key::kPageDown},
                                                {"kPRV", Key::kPageUp}};
    for (const auto& [base, key] : keys) {
        expect_cap(base, key, mods(true, false, false));
        expect_cap((std::string(base) + "3").c_str(), key, mods(false, true, false));
        expect_cap((std::string(base) + "4").c_str(), key, mods(true, true, false));
        expect_cap((std::string(base) + "5").c_str(), key, mods(false, false, true));
        expect_cap((std::string(base) + "6").c_str(), key, mods(true, false, true));
        if (key != Key::kDelete) expect_cap((std::string(base) + "7").c_str(), key, mods(false, true, true));
    }
}

TEST(KeyEncoding, CursorKeysFollowTheCursorKeyMode) {
    EXPECT_EQ(send(Key::kUp), "\x1b[A");
    EXPECT_EQ(send(Key::kDown), "\x1b[B");
    EXPECT_EQ(send(Key::kRight), "\x1b[C");
    EXPECT_EQ(send(Key::kLeft), "\x1b[D");
    EXPECT_EQ(send(Key::kHome), "\x1b[H");
    EXPECT_EQ(send(Key::kEnd), "\x1b[F");
    EXPECT_EQ(send(Key::kUp, {}, true), "\x1bOA");
    EXPECT_EQ(send(Key::kHome, {}, true), "\x1bOH");
    // Modified keys use CSI 1 ; m in both modes.
    EXPECT_EQ(send(Key::kLeft, mods(false, false, true)), "\x1b[1;5D");
    EXPECT_EQ(send(Key::kLeft, mods(false, false, true), true), "\x1b[1;5D");
    // Insert/Delete/PgUp/PgDn and F5-F12 do not depend on it.
    EXPECT_EQ(send(Key::kDelete), "\x1b[3~");
    EXPECT_EQ(send(Key::kPageDown), "\x1b[6~");
    EXPECT_EQ(send(Key(0x3b)), "\x1bOP");
    EXPECT_EQ(send(Key::kF12), "\x1b[24~");
}

TEST(KeyEncoding, TypingKeys) {
    EXPECT_EQ(send(Key(0x1e)), "a");
    EXPECT_EQ(send(Key(0x1e), mods(true, false, false)), "A");
    EXPECT_EQ(send(Key(0x02), mods(true, false, false)), "!");
    EXPECT_EQ(send(Key::kEnter), "\r");
    EXPECT_EQ(send(Key::kKeypadEnter), "\r");
    EXPECT_EQ(send(Key::kBackspace), "\x7f");
    EXPECT_EQ(send(Key::kBackspace, mods(false, false, true)), "\x08");
    EXPECT_EQ(send(Key::kTab), "\t");
    EXPECT_EQ(send(Key::kEscape), "\x1b");
    EXPECT_EQ(send(Key::kSpace), " ");
    // Modifiers and locks alone send nothing.
    EXPECT_EQ(send(Key::kLeftShift, mods(true, false, false)), "");
    EXPECT_EQ(send(Key::kCapsLock), "");
    EXPECT_EQ(send(Key::kPause), "");
}

TEST(KeyEncoding, ControlCodes) {
    const Modifiers ctrl = mods(false, false, true);
    EXPECT_EQ(send(Key(0x2e), ctrl), "\x03");                          // Ctrl+C
    EXPECT_EQ(send(Key(0x2e), mods(true, false, true)), "\x03");       // Ctrl+Shift+C
    EXPECT_EQ(send(Key(0x20), ctrl), "\x04");                          // Ctrl+D
    EXPECT_EQ(send(Key(0x2c), ctrl), "\x1a");                          // Ctrl+Z
    EXPECT_EQ(send(Key(0x1a), ctrl), "\x1b");                          // Ctrl+[
    EXPECT_EQ(send(Key(0x2b), ctrl), "\x1c");                          // Ctrl+backslash
    EXPECT_EQ(send(Key(0x1b), ctrl), "\x1d");                          // Ctrl+]
    EXPECT_EQ(send(Key::kSpace, ctrl), std::string("\0", 1));          // Ctrl+Space: NUL
    EXPECT_EQ(send(Key(0x03), ctrl), std::string("\0", 1));            // Ctrl+2: NUL
    EXPECT_EQ(send(Key(0x07), ctrl), "\x1e");                          // Ctrl+6
    EXPECT_EQ(send(Key(0x35), ctrl), "\x1f");                          // Ctrl+/
    EXPECT_EQ(send(Key(0x09), ctrl), "\x7f");                          // Ctrl+8
    EXPECT_EQ(send(Key(0x02), ctrl), "1");                             // no control code: itself
}

TEST(KeyEncoding, AltSendsEscapeFirst) {
    const Modifiers alt = mods(false, true, false);
    EXPECT_EQ(send(Key(0x30), alt), "\x1b" "b");
    EXPECT_EQ(send(Key(0x30), mods(true, true, false)), "\x1b" "B");
    EXPECT_EQ(send(Key(0x2e), mods(false, true, true)), "\x1b\x03");
    EXPECT_EQ(send(Key::kBackspace, alt), "\x1b\x7f");
    EXPECT_EQ(send(Key::kEnter, alt), "\x1b\r");
    // Right Alt (AltGr on a US layout) counts as Alt.
    Modifiers right_alt;
    right_alt.right_alt = true;
    EXPECT_EQ(send(Key(0x23), right_alt), "\x1bh");
}

TEST(KeyEncoding, KeypadFollowsNumLock) {
    Modifiers num_lock;
    num_lock.num_lock = true;
    EXPECT_EQ(send(Key::kKeypad7, num_lock), "7");
    EXPECT_EQ(send(Key(0x48), num_lock), "8");
    EXPECT_EQ(send(Key::kKeypadPeriod, num_lock), ".");
    EXPECT_EQ(send(Key::kKeypad7), "\x1b[H");
    EXPECT_EQ(send(Key(0x48)), "\x1b[A");
    EXPECT_EQ(send(Key(0x51)), "\x1b[6~");
    EXPECT_EQ(send(Key(0x52)), "\x1b[2~");
    EXPECT_EQ(send(Key::kKeypadPeriod), "\x1b[3~");
    EXPECT_EQ(send(Key(0x4a)), "-");  // keypad - and + type whatever Num Lock says
    EXPECT_EQ(send(Key(0x37)), "*");
    EXPECT_EQ(send(Key::kKeypadSlash), "/");
}

TEST(KeyEncoding, CtrlAltDeleteIsAnEventNotBytes) {
    for (Key key : {Key::kDelete, Key::kKeypadPeriod}) {
        KeyEvent event;
        event.key = key;
        event.pressed = true;
        event.modifiers = mods(false, true, true);
        EncodedKey encoded = encode_key(event, {});
        EXPECT_TRUE(encoded.ctrl_alt_delete);
        EXPECT_EQ(encoded.length, 0);
    }
    // With Num Lock, keypad . is a character and Ctrl+Alt+. is not the salute.
    KeyEvent event;
    event.key = Key::kKeypadPeriod;
    event.pressed = true;
    event.modifiers = mods(false, true, true);
    event.modifiers.num_lock = true;
    EXPECT_FALSE(encode_key(event, {}).ctrl_alt_delete);
}

// Ctrl+Alt+F1-F12 switch virtual terminals on the Linux console: no bytes
// for the program, the key's number for the kernel. Without both Ctrl and
// Alt they are ordinary function keys.
TEST(KeyEncoding, CtrlAltFunctionKeysAreConsoleKeys) {
    const Key function_keys[12] = {Key(0x3b), Key(0x3c), Key(0x3d), Key(0x3e), Key(0x3f), Key(0x40),
                                   Key(0x41), Key(0x42), Key(0x43), Key(0x44), Key::kF11, Key::kF12};
    for (int f = 0; f < 12; ++f) {
        for (const Modifiers& m : {mods(false, true, true), mods(true, true, true)}) {
            KeyEvent event;
            event.key = function_keys[f];
            event.pressed = true;
            event.modifiers = m;
            const EncodedKey encoded = encode_key(event, {});
            EXPECT_EQ(encoded.console_key, f + 1);
            EXPECT_EQ(encoded.length, 0);
            EXPECT_FALSE(encoded.ctrl_alt_delete);
        }
        KeyEvent event;
        event.key = function_keys[f];
        event.pressed = true;
        event.modifiers = mods(false, false, true);
        EXPECT_EQ(encode_key(event, {}).console_key, 0);
        event.modifiers = mods(false, true, false);
        EXPECT_EQ(encode_key(event, {}).console_key, 0);
    }
    EXPECT_EQ(send(Key(0x3b), mods(false, false, true)), "\x1b[1;5P");  // Ctrl+F1: still xterm's
    KeyEvent letter;
    letter.key = Key(0x1e);
    letter.pressed = true;
    letter.modifiers = mods(false, true, true);
    EXPECT_EQ(encode_key(letter, {}).console_key, 0);  // Ctrl+Alt+A: ESC ^A
}

TEST(KeyEncoding, ReleasesSendNothing) {
    KeyEvent event;
    event.key = Key(0x1e);
    event.pressed = false;
    EXPECT_EQ(encode_key(event, {}).length, 0);
}

// From the keyboard's bytes to what a program reads.
TEST(KeyEncoding, FromScancodes) {
    ScancodeDecoder decoder;
    std::string typed;
    bool salute = false;
    auto feed = [&](std::initializer_list<uint8_t> bytes, bool application = false) {
        for (uint8_t byte : bytes) {
            KeyEvent event;
            if (!decoder.feed(byte, event)) continue;
            EncodedKey encoded = encode_key(event, KeyModes{application});
            typed.append(reinterpret_cast<const char*>(encoded.bytes), encoded.length);
            salute |= encoded.ctrl_alt_delete;
        }
    };
    feed({0x23, 0xa3, 0x17, 0x97, 0x1c, 0x9c});        // h i Enter
    feed({0xe0, 0x48, 0xe0, 0xc8});                    // Up
    feed({0xe0, 0x48, 0xe0, 0xc8}, true);              // Up, application mode
    feed({0x1d, 0x2e, 0xae, 0x9d});                    // Ctrl+C
    feed({0x38, 0x30, 0xb0, 0xb8});                    // Alt+B
    feed({0x0e, 0x8e, 0x58, 0xd8});                    // Backspace, F12
    EXPECT_EQ(typed, "hi\r\x1b[A\x1bOA\x03\x1b" "b\x7f\x1b[24~");
    EXPECT_FALSE(salute);
    feed({0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d});  // Ctrl+Alt+Delete
    EXPECT_TRUE(salute);
}

}  // namespace
}  // namespace dev::keyboard
