// Host tests of scancode set 1 decoding and the US layout.
#include "kernel/dev/scancode.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace dev::keyboard {
namespace {

// Feeds `bytes`; returns the characters typed by the press events.
std::string type(ScancodeDecoder& decoder, std::initializer_list<uint8_t> bytes) {
    std::string typed;
    for (uint8_t byte : bytes) {
        KeyEvent event;
        if (decoder.feed(byte, event) && event.pressed && event.character) typed += event.character;
    }
    return typed;
}

TEST(Scancode, LettersDigitsAndRelease) {
    ScancodeDecoder d;
    // h i (press, release each), Enter.
    EXPECT_EQ(type(d, {0x23, 0xa3, 0x17, 0x97, 0x1c, 0x9c}), "hi\n");
    EXPECT_EQ(type(d, {0x02, 0x82, 0x0b, 0x8b, 0x39, 0xb9}), "10 ");
}

TEST(Scancode, ShiftGivesUpperCaseAndSymbols) {
    ScancodeDecoder d;
    EXPECT_EQ(type(d, {0x2a, 0x1e, 0x9e, 0x02, 0x82, 0xaa, 0x1e, 0x9e}), "A!a");
    // Right Shift too, with the punctuation row.
    EXPECT_EQ(type(d, {0x36, 0x0c, 0x0d, 0x27, 0x28, 0x35, 0xb6, 0x35}), "_+:\"?/");
}

TEST(Scancode, CapsLockTogglesLettersOnly) {
    ScancodeDecoder d;
    EXPECT_EQ(type(d, {0x3a, 0xba, 0x1e, 0x02}), "A1");
    EXPECT_TRUE(d.modifiers().caps_lock);
    // Shift inverts Caps Lock for letters.
    EXPECT_EQ(type(d, {0x2a, 0x1e, 0x02, 0xaa}), "a!");
    // A held Caps Lock repeats its make code: it toggles once.
    EXPECT_EQ(type(d, {0x3a, 0x3a, 0x3a, 0xba, 0x1e}), "a");
    EXPECT_FALSE(d.modifiers().caps_lock);
}

TEST(Scancode, ControlCharacters) {
    ScancodeDecoder d;
    std::string typed = type(d, {0x1d, 0x2e, 0xae, 0x1a, 0x9d, 0x2e});  // Ctrl+C, Ctrl+[, then c
    EXPECT_EQ(typed, std::string("\x03\x1b" "c"));
    // Right Ctrl is an extended key.
    EXPECT_EQ(type(d, {0xe0, 0x1d, 0x26, 0xe0, 0x9d}), std::string("\x0c"));
    EXPECT_FALSE(d.modifiers().ctrl());
}

TEST(Scancode, ExtendedKeysAndModifiers) {
    ScancodeDecoder d;
    KeyEvent e;
    EXPECT_FALSE(d.feed(0xe0, e));
    ASSERT_TRUE(d.feed(0x48, e));
    EXPECT_EQ(e.key, Key::kUp);
    EXPECT_TRUE(e.pressed);
    EXPECT_EQ(e.character, 0);
    EXPECT_FALSE(d.feed(0xe0, e));
    ASSERT_TRUE(d.feed(0xc8, e));
    EXPECT_EQ(e.key, Key::kUp);
    EXPECT_FALSE(e.pressed);
    // Right Alt sets alt; the keypad Enter types a newline.
    EXPECT_FALSE(d.feed(0xe0, e));
    ASSERT_TRUE(d.feed(0x38, e));
    EXPECT_TRUE(e.modifiers.alt());
    EXPECT_EQ(type(d, {0xe0, 0x1c, 0xe0, 0x35}), "\n/");
}

TEST(Scancode, PrintScreenFakeShiftAndPauseAreContained) {
    ScancodeDecoder d;
    // Print Screen: E0 2A E0 37, release E0 B7 E0 AA. The fake shift never
    // reaches the modifiers.
    EXPECT_EQ(type(d, {0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa}), "");
    EXPECT_FALSE(d.modifiers().shift());
    // Pause is one event; the byte after it decodes normally.
    KeyEvent e;
    int events = 0;
    for (uint8_t byte : {0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5}) {
        if (d.feed(byte, e)) {
            ++events;
            EXPECT_EQ(e.key, Key::kPause);
        }
    }
    EXPECT_EQ(events, 1);
    EXPECT_FALSE(d.modifiers().num_lock);
    EXPECT_EQ(type(d, {0x1e}), "a");
}

TEST(Scancode, KeypadFollowsNumLock) {
    ScancodeDecoder d;
    EXPECT_EQ(type(d, {0x4f, 0x4e, 0x37}), "+*");  // 1 without Num Lock types nothing
    EXPECT_EQ(type(d, {0x45, 0xc5, 0x4f, 0x52, 0x53}), "10.");
}

TEST(Scancode, ErrorCodesAreNotKeys) {
    ScancodeDecoder d;
    KeyEvent e;
    EXPECT_FALSE(d.feed(0x00, e));
    EXPECT_FALSE(d.feed(0xff, e));
    EXPECT_EQ(type(d, {0x10}), "q");
}

TEST(CharacterFor, EveryPrintableAsciiIsReachable) {
    // Each printable ASCII character is typed by some key, plain or shifted.
    std::string reachable;
    for (int code = 1; code < 0x3a; ++code) {
        for (bool shift : {false, true}) {
            Modifiers m;
            m.left_shift = shift;
            char c = character_for(Key(code), m);
            if (c >= 0x20 && c < 0x7f) reachable += c;
        }
    }
    for (char c = 0x20; c < 0x7f; ++c) EXPECT_NE(reachable.find(c), std::string::npos) << "missing '" << c << "'";
}

}  // namespace
}  // namespace dev::keyboard
