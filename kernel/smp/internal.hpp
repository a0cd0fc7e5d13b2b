// What the SMP layer's files share (not for use outside kernel/smp/).
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/smp/call_queue.hpp"
#include "lib/cpu_limit.hpp"

namespace smp::detail {

// One planned CPU.
struct CpuSlot {
    uint32_t apic_id = 0;
    arch::CpuLocal* local = nullptr;
};
extern CpuSlot g_cpus[lib::kMaxCpus];
extern uint32_t g_cpu_limit;  // planned CPUs: indices 0 .. g_cpu_limit - 1

void mark_online(uint32_t cpu);

// Calls, IPIs, TLB shootdown, the panic stop: set up on the boot CPU once
// the plan is known (handlers, the boot CPU's outgoing requests, hooks into
// mm and the panic path).
void init_calls();
// Gives CPU `cpu` (not yet running) its outgoing requests.
void prepare_calls(uint32_t cpu);

// Runs what other CPUs asked of this one (interrupts off): for code that
// waits for other CPUs, so that they can wait for this one too.
void serve_calls();

// Spins until *counter is 0, serving calls meanwhile; says once, after a
// long time, that it still waits (`what` for the log line).
void wait_for_zero(const uint32_t* counter, const char* what);

}  // namespace smp::detail
