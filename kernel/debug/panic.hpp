// PANIC: the kernel's last word. Prints the reason and where it was raised,
// the general, control and flags registers, and a symbolized backtrace on both
// consoles, then stops the machine (in test mode: exits QEMU with kFail so the
// harness sees the failure at once).
//
//   PANIC("page table at {:#x} is not aligned", physical);
//
// The reason is formatted with lib::format (lib/format.hpp). A panic raised
// while a panic is being handled prints one short line straight to COM1 and
// halts, so a fault in the console or the symbolizer can not loop.
//
// Host tests (HOST_TEST) get a variant that prints to stderr and aborts, so
// pure logic may use PANIC/ASSERT and still be unit-tested.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "lib/format.hpp"
#include "lib/source_location.hpp"
#include "lib/string_view.hpp"

#if defined(HOST_TEST)
#include <cstdio>
#include <cstdlib>
#endif

namespace debug {

// In test mode a panic ends the QEMU run with QemuExitCode::kFail (set by the
// in-kernel test runner and by the selftests).
void set_test_mode(bool enabled);
bool test_mode();

// Called once at the start of a panic to stop the other CPUs (an NMI/IPI
// broadcast once SMP exists). Until it is set, only this CPU stops.
using StopOtherCpusHook = void (*)();
void set_stop_other_cpus_hook(StopOtherCpusHook hook);

// Called after the report is printed, before the machine stops: the test
// runner uses it to print its [ FAIL ] line and summary when a test panics.
using PanicNotifier = void (*)();
void set_panic_notifier(PanicNotifier notifier);

// True once a panic has begun (e.g. for consoles to drop their locks).
bool panic_in_progress();

// A source path as given by __FILE__ / __builtin_FILE(), made relative to the
// repository root ("kernel/debug/panic.cpp") when it lies inside it.
#if defined(HOST_TEST)
inline const char* short_source_path(const char* path) { return path ? path : "?"; }
#else
const char* short_source_path(const char* path);
#endif

namespace detail {
inline constexpr size_t kPanicMessageSize = 512;

#if !defined(HOST_TEST)
// Claims the panic for this CPU and returns the buffer for the reason. A
// nested panic never returns from here: it prints a short line and halts.
char* begin_panic(const lib::SourceLocation& where);

// Prints everything and stops. `registers` come from the panicking frame;
// with `interrupted_context` they are the state of code that was stopped by
// an exception, and the backtrace starts at registers.rip itself.
[[noreturn]] void finish_panic(const lib::SourceLocation& where, const arch::InterruptFrame& registers,
                               bool interrupted_context = false);
#endif
}  // namespace detail

// Out of line on purpose: its frame is the first one the backtrace skips, so
// frame #0 is always the function that wrote PANIC(...).
template <typename... Args>
[[noreturn, gnu::noinline, gnu::cold]] void panic_at(lib::SourceLocation where, lib::StringView fmt,
                                                     const Args&... args) {
#if defined(HOST_TEST)
    char message[detail::kPanicMessageSize];
    lib::format(message, sizeof message, fmt, args...);
    std::fprintf(stderr, "panic: %s\n  at %s:%u (%s)\n", message, where.file, unsigned(where.line), where.function);
    std::abort();
#else
    arch::InterruptFrame registers;
    arch_capture_registers(&registers);
    char* message = detail::begin_panic(where);
    lib::format(message, detail::kPanicMessageSize, fmt, args...);
    detail::finish_panic(where, registers);
#endif
}

#if !defined(HOST_TEST)
// For exception handlers: a panic whose register dump and backtrace show the
// interrupted code (its saved registers), not the handler. Use the macro:
//   PANIC_WITH_REGISTERS(saved, "page fault at {:#x}", cr2);
template <typename... Args>
[[noreturn, gnu::noinline, gnu::cold]] void panic_with_registers(const arch::InterruptFrame& interrupted,
                                                                 lib::SourceLocation where, lib::StringView fmt,
                                                                 const Args&... args) {
    char* message = detail::begin_panic(where);
    lib::format(message, detail::kPanicMessageSize, fmt, args...);
    detail::finish_panic(where, interrupted, true);
}
#endif

}  // namespace debug

#define PANIC(...) ::debug::panic_at(::lib::SourceLocation::current(), __VA_ARGS__)
#define PANIC_WITH_REGISTERS(registers, ...) \
    ::debug::panic_with_registers((registers), ::lib::SourceLocation::current(), __VA_ARGS__)
