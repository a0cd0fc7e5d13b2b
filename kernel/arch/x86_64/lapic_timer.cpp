// Local APIC timer programming; see lapic_timer.hpp.
#include "kernel/arch/x86_64/lapic_timer.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/interrupt_controllers.hpp"

namespace arch::lapic_timer {

bool tsc_deadline_supported() {
    return has(feature::kTscDeadline);
}

void configure(uint8_t vector, Mode mode, bool masked) {
    local_apic_write(apic::Register::kTimerDivideConfiguration, apic::kTimerDivideBy1);
    local_apic_write(apic::Register::kLvtTimer, apic::lvt_timer(vector, mode, masked));
    // SDM §11.5.4.1: after switching into TSC-deadline mode, an MFENCE keeps
    // a following IA32_TSC_DEADLINE write from being ordered before the LVT
    // write (x2APIC writes are not serializing).
    memory_fence();
}

void start_count(uint32_t initial_count) {
    local_apic_write(apic::Register::kTimerInitialCount, initial_count);
}

uint32_t current_count() {
    return local_apic_read(apic::Register::kTimerCurrentCount);
}

void set_tsc_deadline(uint64_t tsc) {
    wrmsr(msr::kTscDeadline, tsc);
}

}  // namespace arch::lapic_timer
