// The test-only steps of the boot: the in-kernel tests (test=), the
// deliberate software failures (selftest=) and CPU faults (faulttest=). Their
// code is linked into the checked kernel only (cmake/kernel.cmake); in the
// release kernel these calls log that the kernel has none and return, and
// the boot goes on.
#pragma once

#include "lib/cmdline.hpp"

namespace ktest {

// Whether this kernel carries the tests and the test hooks.
bool in_this_kernel();

// test=<selection>: the suites that must see the machine before the boot
// changes it (the boot-protocol checks). Right after the boot summary.
void run_early_tests(const lib::CommandLine& cmdline);

// faulttest=<what>: once the CPU tables are loaded. Does not return when
// asked for (the fault's report ends the run).
void run_fault_test(const lib::CommandLine& cmdline);

// selftest=<what>, then test=<selection>: at the end of the boot. Does not
// return when either is asked for (QEMU's debug-exit device ends the run).
void run_late_tests(const lib::CommandLine& cmdline);

}  // namespace ktest
