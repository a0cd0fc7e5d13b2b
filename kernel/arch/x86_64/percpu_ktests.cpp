// In-kernel tests of per-CPU data on the real CPU: the hot block through
// GS (each field a single %gs-relative instruction), PerCpu<T> copies, the
// preemption count, the interrupt depth a handler sees, and the trap-exit
// hook that the scheduler uses to preempt.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/arch/x86_64/interrupt_controllers.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/test/ktest.hpp"

namespace {

using namespace arch;

PER_CPU constinit PerCpu<uint64_t> g_counter(7);

struct Pair {
    uint32_t a;
    uint64_t b;
};
PER_CPU constinit PerCpu<Pair> g_pair;

constexpr uint8_t kTestVector = 0x43;  // free: no device or IPI uses it

volatile uint32_t g_depth_seen = ~0u;
volatile uint32_t g_hook_calls = 0;

void record_depth(InterruptFrame&) {
    g_depth_seen = interrupt_depth();
}

volatile uint32_t g_pending_seen = 0;

// The scheduler's trap-exit hook while the test's is in: the hook is one
// for every CPU, and the other CPUs must go on scheduling meanwhile (an
// idle CPU that took a reschedule IPI without it would halt with a thread
// waiting). The test's own CPU does not chain: its pending flag is the
// test's to see.
InterruptHandler g_scheduler_hook = nullptr;
uint32_t g_test_cpu = ~0u;

void trap_exit(InterruptFrame& frame) {
    if (cpu_index() != g_test_cpu) {
        if (g_scheduler_hook) g_scheduler_hook(frame);
        return;
    }
    // Only the test's own interrupts: with interrupts on, a timer tick or
    // an IPI may also return to preemptible code inside the test.
    if (frame.vector != kTestVector) return;
    g_hook_calls = g_hook_calls + 1;
    if (reschedule_pending()) g_pending_seen = g_pending_seen + 1;
    clear_reschedule_pending();
}

}  // namespace

KTEST(percpu, hot_block_is_at_gs_base) {
    CpuHot& hot = this_cpu_hot();
    KEXPECT_EQ(rdmsr(msr::kGsBase), reinterpret_cast<uint64_t>(&hot));
    KEXPECT_EQ(hot.self, &hot);
    KEXPECT_EQ(cpu_index(), hot.index);
    KEXPECT_EQ(cpu_apic_id(), local_apic_id());
    KEXPECT_EQ(interrupt_depth(), 0u);
    KEXPECT_EQ(hot.area_offset, percpu_areas().offset(cpu_index()));
}

KTEST(percpu, current_thread_and_scratch_round_trip) {
    // With interrupts off: the scheduler's thread and stack top are put
    // back before anything could switch threads.
    bool were_enabled = interrupts_enabled();
    cli();
    void* saved_thread = current_thread();
    int thread;
    set_current_thread(&thread);
    KEXPECT_EQ(current_thread(), &thread);
    KEXPECT_EQ(this_cpu_hot().current_thread, &thread);
    set_current_thread(saved_thread);
    uint64_t saved_scratch = syscall_scratch();
    set_syscall_scratch(0x00007ffffffde000ULL);
    KEXPECT_EQ(syscall_scratch(), 0x00007ffffffde000ULL);
    KEXPECT_EQ(this_cpu_hot().syscall_scratch, 0x00007ffffffde000ULL);
    set_syscall_scratch(saved_scratch);
    uint64_t saved = kernel_stack_top();
    set_kernel_stack_top(0xffffff0000123450ULL);
    KEXPECT_EQ(kernel_stack_top(), 0xffffff0000123450ULL);
    KEXPECT_EQ(uint64_t(this_cpu().tss.rsp[0]), 0xffffff0000123450ULL);  // what a CPL 3 entry loads
    set_kernel_stack_top(saved);
    if (were_enabled) sti();
}

KTEST(percpu, preemption_count_nests) {
    KASSERT(preempt_count() == 0);
    bool pinned_before = cpu_is_pinned();
    KEXPECT(!pinned_before || !interrupts_enabled());
    {
        PreemptGuard outer;
        KEXPECT_EQ(preempt_count(), 1u);
        KEXPECT(cpu_is_pinned());
        {
            PreemptGuard inner;
            KEXPECT_EQ(preempt_count(), 2u);
        }
        KEXPECT_EQ(preempt_count(), 1u);
    }
    KEXPECT_EQ(preempt_count(), 0u);
}

KTEST(percpu, per_cpu_variable_is_this_cpus_copy) {
    PreemptGuard pinned;
    uint64_t& mine = g_counter.local();
    // The variable's own address is the template; the copy is elsewhere.
    KEXPECT(percpu_areas().in_section(reinterpret_cast<uintptr_t>(&g_counter)));
    KEXPECT(!percpu_areas().in_section(reinterpret_cast<uintptr_t>(&mine)));
    KEXPECT_EQ(&mine, &g_counter.on(cpu_index()));
    uint64_t before = mine;
    KEXPECT_GE(before, 7u);  // started as the template said
    ++g_counter.local();
    KEXPECT_EQ(g_counter.on(cpu_index()), before + 1);
    g_pair.local().b = 0x1234;
    KEXPECT_EQ(g_pair.on(cpu_index()).b, 0x1234u);
    KEXPECT_EQ(reinterpret_cast<uintptr_t>(&g_pair.local()) % alignof(Pair), 0u);
}

KTEST(percpu, handler_runs_one_interrupt_deep) {
    KASSERT(set_interrupt_handler(kTestVector, record_depth));
    g_depth_seen = ~0u;
    asm volatile("int %0" ::"i"(kTestVector) : "memory");
    KEXPECT_EQ(g_depth_seen, 1u);
    KEXPECT_EQ(interrupt_depth(), 0u);
    KEXPECT(set_interrupt_handler(kTestVector, nullptr));
}

KTEST(percpu, trap_exit_hook_runs_where_preemption_is_allowed) {
    KASSERT(set_interrupt_handler(kTestVector, record_depth));
    // The scheduler's hooks are out while the test's is in (no preemption
    // meanwhile: the pending request below is the test's to see).
    InterruptHandler scheduler_hook = trap_exit_hook();
    PreemptHook scheduler_preempt_hook = preempt_hook();
    g_scheduler_hook = scheduler_hook;
    g_test_cpu = cpu_index();
    set_preempt_hook(nullptr);
    set_trap_exit_hook(trap_exit);
    bool were_enabled = interrupts_enabled();
    cli();
    g_hook_calls = 0;
    g_pending_seen = 0;
    asm volatile("int %0" ::"i"(kTestVector) : "memory");
    KEXPECT_EQ(g_hook_calls, 0u);  // the interrupted code had interrupts off
    sti();
    asm volatile("int %0" ::"i"(kTestVector) : "memory");
    KEXPECT_EQ(g_hook_calls, 1u);  // called; it finds nothing pending
    KEXPECT_EQ(g_pending_seen, 0u);
    set_reschedule_pending();
    KEXPECT_EQ(this_cpu_hot().reschedule_pending, 1u);
    {
        PreemptGuard no_preemption;
        asm volatile("int %0" ::"i"(kTestVector) : "memory");
        KEXPECT_EQ(g_hook_calls, 1u);  // preemption disabled
    }
    asm volatile("int %0" ::"i"(kTestVector) : "memory");
    KEXPECT_EQ(g_hook_calls, 2u);
    KEXPECT_EQ(g_pending_seen, 1u);
    KEXPECT(!reschedule_pending());
    if (!were_enabled) cli();
    set_trap_exit_hook(scheduler_hook);
    set_preempt_hook(scheduler_preempt_hook);
    g_test_cpu = ~0u;
    KEXPECT(set_interrupt_handler(kTestVector, nullptr));
}
