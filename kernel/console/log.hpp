// klog: the kernel log.
//
//   klog::info("memory: {} MiB usable", usable >> 20);
//       -> "[    0.012345] info: memory: 503 MiB usable\n"   (once a clock is set)
//       -> "info: memory: 503 MiB usable\n"                  (before that)
//   klog::print("{:#x} ", value);   raw text: no prefix, no newline added
//
// Formatting is lib::format (lib/format.hpp), into a buffer on the caller's
// stack. The finished line becomes a record in a lock-free ring
// (log_ring.hpp) with its sequence number, level, time and CPU; no log call
// ever waits for a lock or a console. Records reach the consoles in sequence
// order through drain(): the logging CPU drains at once when it may (its
// interrupts are enabled, or the boot has not enabled interrupts yet), so
// output is immediate in ordinary code; a line logged with interrupts off
// (an interrupt handler, code under a spinlock) is left in the ring for the
// next drain — the next log call that may print, the idle loop, or a log
// thread woken through set_output_pending_hook(). Only one CPU prints at a
// time; the others leave their records to it. Lines of up to kLineBytes are
// one record (or adjacent pieces of one), so they never interleave.
//
// Every record is kept, whatever its level; the level set by set_level only
// decides what the consoles show. read() gives records back by sequence
// number for dmesg-style readers (/dev/kmsg, syslog(2)).
//
// The panic path: enter_panic_mode() prints what the ring still holds, and
// from then on every line goes straight to the consoles, without the ring or
// any lock.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/console/log_ring.hpp"
#include "lib/format.hpp"
#include "lib/string_view.hpp"

namespace klog {

// Lines below this level are not shown on the consoles (they are still
// recorded). The default is kDebug: nothing is hidden unless someone (e.g.
// a command-line option) asks for less.
void set_level(Level level);
Level level();

// Once set, every record carries the time since boot, shown as "[ssss.uuuuuu] ".
void set_clock(uint64_t (*nanoseconds_since_boot)());
// Where records get their CPU index (0 until set), e.g. from per-CPU data.
void set_cpu_source(uint32_t (*current_cpu)());

// Raw text, as klog::print without formatting.
void write(lib::StringView text);

// --- output -----------------------------------------------------------------

// From now on a CPU prints only while its interrupts are enabled; records
// logged with interrupts off wait for a drain. The boot calls this when it
// first enables interrupts (before that, the boot CPU prints at once).
void defer_output_with_interrupts_off();

// Prints every complete record not yet shown, oldest first. Returns at once
// if another CPU is printing (it prints these records too). Call with
// interrupts enabled: console output is slow, and nothing urgent should wait
// for it.
void drain();
// The last words before the machine stops (QEMU exit, reset): shows
// everything now, whatever the interrupt state, waiting (bounded) for a CPU
// that is printing to finish.
void flush();
// Whether a drain would show something now (the next record to show is
// complete): for an idle loop deciding whether to drain or halt.
bool output_pending();
// Called (from any context, interrupt handlers included) when a record is
// left in the ring for a later drain: a log thread's wake-up. nullptr: none.
void set_output_pending_hook(void (*hook)());

// For the panic path: prints what the ring holds, then stops using the ring
// and every lock (see console::enter_panic_mode), so the panicking CPU can
// always print.
void enter_panic_mode();

// --- reading the log (dmesg) ---------------------------------------------

// Record `sequence`, or why not (see ReadStatus: kLost says where to go on).
ReadResult read(uint64_t sequence, Record& record);
// The oldest sequence that may still be readable, and the next to be written.
uint64_t first_sequence();
uint64_t next_sequence();
// Records lost before any reader saw them: dropped by a stalled writer (see
// log_ring.hpp), or overwritten before the consoles showed them.
uint64_t dropped_records();
uint64_t unprinted_lost_records();
// Lines logged with interrupts off (interrupt handlers...) and so left for
// a later drain, since boot.
uint64_t deferred_lines();

// A record as the consoles show it: "[time] level: text\n" with its colour
// for a leveled line; the text alone for raw text and the pieces of a long
// line after the first. Returns the length written (at most size - 1, NUL
// terminated). Pure: host-tested.
size_t format_record(const Record& record, char* out, size_t size);

namespace detail {

inline constexpr size_t kLineBytes = 1024;

// Collects one line's formatted characters on the caller's stack; finish()
// appends it to the ring (a line longer than kLineBytes goes in pieces of
// that size, which other CPUs' lines may come between).
class LineSink {
public:
    LineSink(Level level, bool raw) : level_(level), raw_(raw) {}
    void put(char c) {
        if (used_ == sizeof buffer_) commit(false);
        buffer_[used_++] = c;
    }
    void finish() { commit(true); }

private:
    void commit(bool last);

    Level level_;
    bool raw_;
    bool continuation_ = false;
    size_t used_ = 0;
    char buffer_[kLineBytes];
};

template <typename... Args>
void log(Level level, bool raw, lib::StringView fmt, const Args&... args) {
    LineSink sink(level, raw);
    lib::format_to(sink, fmt, args...);
    sink.finish();
}

}  // namespace detail

template <typename... Args>
void debug(lib::StringView fmt, const Args&... args) {
    detail::log(Level::kDebug, false, fmt, args...);
}
template <typename... Args>
void info(lib::StringView fmt, const Args&... args) {
    detail::log(Level::kInfo, false, fmt, args...);
}
template <typename... Args>
void warn(lib::StringView fmt, const Args&... args) {
    detail::log(Level::kWarn, false, fmt, args...);
}
template <typename... Args>
void error(lib::StringView fmt, const Args&... args) {
    detail::log(Level::kError, false, fmt, args...);
}

// Raw formatted text: no prefix, no newline, always shown whatever the level.
template <typename... Args>
void print(lib::StringView fmt, const Args&... args) {
    detail::log(Level::kError, true, fmt, args...);
}

}  // namespace klog
