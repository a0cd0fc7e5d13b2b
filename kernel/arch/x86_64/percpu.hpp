// Per-CPU data: what each CPU keeps for itself, reached through GS.
//
// Each CPU's IA32_GS_BASE points at its CpuLocal (cpu_local.hpp), which
// starts with the hot block below: the fields the kernel reads on every
// interrupt, lock or context switch. Each hot field has an accessor that is
// one instruction (`movl %gs:8, %eax`), which is what makes it safe against
// migration by construction: there is no moment between finding "this CPU"
// and using it in which the thread could move to another CPU. The offsets
// are fixed (percpu_offsets.hpp, for assembly) and checked here.
//
// Other per-CPU data of any subsystem is a PerCpu<T> in the .percpu section:
//
//   PER_CPU constinit arch::PerCpu<uint64_t> g_wakeups;
//   ++g_wakeups.local();          // this CPU's copy: interrupts off or preemption disabled
//   uint64_t n = g_wakeups.on(3); // CPU 3's copy
//
// Every CPU gets a copy of the section (percpu_areas.hpp); a variable's own
// address is only the template each copy starts from.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86_64/percpu_areas.hpp"
#include "kernel/arch/x86_64/percpu_offsets.hpp"
#include "kernel/debug/assert.hpp"

namespace arch {

struct CpuHot {
    CpuHot* self;                 // the GS base itself, so `mov %gs:0` yields a pointer
    uint32_t index;               // 0 .. cpu count - 1; 0 is the boot CPU
    uint32_t apic_id;             // its local APIC's id
    void* current_thread;         // the thread running here (the scheduler's); nullptr before there is one
    uint32_t preempt_count;       // preemption is disabled while non-zero
    uint32_t interrupt_depth;     // interrupt handlers running here now (nested ones count again)
    uint64_t kernel_stack_top;    // where an entry from user mode puts RSP (mirrors this CPU's TSS.RSP0)
    uint64_t syscall_scratch;     // one word for the syscall entry (the user RSP before the switch)
    intptr_t area_offset;         // this CPU's copy of .percpu minus the template (PerCpu<T>)
    uint32_t reschedule_pending;  // set by the reschedule IPI; the scheduler clears it
    uint8_t apic_mode;            // arch::ApicMode of this CPU's local APIC
    uint8_t reserved[3];
};
static_assert(offsetof(CpuHot, self) == PERCPU_SELF);
static_assert(offsetof(CpuHot, index) == PERCPU_INDEX);
static_assert(offsetof(CpuHot, apic_id) == PERCPU_APIC_ID);
static_assert(offsetof(CpuHot, current_thread) == PERCPU_CURRENT_THREAD);
static_assert(offsetof(CpuHot, preempt_count) == PERCPU_PREEMPT_COUNT);
static_assert(offsetof(CpuHot, interrupt_depth) == PERCPU_INTERRUPT_DEPTH);
static_assert(offsetof(CpuHot, kernel_stack_top) == PERCPU_KERNEL_STACK_TOP);
static_assert(offsetof(CpuHot, syscall_scratch) == PERCPU_SYSCALL_SCRATCH);
static_assert(offsetof(CpuHot, area_offset) == PERCPU_AREA_OFFSET);
static_assert(offsetof(CpuHot, reschedule_pending) == PERCPU_RESCHEDULE_PENDING);
static_assert(offsetof(CpuHot, apic_mode) == PERCPU_APIC_MODE);
static_assert(sizeof(CpuHot) == PERCPU_HOT_SIZE);

namespace percpu_detail {

// One instruction each: a load, a store or an add on this CPU's hot field.
template <typename T, size_t kOffset>
inline T load() {
    T value;
    asm volatile("mov %%gs:%c1, %0" : "=r"(value) : "i"(kOffset) : "memory");
    return value;
}
template <typename T, size_t kOffset>
inline void store(T value) {
    asm volatile("mov %0, %%gs:%c1" ::"r"(value), "i"(kOffset) : "memory");
}
template <size_t kOffset>
inline void add32(int32_t delta) {
    asm volatile("addl %0, %%gs:%c1" ::"ri"(delta), "i"(kOffset) : "memory", "cc");
}

}  // namespace percpu_detail

// This CPU's fields.
inline CpuHot& this_cpu_hot() {
    return *percpu_detail::load<CpuHot*, PERCPU_SELF>();
}
inline uint32_t cpu_index() {
    // A 32-bit load zero-extends into the whole register (SDM Vol. 1
    // §3.4.1.1), which the compiler is told: an index into a per-CPU array
    // then needs no extension of its own (one instruction on every switch).
    uint64_t index;
    asm volatile("movl %%gs:%c1, %k0" : "=r"(index) : "i"(PERCPU_INDEX) : "memory");
    __builtin_assume(index <= 0xffffffffu);
    return uint32_t(index);
}
inline uint32_t cpu_apic_id() {
    return percpu_detail::load<uint32_t, PERCPU_APIC_ID>();
}
inline void* current_thread() {
    return percpu_detail::load<void*, PERCPU_CURRENT_THREAD>();
}
inline void set_current_thread(void* thread) {
    percpu_detail::store<void*, PERCPU_CURRENT_THREAD>(thread);
}
inline uint32_t interrupt_depth() {
    return percpu_detail::load<uint32_t, PERCPU_INTERRUPT_DEPTH>();
}
inline bool in_interrupt() {
    return interrupt_depth() != 0;
}
inline uint64_t syscall_scratch() {
    return percpu_detail::load<uint64_t, PERCPU_SYSCALL_SCRATCH>();
}
inline void set_syscall_scratch(uint64_t value) {
    percpu_detail::store<uint64_t, PERCPU_SYSCALL_SCRATCH>(value);
}
inline uint64_t kernel_stack_top() {
    return percpu_detail::load<uint64_t, PERCPU_KERNEL_STACK_TOP>();
}
// Also this CPU's TSS.RSP0, which the CPU loads on an interrupt from user
// mode. Inline: every switch between threads that run user code sets it.
inline void set_kernel_stack_top(uint64_t top) {
    percpu_detail::store<uint64_t, PERCPU_KERNEL_STACK_TOP>(top);
    percpu_detail::store<uint64_t, PERCPU_TSS_RSP0>(top);
}

// Preemption: a thread may be switched away from this CPU only while the
// count is 0. The count nests; the scheduler honours it (kernel/sched/).
inline uint32_t preempt_count() {
    return percpu_detail::load<uint32_t, PERCPU_PREEMPT_COUNT>();
}
inline void preempt_disable() {
    percpu_detail::add32<PERCPU_PREEMPT_COUNT>(1);
}
// Calls the preemption hook (set_preempt_hook) when this ends the last
// disable and a reschedule is pending. Inline (below) in release builds:
// every SpinlockNoIrq's release is one.
inline void preempt_enable();
// What preempt_enable() calls then (the scheduler's); nullptr: nothing.
void set_preempt_hook(void (*hook)());
// The hook installed now (a test that replaces it puts it back).
using PreemptHook = void (*)();
PreemptHook preempt_hook();

// Whether the reschedule IPI (or anyone) asked this CPU to pick another
// thread. Other CPUs set it with request_reschedule (kernel/smp/).
inline bool reschedule_pending() {
    return percpu_detail::load<uint32_t, PERCPU_RESCHEDULE_PENDING>() != 0;
}
// This CPU's own request (the scheduler's tick, a wake-up here): noticed at
// the next trap exit or preempt_enable().
inline void set_reschedule_pending() {
    percpu_detail::store<uint32_t, PERCPU_RESCHEDULE_PENDING>(1);
}
inline void clear_reschedule_pending() {
    percpu_detail::store<uint32_t, PERCPU_RESCHEDULE_PENDING>(0);
}

// preempt_enable()'s two halves: the whole of it with the debug check of
// the count, and the hook call when the count is 0 with a reschedule pending.
void preempt_enable_checked();
void preempt_enable_reschedule();
inline void preempt_enable() {
#if DEBUG_ASSERTS_ENABLED
    preempt_enable_checked();
#else
    percpu_detail::add32<PERCPU_PREEMPT_COUNT>(-1);
    if (__builtin_expect(preempt_count() == 0 && reschedule_pending(), 0)) preempt_enable_reschedule();
#endif
}

// Where the code that is running may not change CPU under it: interrupts
// off, or preemption disabled, or inside an interrupt handler.
bool cpu_is_pinned();

// Preemption disabled for a scope: this_cpu_hot() and PerCpu<T>::local()
// stay this CPU's until it ends.
class [[nodiscard]] PreemptGuard {
public:
    PreemptGuard() { preempt_disable(); }
    ~PreemptGuard() { preempt_enable(); }
    PreemptGuard(const PreemptGuard&) = delete;
    PreemptGuard& operator=(const PreemptGuard&) = delete;
};

// The table of every CPU's copy of .percpu.
const PerCpuAreas& percpu_areas();

// A variable every CPU has its own copy of. Declare it in .percpu:
//   PER_CPU constinit arch::PerCpu<T> name;
// T starts on each CPU as the variable was initialised (a copy of the
// template), so it must be copyable as bytes.
template <typename T>
class PerCpu {
public:
    constexpr PerCpu() = default;
    template <typename... Args>
    constexpr explicit PerCpu(Args... args) : template_(args...) {}
    PerCpu(const PerCpu&) = delete;
    PerCpu& operator=(const PerCpu&) = delete;

    // This CPU's copy: only where the CPU can not change (cpu_is_pinned()).
    T& local() {
        return *reinterpret_cast<T*>(reinterpret_cast<uintptr_t>(&template_) +
                                     percpu_detail::load<intptr_t, PERCPU_AREA_OFFSET>());
    }
    // Any CPU's copy (once that CPU has its area).
    T& on(uint32_t cpu) { return *percpu_areas().on(cpu, &template_); }

private:
    T template_{};
};

#define PER_CPU [[gnu::section(".percpu")]]

}  // namespace arch
