#include "loader/console.hpp"

#include "loader/cpu.hpp"

namespace loader::console {
namespace {

efi::SimpleTextOutputProtocol* g_con_out = nullptr;
bool g_serial = false;

// ConOut takes UCS-2 strings: collect a line, then hand it over at once.
constexpr uint64_t kBufferChars = 128;
efi::Char16 g_buffer[kBufferChars + 1];
uint64_t g_used = 0;

// COM1 (I/O 0x3f8), 8250/16550 UART: wait for the transmit holding register
// to be empty (line status bit 5), then write. OVMF already set up the UART.
constexpr uint16_t kCom1 = 0x3f8;
void serial_put(char c) {
    for (int spins = 0; spins < 100000 && !(cpu::inb(kCom1 + 5) & 0x20); ++spins) cpu::pause();
    cpu::outb(kCom1, static_cast<uint8_t>(c));
}

void raw_put(char c) {
    if (g_serial) {
        serial_put(c);
        return;
    }
    if (!g_con_out) return;
    g_buffer[g_used++] = static_cast<uint8_t>(c);
    if (g_used == kBufferChars) flush();
}

}  // namespace

void init(efi::SimpleTextOutputProtocol* con_out) {
    g_con_out = con_out;
}

void switch_to_serial() {
    g_used = 0;  // nothing may be pending: callers flush before ExitBootServices
    g_serial = true;
}

void flush() {
    if (g_serial || !g_con_out || g_used == 0) return;
    g_buffer[g_used] = 0;
    g_con_out->output_string(g_con_out, g_buffer);
    g_used = 0;
}

void Sink::put(char c) {
    if (c == '\n') {
        raw_put('\r');
        raw_put('\n');
        flush();
        return;
    }
    raw_put(c);
}

void write(lib::StringView text) {
    Sink sink;
    for (char c : text) sink.put(c);
}

void halt_forever() {
    for (;;) {
        cpu::cli();
        cpu::hlt();
    }
}

void fatal(lib::StringView what, lib::StringView where) {
    print("loader: error: {} ({})\n", what, where);
    flush();
    halt_forever();
}

}  // namespace loader::console

// lib/check.hpp's failure path in the loader: a broken invariant of shared
// code ends the boot with the one fatal line, naming the check.
[[noreturn]] void lib::check_failed(const char* condition, const char* file, uint32_t line) {
    (void)line;
    loader::console::fatal(condition, file);
}
