// Deliberate failures for the scenario tests (kernel command line
// selftest=<what>), proving that each safety net really catches its case:
//   panic  PANIC("selftest: deliberate panic (code {})", 42) from
//          debug::selftest::trigger_panic (kernel/debug/selftest.cpp)
//   ubsan  a signed overflow on a volatile int, caught by the UBSan runtime
//   ubsan-shift, ubsan-bounds, ubsan-null, ubsan-misaligned, ubsan-bool
//          one more kind of undefined behaviour each (checks the handlers'
//          data layouts against what clang emits)
//   stack  a buffer overrun caught by the stack protector's canary
//   nested a panic raised inside the panic handler: one "panic: nested
//          panic at ..." line on COM1, then stop
//   registers  PANIC_WITH_REGISTERS with saved registers, as an exception
//          handler would: the backtrace starts at the saved RIP
//   span   an index one past the end of a lib::Span: lib's bounds check
//   expected  the value of a failed lib::Expected: lib's accessor check
// Every one ends in a panic; an unknown <what> panics saying so.
#pragma once

#include "lib/string_view.hpp"

namespace debug {

[[noreturn]] void run_selftest(lib::StringView what);

}  // namespace debug
