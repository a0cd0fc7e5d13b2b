// In-kernel tests of the panic machinery's parts that need the real kernel:
// the symbolizer over the kernel's own file, the page-table probe and the
// frame walker. (The panic itself ends the run: see debug/selftest.hpp.)
#include <stddef.h>
#include <stdint.h>

#include "kernel/boot/boot_info.hpp"
#include "kernel/debug/address_probe.hpp"
#include "kernel/debug/assert.hpp"
#include "kernel/debug/backtrace.hpp"
#include "kernel/debug/symbols.hpp"
#include "kernel/test/ktest.hpp"

extern "C" [[noreturn]] void kernel_main();

namespace {

bool starts_with(const char* text, lib::StringView prefix) { return lib::StringView(text).starts_with(prefix); }

[[gnu::noinline]] size_t backtrace_from_here(uint64_t* addresses, size_t max) {
    uint64_t stack_pointer;
    asm volatile("mov %%rsp, %0" : "=r"(stack_pointer));
    return debug::collect_backtrace(debug::current_frame_pointer(), stack_pointer, addresses, max);
}

}  // namespace

KTEST(debug, loader_gave_kernel_file) {
    KEXPECT_NE(boot::info().kernel_file, nullptr);
    KEXPECT_GT(boot::info().kernel_file_size, 64u);
}

KTEST(debug, symbolizer_finds_kernel_main) {
    uint64_t address = reinterpret_cast<uint64_t>(&kernel_main);
    KEXPECT_EQ(debug::symbol_address("kernel_main"), address);
    debug::SymbolName symbol;
    KASSERT(debug::symbolize(address + 1, symbol));
    KEXPECT_EQ(lib::StringView(symbol.name), lib::StringView("kernel_main"));
    KEXPECT_EQ(symbol.offset, 1u);
}

KTEST(debug, symbolizer_rejects_non_code) {
    debug::SymbolName symbol;
    KEXPECT(!debug::symbolize(0, symbol));
    KEXPECT(!debug::symbolize(0x1234, symbol));
}

KTEST(debug, address_probe) {
    uint64_t local = 0;
    KEXPECT(debug::is_mapped_kernel_range(reinterpret_cast<uint64_t>(&local), sizeof local));
    KEXPECT(debug::is_mapped_kernel_range(reinterpret_cast<uint64_t>(&kernel_main), 1));
    KEXPECT(!debug::is_mapped_kernel_range(0x1000, 8));                    // lower half
    KEXPECT(!debug::is_mapped_kernel_range(0xffff'ff00'0000'0000ull, 8));  // nothing there
    KEXPECT(!debug::is_mapped_kernel_range(~0ull - 3, 8));                 // wraps around
}

KTEST(debug, backtrace_names_the_caller) {
    uint64_t addresses[8];
    size_t count = backtrace_from_here(addresses, 8);
    KASSERT(count >= 2);  // this test body, then the runner
    debug::SymbolName symbol;
    KASSERT(debug::symbolize(addresses[0] - 1, symbol));
    KEXPECT(starts_with(symbol.name, "ktest_body_debug_backtrace_names_the_caller"));
    KASSERT(debug::symbolize(addresses[1] - 1, symbol));
    KEXPECT(starts_with(symbol.name, "ktest::"));  // the runner (ktest::run_case or ktest::run)
}

KTEST(debug, backtrace_stops_at_garbage) {
    uint64_t addresses[4];
    uint64_t stack_pointer;
    asm volatile("mov %%rsp, %0" : "=r"(stack_pointer));
    KEXPECT_EQ(debug::collect_backtrace(0, stack_pointer, addresses, 4), 0u);
    KEXPECT_EQ(debug::collect_backtrace(0xdeadbeef, stack_pointer, addresses, 4), 0u);
    KEXPECT_EQ(debug::collect_backtrace(stack_pointer - 64, stack_pointer, addresses, 4), 0u);  // below the stack
    KEXPECT_EQ(debug::collect_backtrace(stack_pointer + 3, stack_pointer, addresses, 4), 0u);   // misaligned
    // A fake frame whose saved RBP points back at itself: the walk must not loop.
    uint64_t fake[2] = {0, reinterpret_cast<uint64_t>(&kernel_main) + 4};
    fake[0] = reinterpret_cast<uint64_t>(&fake[0]);
    size_t count = debug::collect_backtrace(reinterpret_cast<uint64_t>(&fake[0]), stack_pointer, addresses, 4);
    KEXPECT_EQ(count, 1u);
}

KTEST(debug, passing_asserts_do_nothing) {
    int evaluations = 0;
    ASSERT(++evaluations == 1);
    KEXPECT_EQ(evaluations, 1);
    DEBUG_ASSERT(evaluations == 1);
    ASSERT_MSG(evaluations == 1, "evaluated {} times", evaluations);
}

KTEST(debug, print_current_backtrace_runs) {
    // Output only: proves the walk from a live frame completes without faulting.
    debug::print_current_backtrace();
    KEXPECT(true);
}
