// Deliberate failures for the scenario tests (kernel command line
// selftest=<what>), proving that each safety net really catches its case:
//   panic  PANIC("selftest: deliberate panic (code {})", 42) from
//          debug::selftest::trigger_panic (kernel/debug/selftest.cpp)
//   ubsan  a signed overflow on a volatile int, caught by the UBSan runtime
//   stack  a buffer overrun caught by the stack protector's canary
// Every one ends in a panic; an unknown <what> panics saying so.
#pragma once

#include "lib/string_view.hpp"

namespace debug {

[[noreturn]] void run_selftest(lib::StringView what);

}  // namespace debug
