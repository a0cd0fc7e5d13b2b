// Per-CPU areas, the boot CPU's start and the preemption hook; see
// percpu.hpp and cpu_local.hpp.
#include "kernel/arch/x86_64/percpu.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "lib/cpu_limit.hpp"

extern "C" char __percpu_start[], __percpu_end[], __percpu_boot_area[];

namespace arch {
namespace {

intptr_t g_offsets[lib::kMaxCpus];
PerCpuAreas g_areas;
CpuLocal* g_cpus[lib::kMaxCpus];
void (*g_preempt_hook)() = nullptr;

size_t template_size() {
    return size_t(__percpu_end - __percpu_start);
}

uint32_t index_for_log() {
    return cpu_index();
}

void fill_hot(CpuLocal& cpu, uint32_t index, uint32_t apic_id) {
    cpu.hot.self = &cpu.hot;
    cpu.hot.index = index;
    cpu.hot.apic_id = apic_id;
    cpu.hot.area_offset = g_areas.offset(index);
}

}  // namespace

void start_boot_cpu() {
    g_areas.init(reinterpret_cast<uintptr_t>(__percpu_start), template_size(), g_offsets, lib::kMaxCpus);
    __builtin_memcpy(__percpu_boot_area, __percpu_start, template_size());
    // The linker script aligns the area as assign() wants; nothing can fail here.
    (void)g_areas.assign(0, reinterpret_cast<uintptr_t>(__percpu_boot_area));
    CpuLocal& bsp = bsp_cpu_local();
    fill_hot(bsp, 0, x86_64::initial_apic_id());
    g_cpus[0] = &bsp;
    wrmsr(msr::kGsBase, reinterpret_cast<uint64_t>(&bsp.hot));
    klog::set_cpu_source(index_for_log);
}

lib::Expected<void> prepare_cpu(CpuLocal& cpu, uint32_t index, uint32_t apic_id, void* area,
                                const StackBounds (&ist_stacks)[kIstStacksUsed]) {
    if (index >= lib::kMaxCpus || g_cpus[index] != nullptr)
        return lib::Error::make(lib::Errno::kEINVAL, "CPU index taken or beyond the CPU limit");
    __builtin_memcpy(area, __percpu_start, template_size());
    if (!g_areas.assign(index, reinterpret_cast<uintptr_t>(area)))
        return lib::Error::make(lib::Errno::kEINVAL, "per-CPU area misaligned");
    fill_hot(cpu, index, apic_id);
    for (size_t i = 0; i < kIstStacksUsed; ++i) cpu.ist_bounds[i] = ist_stacks[i];
    __atomic_store_n(&g_cpus[index], &cpu, __ATOMIC_RELEASE);
    return {};
}

CpuLocal* cpu_local(uint32_t index) {
    return index < lib::kMaxCpus ? __atomic_load_n(&g_cpus[index], __ATOMIC_ACQUIRE) : nullptr;
}

const PerCpuAreas& percpu_areas() {
    return g_areas;
}

static_assert(offsetof(CpuLocal, tss) + offsetof(Tss, rsp) == PERCPU_TSS_RSP0, "set_kernel_stack_top's TSS.RSP0");

void preempt_enable_checked() {
    DEBUG_ASSERT(preempt_count() != 0);
    percpu_detail::add32<PERCPU_PREEMPT_COUNT>(-1);
    if (preempt_count() == 0 && reschedule_pending()) preempt_enable_reschedule();
}

void preempt_enable_reschedule() {
    if (in_interrupt()) return;
    if (auto hook = __atomic_load_n(&g_preempt_hook, __ATOMIC_ACQUIRE)) hook();
}

void set_preempt_hook(void (*hook)()) {
    __atomic_store_n(&g_preempt_hook, hook, __ATOMIC_RELEASE);
}

PreemptHook preempt_hook() {
    return __atomic_load_n(&g_preempt_hook, __ATOMIC_ACQUIRE);
}

bool cpu_is_pinned() {
    return !interrupts_enabled() || preempt_count() != 0 || in_interrupt();
}

}  // namespace arch
