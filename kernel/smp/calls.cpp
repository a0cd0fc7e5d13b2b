// Calls on other CPUs, the IPI handlers, TLB shootdown, reschedule requests
// and stopping (see smp.hpp and docs/smp.md §3-4).
//
// Each CPU has an inbox (call_queue.hpp) and, for each other CPU, two
// requests of its own to send it, one for calls it waits for and one for
// calls it does not: a call pushes the request into the target's inbox and
// sends the IPI; the target's handler runs its inbox. A request is reused
// only once its target has run it, so a CPU that sends to the same target
// faster than it answers waits (serving its own inbox). Two, so that a long
// call that nobody waits for (a test's reader loop) never holds up one that
// somebody does (a TLB shootdown).
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/interrupt_controllers.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/arch/x86_64/ipi.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/smp/internal.hpp"
#include "kernel/smp/smp.hpp"
#include "kernel/time/time.hpp"

namespace smp {
namespace detail {

CpuSlot g_cpus[lib::kMaxCpus];
uint32_t g_cpu_limit = 1;

}  // namespace detail

namespace {

using detail::g_cpu_limit;
using detail::g_cpus;

PER_CPU constinit arch::PerCpu<CallQueue> g_inbox;
PER_CPU constinit arch::PerCpu<CallRequest*> g_outgoing;  // [2 * g_cpu_limit]: see request_to()
PER_CPU constinit arch::PerCpu<IpiCounts> g_received;

uint64_t g_online[lib::kMaxCpus / 64];  // bit per CPU, set once it answers IPIs
uint32_t g_online_count = 1;
uint32_t g_stopped = 0;  // CPUs halted for good by the stop IPI or the panic NMI

// About 6 s at 2.8 GHz before a wait is reported (TSC ticks: a wait may
// come before the clock is calibrated; an emulator on a busy host may leave
// a virtual CPU unscheduled for a second or more); the wait goes on.
constexpr uint64_t kLongWaitTicks = uint64_t(1) << 34;
// How long the panic path waits for the others to stop (about 0.1 s).
constexpr uint64_t kPanicStopTicks = uint64_t(1) << 28;

void count(uint64_t IpiCounts::*field) {
    __atomic_fetch_add(&(g_received.local().*field), 1, __ATOMIC_RELAXED);
}

void on_call_function(arch::InterruptFrame&) {
    count(&IpiCounts::call_function);
    arch::local_apic_eoi();
    // Work for a CPU that may have been idle: its tick runs again meanwhile
    // (the idle loop stops it anew).
    ktime::exit_idle();
    g_inbox.local().run_all();
}

void on_tlb_shootdown(arch::InterruptFrame&) {
    count(&IpiCounts::tlb_shootdown);
    arch::local_apic_eoi();
    g_inbox.local().run_all();
}

// The flag was set by the sender; the IPI only ends a HLT and makes this
// CPU pass its trap exit, where the scheduler looks (arch::set_trap_exit_hook).
void on_reschedule(arch::InterruptFrame&) {
    count(&IpiCounts::reschedule);
    arch::local_apic_eoi();
}

// Out of the online set first, so nobody waits for this CPU any more.
[[noreturn]] void stop_here() {
    uint32_t self = arch::cpu_index();
    __atomic_fetch_and(&g_online[self / 64], ~(uint64_t(1) << (self % 64)), __ATOMIC_ACQ_REL);
    __atomic_fetch_sub(&g_online_count, 1, __ATOMIC_ACQ_REL);
    __atomic_fetch_add(&g_stopped, 1, __ATOMIC_ACQ_REL);
    arch::halt_forever();
}

void on_stop(arch::InterruptFrame&) {
    arch::local_apic_eoi();
    stop_here();
}

// An NMI while a panic is in progress is the panicking CPU stopping this
// one: it halts for good without a word (NMIs stay blocked: no IRET). Any
// other NMI is reported as arch does without a handler.
void on_nmi(arch::InterruptFrame& frame) {
    if (debug::panic_in_progress()) stop_here();
    PANIC_WITH_REGISTERS(frame, "non-maskable interrupt (NMI) on CPU {}", arch::cpu_index());
}

// The panic path's first step (debug::set_stop_other_cpus_hook): an NMI
// stops the others whatever they are doing, interrupts off or not.
void stop_others_for_panic() {
    uint32_t self = arch::cpu_index();
    uint32_t sent = 0;
    for (uint32_t cpu = 0; cpu < g_cpu_limit; ++cpu) {
        if (cpu == self || !is_online(cpu)) continue;
        arch::ipi::send_nmi(g_cpus[cpu].apic_id);
        ++sent;
    }
    uint64_t start = arch::rdtsc();
    while (__atomic_load_n(&g_stopped, __ATOMIC_ACQUIRE) < sent && arch::rdtsc() - start < kPanicStopTicks)
        arch::pause();
}

void apply_tlb_batch(void* batch) {
    static_cast<const mm::TlbBatch*>(batch)->apply([](uint64_t virt) { arch::invlpg(virt); },
                                                   [] { arch::flush_tlb_all(); });
}

// The shootdown mm asks for once its own TLB is done (mm::set_remote_tlb_flush).
void flush_tlb_on_others(const mm::TlbBatch& batch);

// This CPU's request to `cpu` for a call of kind `wait`.
CallRequest& request_to(uint32_t cpu, Wait wait) {
    return g_outgoing.local()[(wait == Wait::kYes ? g_cpu_limit : 0) + cpu];
}

// Pushes a request to each online CPU of `cpus` other than this one and
// sends it `vector`; runs the function here too if this CPU is in `cpus`;
// with `wait`, returns once all have run it. Interrupts off meanwhile: this
// CPU's outgoing requests are its own, interrupt handlers included.
void call(const lib::CpuSet& cpus, Function function, void* argument, Wait wait, uint8_t vector) {
    const bool were_enabled = arch::interrupts_enabled();
    arch::cli();
    const uint32_t self = arch::cpu_index();
    uint32_t remaining = 0;
    for (uint32_t cpu = 0; cpu < g_cpu_limit; ++cpu) {
        if (cpu == self || !cpus.contains(cpu) || !is_online(cpu)) continue;
        CallRequest& request = request_to(cpu, wait);
        // The previous call to this CPU (without wait) must have run first.
        while (__atomic_load_n(&request.busy, __ATOMIC_ACQUIRE)) {
            detail::serve_calls();
            arch::pause();
        }
        request.function = function;
        request.argument = argument;
        request.remaining = wait == Wait::kYes ? &remaining : nullptr;
        if (wait == Wait::kYes) __atomic_fetch_add(&remaining, 1, __ATOMIC_RELAXED);
        g_inbox.on(cpu).push(request);
        arch::ipi::send(g_cpus[cpu].apic_id, vector);
    }
    if (cpus.contains(self)) function(argument);
    if (wait == Wait::kYes) detail::wait_for_zero(&remaining, "a call on other CPUs");
    if (were_enabled) arch::sti();
}

void flush_tlb_on_others(const mm::TlbBatch& batch) {
    if (__atomic_load_n(&g_online_count, __ATOMIC_ACQUIRE) < 2) return;
    lib::CpuSet others = online_cpus();
    others.remove(arch::cpu_index());
    // The batch lives on this stack: every target has applied it when this returns.
    call(others, apply_tlb_batch, const_cast<mm::TlbBatch*>(&batch), Wait::kYes, arch::ipi::kTlbShootdown);
}

}  // namespace

namespace detail {

void mark_online(uint32_t cpu) {
    __atomic_fetch_or(&g_online[cpu / 64], uint64_t(1) << (cpu % 64), __ATOMIC_RELEASE);
    __atomic_fetch_add(&g_online_count, 1, __ATOMIC_RELEASE);
}

void serve_calls() {
    g_inbox.local().run_all();
}

void wait_for_zero(const uint32_t* counter, const char* what) {
    const uint64_t start = arch::rdtsc();
    bool reported = false;
    uint32_t left;
    while ((left = __atomic_load_n(counter, __ATOMIC_ACQUIRE)) != 0) {
        serve_calls();
        arch::pause();
        if (!reported && arch::rdtsc() - start > kLongWaitTicks) {
            reported = true;
            klog::warn("smp: CPU {} still waits for {} ({} CPUs have not answered)", arch::cpu_index(), what, left);
        }
    }
}

void prepare_calls(uint32_t cpu) {
    auto* requests = static_cast<CallRequest*>(mm::kcalloc(2 * g_cpu_limit, sizeof(CallRequest)));
    if (!requests) PANIC("smp: no memory for CPU {}'s call requests", cpu);
    g_outgoing.on(cpu) = requests;
}

void init_calls() {
    g_cpus[0].local = arch::cpu_local(0);
    g_cpus[0].apic_id = arch::cpu_apic_id();
    __atomic_fetch_or(&g_online[0], 1, __ATOMIC_RELEASE);  // the boot CPU
    prepare_calls(0);
    ASSERT(arch::set_interrupt_handler(arch::ipi::kCallFunction, on_call_function));
    ASSERT(arch::set_interrupt_handler(arch::ipi::kTlbShootdown, on_tlb_shootdown));
    ASSERT(arch::set_interrupt_handler(arch::ipi::kReschedule, on_reschedule));
    ASSERT(arch::set_interrupt_handler(arch::ipi::kStop, on_stop));
    arch::set_nmi_handler(on_nmi);
    debug::set_stop_other_cpus_hook(stop_others_for_panic);
    mm::set_remote_tlb_flush(flush_tlb_on_others);
}

}  // namespace detail

uint32_t cpu_count() {
    return __atomic_load_n(&g_online_count, __ATOMIC_ACQUIRE);
}

uint32_t cpu_limit() {
    return g_cpu_limit;
}

bool is_online(uint32_t cpu) {
    return cpu < lib::kMaxCpus && (__atomic_load_n(&g_online[cpu / 64], __ATOMIC_ACQUIRE) >> (cpu % 64)) & 1;
}

lib::CpuSet online_cpus() {
    lib::CpuSet set;
    for (uint32_t cpu = 0; cpu < g_cpu_limit; ++cpu)
        if (is_online(cpu)) set.add(cpu);
    return set;
}

uint32_t apic_id(uint32_t cpu) {
    return cpu < g_cpu_limit ? g_cpus[cpu].apic_id : 0;
}

bool call_on(uint32_t cpu, Function function, void* argument, Wait wait) {
    if (!is_online(cpu)) return false;
    call(lib::CpuSet::only(cpu), function, argument, wait, arch::ipi::kCallFunction);
    return true;
}

void call_on_set(const lib::CpuSet& cpus, Function function, void* argument, Wait wait) {
    call(cpus, function, argument, wait, arch::ipi::kCallFunction);
}

void call_on_others(Function function, void* argument, Wait wait) {
    lib::CpuSet others = online_cpus();
    others.remove(arch::cpu_index());
    call(others, function, argument, wait, arch::ipi::kCallFunction);
}

void call_on_all(Function function, void* argument) {
    call(online_cpus(), function, argument, Wait::kYes, arch::ipi::kCallFunction);
}

void shoot_down(const lib::CpuSet& cpus, Function function, void* argument) {
    lib::CpuSet others = cpus;
    others.remove(arch::cpu_index());
    if (others.empty()) return;
    call(others, function, argument, Wait::kYes, arch::ipi::kTlbShootdown);
}

void request_reschedule(uint32_t cpu) {
    if (!is_online(cpu)) return;
    __atomic_store_n(&g_cpus[cpu].local->hot.reschedule_pending, 1, __ATOMIC_RELEASE);
    if (cpu != arch::cpu_index()) arch::ipi::send(g_cpus[cpu].apic_id, arch::ipi::kReschedule);
}

IpiCounts received(uint32_t cpu) {
    IpiCounts counts;
    if (!is_online(cpu)) return counts;
    const IpiCounts& theirs = g_received.on(cpu);
    counts.reschedule = __atomic_load_n(&theirs.reschedule, __ATOMIC_RELAXED);
    counts.call_function = __atomic_load_n(&theirs.call_function, __ATOMIC_RELAXED);
    counts.tlb_shootdown = __atomic_load_n(&theirs.tlb_shootdown, __ATOMIC_RELAXED);
    return counts;
}

uint32_t stop_other_cpus() {
    uint32_t self = arch::cpu_index();
    uint32_t before = __atomic_load_n(&g_stopped, __ATOMIC_ACQUIRE), sent = 0;
    for (uint32_t cpu = 0; cpu < g_cpu_limit; ++cpu) {
        if (cpu == self || !is_online(cpu)) continue;
        arch::ipi::send(g_cpus[cpu].apic_id, arch::ipi::kStop);
        ++sent;
    }
    uint64_t start = arch::rdtsc();
    while (__atomic_load_n(&g_stopped, __ATOMIC_ACQUIRE) - before < sent && arch::rdtsc() - start < kLongWaitTicks)
        arch::pause();
    return __atomic_load_n(&g_stopped, __ATOMIC_ACQUIRE) - before;
}

}  // namespace smp
