// Where threads should run: the placement and balancing decisions of the
// scheduler, as pure functions over a snapshot of every CPU's load. The
// scheduler (scheduler.cpp) takes the snapshot without locks (a slightly
// stale view only makes a decision slightly worse, never wrong: the move
// itself happens under both run-queue locks and re-checks affinity), and the
// host tests drive the same functions in a simulation.
//
// The rules (docs/scheduler.md, "Which CPU"):
//   wake-up  the CPU it last ran on if that CPU is idle (its cache is warm);
//            else any idle CPU it may run on; else the last CPU, unless that
//            one has at least two more runnable threads than the least
//            loaded allowed CPU; a thread whose last CPU it may no longer
//            use goes to the least loaded allowed CPU.
//   idle     a CPU about to idle pulls one waiting thread from the busiest
//            CPU that has any (work stealing).
//   periodic every balance interval, a CPU pulls from the busiest CPU half
//            of the load difference between them, in whole threads, and
//            only when that moves at least one thread's worth without
//            turning the imbalance around.
#pragma once

#include <stdint.h>

#include "kernel/sched/cpu_set.hpp"
#include "lib/span.hpp"

namespace sched {

struct CpuLoad {
    uint32_t nr_running = 0;  // runnable threads, the running one included (0: idle)
    uint64_t load = 0;        // their total weight
    bool online = true;
};

// The CPU a waking thread should be queued on. `last_cpu` is where it last
// ran. Returns a CPU in `allowed` (or `last_cpu` if `allowed` holds no CPU
// of `cpus`, which the caller prevents).
uint32_t select_wakeup_cpu(const CpuSet& allowed, uint32_t last_cpu, lib::Span<const CpuLoad> cpus);

// What a balancing CPU should do: pull up to `max_weight` of load from
// `source`. `pull` is false when nothing is worth moving.
struct BalanceDecision {
    bool pull = false;
    uint32_t source = 0;
    uint64_t max_weight = 0;  // move threads of at most this weight, in total
};

// Periodic balancing for `this_cpu`.
BalanceDecision plan_periodic_balance(uint32_t this_cpu, lib::Span<const CpuLoad> cpus);

// Work stealing for `this_cpu`, which has nothing to run: the busiest CPU
// with a waiting thread; any single thread may move.
BalanceDecision plan_idle_steal(uint32_t this_cpu, lib::Span<const CpuLoad> cpus);

}  // namespace sched
