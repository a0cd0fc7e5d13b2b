// expect_fault(); see fault_expect.hpp. The other half is recover() in
// exceptions.cpp.
#include "kernel/arch/x86_64/fault_expect.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/debug/assert.hpp"

namespace arch {

FaultRecord expect_fault(uint8_t vector, void (*fn)(void*), void* arg) {
    // Interrupts off for the duration: the expectation belongs to this CPU
    // and to fn, not to an interrupt handler that might run meanwhile.
    bool interrupts_were_enabled = interrupts_enabled();
    cli();
    FaultExpectation& expectation = this_cpu().fault_expectation;
    ASSERT(!expectation.armed);  // expect_fault does not nest
    expectation.vector = vector;
    expectation.record = FaultRecord{};
    // Everything read after the second return lives in memory (the
    // expectation), not in registers the fault may have changed; the
    // registers come back from the recovery point.
    if (arch_save_recovery_point(&expectation.recovery) == 0) {
        __atomic_store_n(&expectation.armed, true, __ATOMIC_SEQ_CST);
        fn(arg);
        __atomic_store_n(&expectation.armed, false, __ATOMIC_SEQ_CST);
    }
    FaultRecord record = this_cpu().fault_expectation.record;
    if (interrupts_were_enabled) sti();
    return record;
}

}  // namespace arch
