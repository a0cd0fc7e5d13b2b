// SMP costs for `make bench` (tools/measure_smp.py boots with bench=smp
// under QEMU -icount, where a TSC difference counts guest instructions):
// the round trip of a call to another CPU, one lock hand-off between two
// CPUs, and unmapping one page of the kernel half with its TLB shootdown to
// every other CPU. Prints one line and ends the run.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/qemu_exit.hpp"
#include "kernel/console/log.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/smp/smp.hpp"
#include "kernel/sync/spinlock.hpp"

namespace smp {
namespace {

constexpr uint32_t kRounds = 64;
constexpr uint64_t kBenchPage = 0xfffffe8000400000ULL;  // PML4 slot 509: free for tests

// The median of `count` samples (sorted in place).
uint64_t median(uint64_t* samples, uint32_t count) {
    for (uint32_t i = 1; i < count; ++i)
        for (uint32_t j = i; j > 0 && samples[j] < samples[j - 1]; --j) lib::swap(samples[j], samples[j - 1]);
    return samples[count / 2];
}

void nothing(void*) {}

uint64_t call_round_trip() {
    uint64_t samples[kRounds];
    for (uint64_t& sample : samples) {
        uint64_t start = arch::rdtsc();
        call_on(1, nothing, nullptr, Wait::kYes);
        sample = arch::rdtsc() - start;
    }
    return median(samples, kRounds);
}

// Two CPUs take turns: each takes the lock, and if it is its turn, hands
// the turn to the other. One hand-off is one turn.
struct HandOff {
    ksync::SpinlockNoIrq lock;
    uint32_t turn = 0;
    uint32_t rounds = 0;
};
HandOff g_hand_off;

void take_turns(uint32_t me, uint32_t rounds) {
    for (uint32_t done = 0; done < rounds;) {
        {
            ksync::Guard guard(g_hand_off.lock);
            if (g_hand_off.turn == me) {
                g_hand_off.turn = 1 - me;
                ++done;
                continue;
            }
        }
        arch::pause();  // a spin-wait (under -icount it also lets the other CPU run)
    }
}

void take_turns_there(void*) {
    take_turns(1, g_hand_off.rounds);
}

uint64_t lock_hand_off() {
    constexpr uint32_t kTurns = 256;
    g_hand_off.turn = 0;
    g_hand_off.rounds = kTurns;
    call_on(1, take_turns_there, nullptr, Wait::kNo);
    uint64_t start = arch::rdtsc();
    take_turns(0, kTurns);
    // The last turn is the other CPU's: wait for it to hand back.
    while (__atomic_load_n(&g_hand_off.turn, __ATOMIC_ACQUIRE) != 0) arch::pause();
    return (arch::rdtsc() - start) / (2 * kTurns);
}

uint64_t unmap_one_page() {
    auto frame = mm::frames().allocate();
    if (!frame) return 0;
    uint64_t samples[kRounds];
    for (uint64_t& sample : samples) {
        if (!mm::map(kBenchPage, *frame, mm::kPageSize, {.writable = true, .global = true})) return 0;
        *reinterpret_cast<volatile uint64_t*>(kBenchPage) = 1;  // in this CPU's TLB now
        uint64_t start = arch::rdtsc();
        if (!mm::unmap(kBenchPage, mm::kPageSize)) return 0;
        sample = arch::rdtsc() - start;
    }
    mm::frames().free(*frame);
    return median(samples, kRounds);
}

}  // namespace

[[noreturn]] void run_benchmarks() {
    bool were_enabled = arch::interrupts_enabled();
    arch::sti();
    uint32_t cpus = cpu_count();
    uint64_t round_trip = cpus > 1 ? call_round_trip() : 0;
    uint64_t hand_off = cpus > 1 ? lock_hand_off() : 0;
    uint64_t unmap = unmap_one_page();
    if (!were_enabled) arch::cli();
    klog::print("bench: smp cpus={} call_round_trip={} lock_hand_off={} unmap_page_with_shootdown={}\n", cpus,
                round_trip, hand_off, unmap);
    klog::flush();
    arch::qemu_exit(arch::QemuExitCode::kPass);
    arch::halt_forever();
}

}  // namespace smp
