// Local APIC timer programming; see lapic_timer.hpp.
#include "kernel/time/lapic_timer.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/interrupt_controllers.hpp"

namespace ktime::lapic_timer {

bool tsc_deadline_supported() {
    return (arch::cpuid(1).ecx & (1u << 24)) != 0;
}

void configure(uint8_t vector, Mode mode, bool masked) {
    arch::local_apic_write(kDivideConfiguration, kDivideBy1);
    arch::local_apic_write(kLvtTimer, lvt_value(vector, mode, masked));
    // SDM §11.5.4.1: after switching into TSC-deadline mode, an MFENCE keeps
    // a following IA32_TSC_DEADLINE write from being ordered before the LVT
    // write (x2APIC writes are not serializing).
    asm volatile("mfence" ::: "memory");
}

void start_count(uint32_t initial_count) {
    arch::local_apic_write(kInitialCount, initial_count);
}

uint32_t current_count() {
    return arch::local_apic_read(kCurrentCount);
}

void set_tsc_deadline(uint64_t tsc) {
    arch::wrmsr(kMsrTscDeadline, tsc);
}

}  // namespace ktime::lapic_timer
