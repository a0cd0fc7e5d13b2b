// run_fault_selftest(); see init.hpp. Each case raises its exception with no
// expectation armed, so the exception handler reports it and panics.
#include "kernel/arch/x86_64/fault_triggers.hpp"
#include "kernel/arch/x86_64/init.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/panic.hpp"

extern "C" const char __rodata_start[];

namespace arch {

void run_fault_selftest(lib::StringView what) {
    namespace t = fault_triggers;
    klog::print("faulttest: {}\n", what);
    debug::set_test_mode(true);  // the panic exits QEMU with the failure code
    if (what == "pf") {
        t::read_byte(reinterpret_cast<void*>(t::kUnmappedLowAddress));
    } else if (what == "pf_write") {
        t::write_byte(const_cast<char*>(__rodata_start));
    } else if (what == "gp") {
        t::read_byte(reinterpret_cast<void*>(t::kNonCanonicalAddress));
    } else if (what == "gp_selector") {
        t::load_bad_data_selector(nullptr);
    } else if (what == "ud") {
        t::invalid_opcode(nullptr);
    } else if (what == "de") {
        t::divide_by_zero(nullptr);
    } else if (what == "stack_overflow") {
        if (auto armed = t::arm_guarded_stack(); !armed)
            PANIC("faulttest stack_overflow: no guard page: {}", armed.error().message);
        t::overflow_guarded_stack(nullptr);
    } else {
        PANIC("faulttest: unknown fault test '{}' (known: pf, pf_write, gp, gp_selector, ud, de, stack_overflow)",
              what);
    }
    PANIC("faulttest {}: the fault did not happen", what);
}

}  // namespace arch
