// The idle loop every CPU ends in (see smp.hpp).
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/console/log.hpp"
#include "kernel/smp/smp.hpp"
#include "kernel/time/time.hpp"

namespace smp {

// Checks for work with interrupts off, then halts in STI's interrupt shadow
// (SDM Vol. 2B, STI: interrupts are recognised only after the next
// instruction), so an interrupt that leaves work between the check and the
// HLT still ends the HLT. The work: log lines interrupt handlers left (any
// idle CPU may show them; one at a time does). While halted the CPU's tick
// is off (ktime::enter_idle): an idle machine takes no interrupts but for
// deadlines and devices, and its emulator almost no host time.
void idle() {
    for (;;) {
        arch::cli();
        if (klog::output_pending()) {
            arch::sti();
            klog::drain();
            continue;
        }
        ktime::halt_until_interrupt();
    }
}

}  // namespace smp
