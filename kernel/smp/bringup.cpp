// Bringing up the application processors, checking their TSCs and starting
// their ticks (see smp.hpp and docs/smp.md §2).
#include "kernel/acpi/acpi.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/arch/x86_64/init.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/boot/ap_handoff.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/smp/cpu_plan.hpp"
#include "kernel/smp/internal.hpp"
#include "kernel/smp/smp.hpp"
#include "kernel/time/time.hpp"
#include "lib/placement_new.hpp"

namespace smp {
namespace {

using detail::g_cpu_limit;
using detail::g_cpus;

// An AP runs interrupt handlers and calls on this stack, nothing deeper.
constexpr size_t kIdleStackBytes = 32 * 1024;
// A left-out AP only reports in and halts.
constexpr size_t kParkedStackBytes = 4096;
// How long the boot waits for the APs to come online: about 1.5 s at
// 2.8 GHz (TSC ticks: the clock is not calibrated yet), far more than an AP
// needs even on a busy emulator.
constexpr uint64_t kOnlineWaitTicks = uint64_t(1) << 32;

struct ApStart {
    boot::ApLaunch launch;
    uint32_t index = 0;  // kParked: a left-out AP
    arch::CpuLocal* cpu = nullptr;
};
constexpr uint32_t kParked = ~0u;

// Where a planned AP lands (boot/ap_handoff.S): on its idle stack and the
// kernel's page tables, interrupts off, GS not yet its own.
[[noreturn]] void ap_main(boot::ApLaunch* launch) {
    auto* start = static_cast<ApStart*>(launch->context);
    arch::init_application_processor(*start->cpu);  // GS base first: from here on it is a kernel CPU
    arch::flush_tlb_all();  // global entries the loader's tables may have left (SDM Vol. 3A §4.10.4.1)
    detail::mark_online(start->index);
    __atomic_store_n(&launch->reported, 1, __ATOMIC_RELEASE);
    idle();
}

// Where a left-out AP lands: out of bootloader memory, halted for good with
// interrupts off. It has no IDT of the kernel's, so nothing ever sends it an
// NMI (arch/x86_64/ipi.hpp: never by broadcast).
[[noreturn]] void parked_main(boot::ApLaunch* launch) {
    arch::flush_tlb_all();
    __atomic_store_n(&launch->reported, 1, __ATOMIC_RELEASE);
    arch::halt_forever();
}

const char* const kIstNames[arch::kIstStacksUsed] = {"an AP's #DF IST stack", "an AP's NMI IST stack",
                                                     "an AP's #MC IST stack"};

template <typename T>
T must(lib::Expected<T> result, const char* what, uint32_t cpu) {
    if (!result) PANIC("smp: {} for CPU {}: {}", what, cpu, result.error().message);
    return result.release_value();
}

void* must_allocate(size_t bytes, const char* what, uint32_t cpu) {
    void* memory = mm::kmalloc_aligned(bytes, 64);
    if (!memory) PANIC("smp: no memory for {} of CPU {}", what, cpu);
    __builtin_memset(memory, 0, bytes);
    return memory;
}

// A launch record (kept for good: a late AP may still read it) sending an
// AP to `entry` on a new stack of `stack_bytes`.
ApStart* new_launch(uint32_t index, size_t stack_bytes, const char* stack_name, void (*entry)(boot::ApLaunch*)) {
    auto* start = new (must_allocate(sizeof(ApStart), "a launch record", index)) ApStart;
    mm::KernelStack stack = must(mm::allocate_kernel_stack(stack_bytes, stack_name), "a stack", index);
    start->index = index;
    start->launch.page_table_root = mm::kernel_page_table_root();
    start->launch.stack_top = stack.top;
    start->launch.entry = entry;
    start->launch.context = start;
    return start;
}

// Everything AP `index` needs before it runs; its launch record.
ApStart* prepare_ap(uint32_t index, uint32_t apic_id) {
    ApStart* start = new_launch(index, kIdleStackBytes, "an AP's idle stack", ap_main);
    auto* cpu = new (must_allocate(sizeof(arch::CpuLocal), "per-CPU data", index)) arch::CpuLocal;
    void* area = must_allocate(arch::percpu_areas().area_size(), "a per-CPU area", index);
    arch::StackBounds ist[arch::kIstStacksUsed];
    for (size_t i = 0; i < arch::kIstStacksUsed; ++i) {
        mm::KernelStack stack = must(mm::allocate_kernel_stack(arch::kIstStackSize, kIstNames[i]), "an IST stack", index);
        ist[i] = {stack.bottom, stack.top};
    }
    auto prepared = arch::prepare_cpu(*cpu, index, apic_id, area, ist);
    if (!prepared) PANIC("smp: CPU {}: {}", index, prepared.error().message);
    detail::prepare_calls(index);
    g_cpus[index] = {apic_id, cpu};
    start->cpu = cpu;
    return start;
}

ApStart* prepare_parked() {
    return new_launch(kParked, kParkedStackBytes, "a left-out AP's stack", parked_main);
}

bool reported(const ApStart* start) {
    return __atomic_load_n(&start->launch.reported, __ATOMIC_ACQUIRE) != 0;
}

// "0 1 2 3" for the online CPUs' APIC ids.
template <typename Sink>
void print_apic_ids(Sink& sink) {
    bool first = true;
    for (uint32_t cpu = 0; cpu < g_cpu_limit; ++cpu) {
        if (!is_online(cpu)) continue;
        lib::format_to(sink, first ? "{}" : " {}", g_cpus[cpu].apic_id);
        first = false;
    }
}

struct TextBuffer {
    char text[lib::kMaxCpus * 5 + 8];
    size_t used = 0;
    void put(char c) {
        if (used + 1 < sizeof text) text[used++] = c;
    }
    lib::StringView view() const { return lib::StringView(text, used); }
};

}  // namespace

size_t start_application_processors() {
    // What the loader started, and what the firmware lists.
    static boot::LoaderAp loader_aps[lib::kMaxCpus];
    static uint32_t loader_ids[lib::kMaxCpus];
    size_t loader_count = boot::loader_application_processors(loader_aps, lib::kMaxCpus);
    size_t listed = loader_count < lib::kMaxCpus ? loader_count : lib::kMaxCpus;
    for (size_t i = 0; i < listed; ++i) loader_ids[i] = loader_aps[i].lapic_id;
    const acpi::MadtInfo* madt = acpi::madt();
    static CpuPlan plan;
    plan_cpus(madt ? madt->cpu_list() : lib::Span<const acpi::LocalApic>(), arch::cpu_apic_id(),
              lib::Span<const uint32_t>(loader_ids, listed), plan);
    for (const LeftOutCpu& cpu : plan.left_out_list())
        klog::warn("smp: CPU with APIC id {} left out: {}", cpu.apic_id, left_out_reason_text(cpu.reason));
    if (!madt) klog::warn("smp: no MADT: running the CPUs the loader started");

    // The CPU limit is known: per-CPU structures sized by it, then the APs.
    g_cpu_limit = uint32_t(plan.count);
    if (auto sized = mm::heap().set_cpu_count(g_cpu_limit); !sized)
        klog::warn("smp: the heap keeps per-CPU lists for CPU 0 only: {}", sized.error().message);
    detail::init_calls();

    static ApStart* launched[lib::kMaxCpus];
    size_t launched_count = 0, not_sent = 0;
    for (size_t i = 1; i < plan.count; ++i) {
        ApStart* start = prepare_ap(uint32_t(i), plan.cpus[i].apic_id);
        if (!boot::launch_application_processor(plan.cpus[i].apic_id, start->launch)) {
            klog::warn("smp: CPU {} (APIC id {}) could not be sent its start; left out", i, plan.cpus[i].apic_id);
            continue;
        }
        launched[launched_count++] = start;
    }
    // The loader's APs that do not run must still leave its memory.
    for (size_t i = 0; i < listed; ++i) {
        if (plan.find(loader_ids[i])) continue;
        ApStart* start = prepare_parked();
        if (boot::launch_application_processor(loader_ids[i], start->launch))
            launched[launched_count++] = start;
        else
            ++not_sent;
    }

    // Bounded: an AP that does not answer is left out, the boot goes on.
    uint64_t began = arch::rdtsc();
    for (;;) {
        size_t answered = 0;
        for (size_t i = 0; i < launched_count; ++i) answered += reported(launched[i]);
        if (answered == launched_count || arch::rdtsc() - began > kOnlineWaitTicks) break;
        arch::pause();
    }
    size_t silent = 0;
    for (size_t i = 0; i < launched_count; ++i) {
        const ApStart* start = launched[i];
        if (reported(start)) continue;
        ++silent;
        if (start->index == kParked)
            klog::warn("smp: left-out AP with APIC id {} did not leave the loader's loop", start->launch.lapic_id);
        else
            klog::warn("smp: CPU {} (APIC id {}) did not answer; left out", start->index, start->launch.lapic_id);
    }

    TextBuffer ids;
    print_apic_ids(ids);
    klog::info("smp: {} CPUs online (APIC ids {})", cpu_count(), ids.view());
    return silent + not_sent + (loader_count - listed);
}

// --- TSC check and ticks -----------------------------------------------------------

namespace {

// Ping-pong between the boot CPU and one AP, each side reading its TSC as
// it sees the other's move (a CPU's TSC is its time base: SDM Vol. 3B §18.17).
// In round r the boot CPU stamps t0 and hands over; the AP stamps a and
// hands back; the boot CPU stamps t1. If both TSCs were one clock, t0 <= a
// <= t1 always; a outside [t0, t1] proves an offset. The round with the
// shortest t1 - t0 gives the best estimate: a - (t0 + t1) / 2.
constexpr uint32_t kTscRounds = 32;
// A side that waits longer gives up (about 1.5 s: an emulator on a busy
// host may leave a virtual CPU unscheduled for long).
constexpr uint64_t kTscStepTicks = uint64_t(1) << 32;

struct TscProbe {
    uint64_t ap_stamp = 0;
    uint32_t turn = 0;  // odd: the AP's move in round (turn - 1) / 2; even: the boot CPU's
    bool gave_up = false;
};

bool wait_for_turn(TscProbe& probe, uint32_t turn) {
    uint64_t start = arch::rdtsc();
    while (__atomic_load_n(&probe.turn, __ATOMIC_ACQUIRE) != turn) {
        if (__atomic_load_n(&probe.gave_up, __ATOMIC_ACQUIRE) || arch::rdtsc() - start > kTscStepTicks) {
            __atomic_store_n(&probe.gave_up, true, __ATOMIC_RELEASE);
            return false;
        }
        arch::pause();
    }
    return true;
}

void tsc_probe_ap_side(void* argument) {
    auto& probe = *static_cast<TscProbe*>(argument);
    for (uint32_t round = 0; round < kTscRounds; ++round) {
        if (!wait_for_turn(probe, 2 * round + 1)) return;
        __atomic_store_n(&probe.ap_stamp, arch::rdtsc(), __ATOMIC_RELAXED);
        __atomic_store_n(&probe.turn, 2 * round + 2, __ATOMIC_RELEASE);
    }
}

struct TscResult {
    bool measured = false;
    bool out_of_step = false;  // some a outside [t0, t1]
    int64_t offset = 0;        // AP minus boot CPU, ticks (the best round's estimate)
    uint64_t uncertainty = 0;  // half that round's t1 - t0
};

TscResult measure_tsc(uint32_t cpu) {
    TscProbe probe;
    TscResult result;
    if (!call_on(cpu, tsc_probe_ap_side, &probe, Wait::kNo)) return result;
    uint64_t best_round_trip = ~0ULL;
    for (uint32_t round = 0; round < kTscRounds; ++round) {
        uint64_t t0 = arch::rdtsc();
        __atomic_store_n(&probe.turn, 2 * round + 1, __ATOMIC_RELEASE);
        if (!wait_for_turn(probe, 2 * round + 2)) return result;
        uint64_t t1 = arch::rdtsc();
        uint64_t a = __atomic_load_n(&probe.ap_stamp, __ATOMIC_RELAXED);
        if (a < t0 || a > t1) result.out_of_step = true;
        if (t1 - t0 < best_round_trip) {
            best_round_trip = t1 - t0;
            result.offset = int64_t(a - (t0 + (t1 - t0) / 2));
            result.uncertainty = (t1 - t0) / 2;
        }
    }
    result.measured = true;
    return result;
}

void set_offset_here(void* argument) {
    ktime::set_this_cpu_tsc_offset(*static_cast<int64_t*>(argument));
}

void start_tick_here(void*) {
    ktime::init_this_cpu();
}

}  // namespace

void start_timers() {
    if (!ktime::initialized()) return;
    uint32_t corrected = 0, unmeasured = 0;
    uint64_t largest_offset = 0, largest_uncertainty = 0;
    for (uint32_t cpu = 1; cpu < g_cpu_limit; ++cpu) {
        if (!is_online(cpu)) continue;
        TscResult tsc = measure_tsc(cpu);
        if (!tsc.measured) {
            ++unmeasured;
            klog::warn("smp: CPU {} did not answer the TSC check", cpu);
            continue;
        }
        uint64_t magnitude = tsc.offset < 0 ? uint64_t(-tsc.offset) : uint64_t(tsc.offset);
        if (magnitude > largest_offset) largest_offset = magnitude;
        if (tsc.uncertainty > largest_uncertainty) largest_uncertainty = tsc.uncertainty;
        if (tsc.out_of_step) {
            int64_t correction = -tsc.offset;  // added to that CPU's TSC, it reads the boot CPU's time base
            call_on(cpu, set_offset_here, &correction, Wait::kYes);
            ++corrected;
            klog::warn("smp: CPU {}'s TSC is {} ticks off the boot CPU's (+-{}); its clock is corrected", cpu,
                       tsc.offset, tsc.uncertainty);
        }
    }
    call_on_others(start_tick_here, nullptr, Wait::kYes);
    klog::info("smp: TSCs checked on {} APs ({} in step: largest estimate {} ticks, each within +-{}; {} "
               "corrected), every CPU ticks at {} Hz",
               cpu_count() - 1 - unmeasured, cpu_count() - 1 - unmeasured - corrected, largest_offset,
               largest_uncertainty, corrected, ktime::kTickHz);
}

}  // namespace smp
