// The idle loop every CPU ends in (see smp.hpp).
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
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
        // A reschedule asked for and not taken at an interrupt's exit (the
        // interrupted code could not be preempted then, or the hook was
        // out): the preemption hook (the scheduler) takes it now, as CPU
        // 0's idle thread does, instead of halting with a thread waiting
        // here and no tick to find it.
        if (arch::reschedule_pending()) {
            if (!arch::current_thread()) {
                arch::clear_reschedule_pending();  // no scheduler here (yet): nothing to take it
            } else if (arch::PreemptHook hook = arch::preempt_hook()) {
                arch::sti();
                hook();
                continue;
            } else {
                // The hook is out for a moment (a test swaps it): the
                // request stays for when it is back; dropping it would
                // leave a thread queued here with nobody to run it.
                arch::sti();
                arch::pause();
                continue;
            }
        }
        if (klog::output_pending()) {
            arch::sti();
            klog::drain();
            continue;
        }
        ktime::halt_until_interrupt();
    }
}

}  // namespace smp
