// In-kernel tests of the PS/2 keyboard (suite "keyboard"): bytes put into
// the i8042's output buffer (command 0xD2) arrive through IRQ 1 and the
// I/O APIC and come out as key events with the right characters.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/dev/ps2_keyboard.hpp"
#include "kernel/test/ktest.hpp"
#include "kernel/time/time.hpp"

namespace {

using namespace dev::keyboard;

// Injects `bytes` one at a time (each must be taken before the next fits)
// and collects the characters of the press events that arrive.
size_t type_and_collect(const uint8_t* bytes, size_t count, char* typed, size_t capacity) {
    bool were_enabled = arch::read_rflags() & arch::rflags::kInterruptEnable;
    arch::sti();
    size_t length = 0;
    for (size_t i = 0; i < count; ++i) {
        if (!inject_byte(bytes[i])) break;
        uint64_t give_up = ktime::now_ns() + 200'000'000;
        // Wait for the byte to be consumed by the interrupt handler.
        while (ktime::now_ns() < give_up) {
            KeyEvent event;
            bool got = false;
            while (read_event(event)) {
                got = true;
                if (event.pressed && event.character && length + 1 < capacity) typed[length++] = event.character;
            }
            if (got || (bytes[i] == 0xe0)) break;
            arch::hlt();
        }
    }
    if (!were_enabled) arch::cli();
    typed[length] = 0;
    return length;
}

}  // namespace

KTEST(keyboard, injected_scancodes_become_characters) {
    KASSERT(present());
    bool echo_was = echo();
    set_echo(false);
    KeyEvent stale;
    while (read_event(stale)) {
    }
    // h, i, Shift+a, Enter (set 1 make/break codes).
    const uint8_t bytes[] = {0x23, 0xa3, 0x17, 0x97, 0x2a, 0x1e, 0x9e, 0xaa, 0x1c, 0x9c};
    char typed[16];
    size_t length = type_and_collect(bytes, sizeof bytes, typed, sizeof typed);
    set_echo(echo_was);
    KEXPECT_EQ(length, 4u);
    KEXPECT(lib::StringView(typed, length) == lib::StringView("hiA\n"));
    KEXPECT_EQ(dropped_events(), 0u);
}

KTEST(keyboard, echo_text_forms) {
    char out[4];
    KEXPECT_EQ(echo_text('a', out), 1u);
    KEXPECT_EQ(echo_text('\b', out), 3u);
    KEXPECT_EQ(echo_text(0x03, out), 2u);
    KEXPECT_EQ(out[0], '^');
    KEXPECT_EQ(out[1], 'C');
}

namespace {

uint32_t g_salutes = 0;
void count_salute() {
    ++g_salutes;
}

// Types `bytes` with echo off and returns what a terminal program would read.
size_t type_input(const uint8_t* bytes, size_t count, uint8_t* input, size_t capacity) {
    bool echo_was = echo();
    set_echo(false);
    char ignored[32];
    type_and_collect(bytes, count, ignored, sizeof ignored);
    set_echo(echo_was);
    return read_input(input, capacity);
}

}  // namespace

KTEST(keyboard, keys_become_the_bytes_xterm_sends) {
    KASSERT(present());
    uint8_t input[32];
    while (read_input(input, sizeof input) != 0) {
    }
    // Up, a, Ctrl+C, F5 (set 1: E0 48, 1E, 1D 2E, 3F; with their releases).
    const uint8_t keys[] = {0xe0, 0x48, 0xe0, 0xc8, 0x1e, 0x9e, 0x1d, 0x2e, 0xae, 0x9d, 0x3f, 0xbf};
    size_t length = type_input(keys, sizeof keys, input, sizeof input);
    KEXPECT(lib::StringView(reinterpret_cast<char*>(input), length) == lib::StringView("\x1b[Aa\x03\x1b[15~"));
    // With application cursor keys (DECCKM), Up is SS3 A.
    set_key_modes(KeyModes{true});
    const uint8_t up[] = {0xe0, 0x48, 0xe0, 0xc8};
    length = type_input(up, sizeof up, input, sizeof input);
    set_key_modes(KeyModes{});
    KEXPECT(lib::StringView(reinterpret_cast<char*>(input), length) == lib::StringView("\x1bOA"));
    KEXPECT_EQ(dropped_input(), 0u);
}

KTEST(keyboard, ctrl_alt_delete_reaches_its_handler) {
    KASSERT(present());
    uint8_t input[32];
    while (read_input(input, sizeof input) != 0) {
    }
    g_salutes = 0;
    set_ctrl_alt_delete_handler(count_salute);
    // Ctrl, Alt, Delete (E0 53), then the releases.
    const uint8_t keys[] = {0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d};
    size_t length = type_input(keys, sizeof keys, input, sizeof input);
    set_ctrl_alt_delete_handler(nullptr);
    KEXPECT_EQ(g_salutes, 1u);
    KEXPECT_EQ(length, 0u);  // no bytes for a program
}
