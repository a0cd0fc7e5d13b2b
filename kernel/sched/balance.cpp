// Placement and balancing decisions; see balance.hpp.
#include "kernel/sched/balance.hpp"

namespace sched {
namespace {

bool usable(const CpuSet& allowed, lib::Span<const CpuLoad> cpus, uint32_t cpu) {
    return cpu < cpus.size() && cpus[cpu].online && allowed.contains(cpu);
}

// The busiest CPU other than `this_cpu` that has a thread waiting (two or
// more runnable: the running one can not be moved), by load.
bool find_busiest(uint32_t this_cpu, lib::Span<const CpuLoad> cpus, uint32_t& busiest) {
    bool found = false;
    for (uint32_t cpu = 0; cpu < cpus.size(); ++cpu) {
        if (cpu == this_cpu || !cpus[cpu].online || cpus[cpu].nr_running < 2) continue;
        if (!found || cpus[cpu].load > cpus[busiest].load) {
            busiest = cpu;
            found = true;
        }
    }
    return found;
}

}  // namespace

uint32_t select_wakeup_cpu(const CpuSet& allowed, uint32_t last_cpu, lib::Span<const CpuLoad> cpus) {
    bool last_usable = usable(allowed, cpus, last_cpu);
    if (last_usable && cpus[last_cpu].nr_running == 0) return last_cpu;

    // An idle CPU, searched from the one after the last CPU so that wake-ups
    // from one CPU spread instead of all landing on CPU 0.
    uint32_t count = static_cast<uint32_t>(cpus.size());
    uint32_t least = count;
    for (uint32_t i = 1; i <= count; ++i) {
        uint32_t cpu = (last_cpu + i) % count;
        if (!usable(allowed, cpus, cpu)) continue;
        if (cpus[cpu].nr_running == 0) return cpu;
        if (least == count || cpus[cpu].nr_running < cpus[least].nr_running) least = cpu;
    }
    if (least == count) return last_cpu;  // nothing allowed: the caller's error
    if (last_usable && cpus[last_cpu].nr_running < cpus[least].nr_running + 2) return last_cpu;
    return least;
}

BalanceDecision plan_periodic_balance(uint32_t this_cpu, lib::Span<const CpuLoad> cpus) {
    BalanceDecision decision;
    uint32_t busiest = 0;
    if (this_cpu >= cpus.size() || !find_busiest(this_cpu, cpus, busiest)) return decision;
    uint64_t mine = cpus[this_cpu].load;
    uint64_t theirs = cpus[busiest].load;
    if (theirs <= mine) return decision;
    // Moving half the difference evens the two out. Threads move whole, so
    // the caller moves threads while their total stays within that half:
    // one thread of weight w moves only if w <= (theirs - mine) / 2, which
    // never leaves this CPU busier than the source was.
    uint64_t half = (theirs - mine) / 2;
    if (half == 0) return decision;
    decision.pull = true;
    decision.source = busiest;
    decision.max_weight = half;
    return decision;
}

BalanceDecision plan_idle_steal(uint32_t this_cpu, lib::Span<const CpuLoad> cpus) {
    BalanceDecision decision;
    uint32_t busiest = 0;
    if (this_cpu >= cpus.size() || !find_busiest(this_cpu, cpus, busiest)) return decision;
    decision.pull = true;
    decision.source = busiest;
    decision.max_weight = ~0ULL;  // an idle CPU takes any one thread
    return decision;
}

}  // namespace sched
