// klog: the kernel log. Lines go to every console (kernel/console/console.hpp).
//
//   klog::info("memory: {} MiB usable", usable >> 20);
//       -> "[    0.012345] info: memory: 503 MiB usable\n"   (once a clock is set)
//       -> "info: memory: 503 MiB usable\n"                  (before that)
//   klog::print("{:#x} ", value);   raw text: no prefix, no newline added
//
// Formatting is lib::format (lib/format.hpp). One spinlock with interrupts
// off covers a whole line, so lines from several CPUs never interleave. There
// is no heap: text is formatted through a small fixed buffer that is flushed
// to the consoles as it fills, so a line may be of any length.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/format.hpp"
#include "lib/string_view.hpp"

namespace klog {

enum class Level : uint8_t { kDebug, kInfo, kWarn, kError };

// Lines below this level are dropped. The default is kDebug: nothing is lost
// unless someone (e.g. a command-line option) asks for less.
void set_level(Level level);
Level level();

// Once set, every leveled line carries the time since boot: "[ssss.uuuuuu] ".
void set_clock(uint64_t (*nanoseconds_since_boot)());

// Raw text to every console, under the log lock.
void write(lib::StringView text);

// For the panic path: stop taking the log and console locks (see
// console::enter_panic_mode), so the panicking CPU can always print.
void enter_panic_mode();

namespace detail {

// Collects formatted characters and hands them to the consoles in chunks.
class LineSink {
public:
    void put(char c) {
        if (used_ == sizeof buffer_) flush();
        buffer_[used_++] = c;
    }
    void flush();

private:
    char buffer_[160];
    size_t used_ = 0;
};

// The log lock, held from begin_line to end_line; the token carries the
// saved interrupt state. Level filtering happens in begin_line: a dropped
// line takes no lock at all.
struct LineToken {
    bool emit;
    bool lock_held;
    bool interrupts_were_enabled;
    Level level;
};
LineToken begin_line(Level level, bool with_prefix, LineSink& sink);
void end_line(const LineToken& token, bool with_newline, LineSink& sink);

template <typename... Args>
void log(Level level, bool leveled, lib::StringView fmt, const Args&... args) {
    LineSink sink;
    LineToken token = begin_line(level, leveled, sink);
    if (!token.emit) return;
    lib::format_to(sink, fmt, args...);
    end_line(token, leveled, sink);
}

}  // namespace detail

template <typename... Args>
void debug(lib::StringView fmt, const Args&... args) {
    detail::log(Level::kDebug, true, fmt, args...);
}
template <typename... Args>
void info(lib::StringView fmt, const Args&... args) {
    detail::log(Level::kInfo, true, fmt, args...);
}
template <typename... Args>
void warn(lib::StringView fmt, const Args&... args) {
    detail::log(Level::kWarn, true, fmt, args...);
}
template <typename... Args>
void error(lib::StringView fmt, const Args&... args) {
    detail::log(Level::kError, true, fmt, args...);
}

// Raw formatted text: no prefix, no newline, never filtered by level.
template <typename... Args>
void print(lib::StringView fmt, const Args&... args) {
    detail::log(Level::kError, false, fmt, args...);
}

}  // namespace klog
