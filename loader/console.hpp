// The loader's text output. Before ExitBootServices text goes to ConOut
// (OVMF mirrors it to the serial port); after it, straight to COM1, since no
// UEFI call is allowed any more (UEFI 2.10 §7.4.6).
#pragma once

#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/format.hpp"
#include "lib/string_view.hpp"
#include "loader/efi/system_table.hpp"

namespace loader::console {

void init(efi::SimpleTextOutputProtocol* con_out);
// From now on, write to COM1 directly (boot services are gone).
void switch_to_serial();

// A sink for the formatter: put() buffers, '\n' becomes CR LF and flushes.
struct Sink {
    void put(char c);
};

void write(lib::StringView text);
void flush();

// print("text {} more {:#x}\n", a, b), formatted by lib::format_to.
template <typename... Args>
void print(lib::StringView format, const Args&... args) {
    Sink sink;
    lib::format_to(sink, format, args...);
}

// The one fatal-error line: "loader: error: <what> (<where>)", then the CPU
// stops for good (cli; hlt) — never back to the firmware, never a reboot.
[[noreturn]] void fatal(lib::StringView what, lib::StringView where);

// The value of `result`, or the fatal line with its error message and
// `where` (the file, table or request at fault).
template <typename T>
T must(lib::Expected<T> result, lib::StringView where) {
    if (!result) fatal(result.error().message, where);
    return result.release_value();
}

// Interrupts off, halt forever.
[[noreturn]] void halt_forever();

}  // namespace loader::console
