// Global constructors. clang emits a pointer to each translation unit's
// initialization function into .init_array (ELF gABI "Initialization and
// Termination Functions"); nothing calls them in a freestanding kernel
// unless we do, at a point of our choosing (docs/architecture.md §4.6).
#include "kernel/rt/runtime.hpp"

#include "kernel/debug/panic.hpp"

using Constructor = void (*)();
extern "C" const Constructor __init_array_start[];
extern "C" const Constructor __init_array_end[];

namespace rt {
namespace {
bool g_constructors_done = false;
uint64_t g_constructor_count = 0;
}  // namespace

void run_global_constructors() {
    if (g_constructors_done) PANIC("global constructors run twice");
    g_constructors_done = true;
    for (const Constructor* entry = __init_array_start; entry != __init_array_end; ++entry) {
        // Some toolchains use 0 and -1 as list terminators; skip them.
        if (*entry == nullptr || reinterpret_cast<uintptr_t>(*entry) == ~uintptr_t(0)) continue;
        (*entry)();
        ++g_constructor_count;
    }
}

uint64_t global_constructors_run() { return g_constructor_count; }

}  // namespace rt
