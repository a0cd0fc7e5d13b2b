// The kernel's C++ runtime: what the compiler expects to exist (memcpy and
// friends, the stack protector, static-initialization guards, global
// constructors, UBSan handlers) and the two boot steps that set it up.
#pragma once

#include <stdint.h>

namespace rt {

// Seeds __stack_chk_guard from RDRAND (or the TSC). Call first thing on the
// boot path, from a function that itself has no stack protector (and never
// returns, like boot_from_limine): frames already live keep the old canary.
void init_stack_protector();

// Runs the constructors of global objects, in .init_array order (linker
// script collects them between __init_array_start and __init_array_end).
// Call exactly once, after the consoles and BootInfo exist.
void run_global_constructors();

// The current canary value (tests).
uint64_t stack_guard();

// How many global constructors run_global_constructors ran (tests, boot log).
uint64_t global_constructors_run();

}  // namespace rt
