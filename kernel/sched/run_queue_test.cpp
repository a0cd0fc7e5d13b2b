// Unit tests of the EEVDF run queue, the nice table and the placement and
// balancing rules (pure logic, simulated time). Whole-system behaviour over
// many CPUs and seconds is in policy_simulation_test.cpp.
#include "kernel/sched/run_queue.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernel/sched/balance.hpp"
#include "kernel/sched/weights.hpp"

namespace sched {
namespace {

constexpr uint64_t kMs = 1'000'000;

TEST(Weights, NiceZeroIs1024AndEachLevelIsAQuarterHeavierThanTheNext) {
    EXPECT_EQ(weight_of_nice(0), 1024u);
    for (int nice = kNiceMin; nice <= kNiceMax; ++nice) {
        // 1024 / 1.25^nice, rounded to the nearest integer.
        EXPECT_NEAR(double(weight_of_nice(nice)), 1024 * std::pow(0.8, nice), 0.5) << "nice " << nice;
        if (nice < kNiceMax && weight_of_nice(nice + 1) >= 100)
            EXPECT_NEAR(double(weight_of_nice(nice)) / weight_of_nice(nice + 1), 1.25, 0.01) << "nice " << nice;
    }
}

TEST(Weights, OutOfRangeNiceIsClamped) {
    EXPECT_EQ(weight_of_nice(-100), weight_of_nice(kNiceMin));
    EXPECT_EQ(weight_of_nice(100), weight_of_nice(kNiceMax));
    Entity entity;
    entity.set_nice(42);
    EXPECT_EQ(entity.nice, kNiceMax);
}

TEST(RunQueue, EmptyQueuePicksNothing) {
    RunQueue queue;
    EXPECT_EQ(queue.pick_next(0), nullptr);
    EXPECT_EQ(queue.nr_running(), 0u);
    EXPECT_EQ(queue.load(), 0u);
}

TEST(RunQueue, CountsAndLoadFollowEnqueueAndDequeue) {
    RunQueue queue(3);
    Entity a, b;
    b.set_nice(5);
    queue.enqueue(a, 0);
    queue.enqueue(b, 0);
    EXPECT_EQ(queue.nr_running(), 2u);
    EXPECT_EQ(queue.load(), 1024u + weight_of_nice(5));
    EXPECT_EQ(a.cpu, 3u);
    EXPECT_TRUE(a.on_queue);
    queue.dequeue(a, 0);
    EXPECT_FALSE(a.on_queue);
    EXPECT_EQ(queue.nr_running(), 1u);
    EXPECT_EQ(queue.load(), uint64_t(weight_of_nice(5)));
}

TEST(RunQueue, RunningChargesVirtualTimeInverselyToWeight) {
    RunQueue queue;
    Entity heavy, light;
    heavy.set_nice(-5);
    light.set_nice(5);
    queue.enqueue(heavy, 0);
    queue.enqueue(light, 0);
    Entity* first = queue.pick_next(0);
    ASSERT_NE(first, nullptr);
    uint64_t before = first->vruntime;
    queue.update_current(1 * kMs);
    EXPECT_EQ(first->runtime_ns, 1 * kMs);
    EXPECT_EQ(first->vruntime - before, 1 * kMs * 1024 / first->weight);
}

TEST(RunQueue, SliceExpiryAsksForRescheduleAndANewDeadline) {
    RunQueue queue;
    Entity a, b;
    queue.enqueue(a, 0);
    queue.enqueue(b, 0);
    Entity* running = queue.pick_next(0);
    uint64_t deadline = running->deadline;
    EXPECT_FALSE(queue.update_current(kDefaultSliceNs - 1));
    EXPECT_FALSE(queue.slice_expired());
    EXPECT_TRUE(queue.update_current(kDefaultSliceNs));
    EXPECT_TRUE(queue.slice_expired());
    EXPECT_GT(running->deadline, deadline);
    Entity* next = queue.pick_next(kDefaultSliceNs);
    EXPECT_NE(next, running) << "the other entity is owed the CPU now";
    EXPECT_FALSE(queue.slice_expired());
}

TEST(RunQueue, PickSkipsAnIneligibleEntityWithAnEarlierDeadline) {
    // b asks for short slices (early deadlines) but has run ahead of the
    // average: it is not eligible, so a runs although its deadline is later.
    RunQueue queue;
    Entity a, b;
    b.slice_ns = 1 * kMs;
    a.slice_ns = 10 * kMs;
    queue.enqueue(a, 0);
    queue.enqueue(b, 0);
    Entity* first = queue.pick_next(0);
    ASSERT_EQ(first, &b) << "equal v, b's deadline is earlier";
    queue.update_current(5 * kMs);  // b runs well past its share
    EXPECT_FALSE(queue.eligible(b));
    Entity* second = queue.pick_next(5 * kMs);
    EXPECT_EQ(second, &a);
}

TEST(RunQueue, SomeEntityIsAlwaysEligible) {
    RunQueue queue;
    std::vector<Entity> entities(7);
    for (size_t i = 0; i < entities.size(); ++i) {
        entities[i].set_nice(int(i) * 3 - 10);
        entities[i].slice_ns = (i + 1) * kMs;
        queue.enqueue(entities[i], 0);
    }
    uint64_t now = 0;
    for (int step = 0; step < 2000; ++step) {
        now += (step % 7 + 1) * 300'000;
        Entity* picked = queue.pick_next(now);
        ASSERT_NE(picked, nullptr);
        bool any = queue.eligible(*picked);
        for (const Entity& entity : queue.waiting()) any = any || queue.eligible(entity);
        EXPECT_TRUE(any);
    }
}

TEST(RunQueue, YieldLetsTheOtherEntityRun) {
    RunQueue queue;
    Entity a, b;
    queue.enqueue(a, 0);
    queue.enqueue(b, 0);
    Entity* first = queue.pick_next(0);
    queue.yield_current(1000);
    Entity* second = queue.pick_next(1000);
    EXPECT_NE(first, second);
    queue.yield_current(2000);
    EXPECT_EQ(queue.pick_next(2000), first);
}

TEST(RunQueue, AWokenEntityPreemptsOnlyWhenEligibleWithAnEarlierDeadline) {
    RunQueue queue;
    Entity hog, sleeper;
    queue.enqueue(hog, 0);
    queue.enqueue(sleeper, 0);
    ASSERT_EQ(queue.pick_next(0), &hog);
    queue.update_current(kMs);
    queue.dequeue(sleeper, kMs);  // sleeps, owed some service
    EXPECT_GT(sleeper.lag, 0);
    queue.update_current(2 * kMs);
    queue.enqueue(sleeper, 2 * kMs);
    EXPECT_TRUE(queue.eligible(sleeper));
    // Owed 1 ms of virtual time, but asking for a whole slice, its deadline
    // (1 + 3 ms) is after the hog's (0 + 3 ms): it waits for the hog's slice.
    EXPECT_FALSE(queue.should_preempt(sleeper));
    // Asking for 1 ms slices, its deadline (1 + 1 ms) comes first: it preempts.
    queue.dequeue(sleeper, 2 * kMs);
    sleeper.slice_ns = 1 * kMs;
    queue.enqueue(sleeper, 2 * kMs);
    EXPECT_TRUE(queue.should_preempt(sleeper));

    // An entity that left ahead of its share comes back ineligible.
    RunQueue other;
    Entity runner, waiter;
    other.enqueue(runner, 0);
    other.enqueue(waiter, 0);
    ASSERT_EQ(other.pick_next(0), &runner);
    other.update_current(2 * kMs);
    other.dequeue(runner, 2 * kMs);
    EXPECT_LT(runner.lag, 0);
    ASSERT_EQ(other.pick_next(2 * kMs), &waiter);
    other.enqueue(runner, 2 * kMs);
    EXPECT_FALSE(other.eligible(runner));
    EXPECT_FALSE(other.should_preempt(runner));
}

TEST(RunQueue, LagIsBoundedByTwoSlices) {
    // The hog keeps the CPU for a second (nobody called pick_next), so the
    // waiting entity is owed half a second; it leaves with two slices' worth.
    RunQueue queue;
    Entity hog, waiting;
    queue.enqueue(hog, 0);
    queue.enqueue(waiting, 0);
    ASSERT_EQ(queue.pick_next(0), &hog);
    queue.update_current(1000 * kMs);
    queue.dequeue(waiting, 1000 * kMs);
    EXPECT_EQ(waiting.lag, int64_t(2 * kDefaultSliceNs));
    queue.dequeue(hog, 1000 * kMs);
    EXPECT_EQ(hog.lag, 0) << "alone on the queue, it is the average";
}

TEST(RunQueue, MigrationCandidateIsTheLatestDeadlineAllowedOnTheTarget) {
    RunQueue queue;
    Entity running, pinned, early, late;
    queue.enqueue(running, 0);
    ASSERT_EQ(queue.pick_next(0), &running);
    pinned.affinity = CpuSet::only(0);
    early.slice_ns = 1 * kMs;
    late.slice_ns = 20 * kMs;
    pinned.slice_ns = 40 * kMs;  // latest deadline of all, but may not move
    queue.enqueue(pinned, 0);
    queue.enqueue(early, 0);
    queue.enqueue(late, 0);
    EXPECT_EQ(queue.migration_candidate(1, ~0ULL), &late);
    EXPECT_EQ(queue.migration_candidate(0, ~0ULL), &pinned);
    EXPECT_EQ(queue.migration_candidate(1, 100), nullptr) << "too heavy for the imbalance";
}

TEST(RunQueue, MigrationKeepsLagAcrossQueues) {
    RunQueue source(0), target(1);
    Entity a, b, other;
    source.enqueue(a, 0);
    source.enqueue(b, 0);
    target.enqueue(other, 0);
    ASSERT_EQ(source.pick_next(0), &a);
    ASSERT_EQ(target.pick_next(0), &other);
    source.update_current(3 * kMs);  // b is now owed service
    source.dequeue(b, 3 * kMs);
    int64_t lag = b.lag;
    EXPECT_GT(lag, 0);
    target.update_current(10 * kMs);
    target.enqueue(b, 10 * kMs);
    EXPECT_EQ(b.cpu, 1u);
    // With two entities of equal weight, V moves half way towards b when it
    // joins; the scaled placement keeps its lag as it was (within rounding).
    int64_t lag_after = int64_t(target.average_vruntime() - b.vruntime);
    EXPECT_NEAR(double(lag_after), double(lag), 2.0);
}

// --- Placement and balancing decisions -------------------------------------

TEST(WakeupPlacement, PrefersTheLastCpuWhenIdle) {
    std::vector<CpuLoad> cpus = {{2, 2048}, {0, 0}, {0, 0}, {1, 1024}};
    EXPECT_EQ(select_wakeup_cpu(CpuSet::all(), 2, lib::Span<const CpuLoad>(cpus.data(), cpus.size())), 2u);
}

TEST(WakeupPlacement, GoesToAnIdleCpuWhenTheLastIsBusy) {
    std::vector<CpuLoad> cpus = {{2, 2048}, {1, 1024}, {0, 0}, {1, 1024}};
    EXPECT_EQ(select_wakeup_cpu(CpuSet::all(), 0, lib::Span<const CpuLoad>(cpus.data(), cpus.size())), 2u);
}

TEST(WakeupPlacement, StaysOnTheLastCpuWhenNoneIsIdleAndItIsNotMuchBusier) {
    std::vector<CpuLoad> cpus = {{2, 2048}, {1, 1024}, {1, 1024}};
    EXPECT_EQ(select_wakeup_cpu(CpuSet::all(), 0, lib::Span<const CpuLoad>(cpus.data(), cpus.size())), 0u);
    cpus[0] = {3, 3072};
    EXPECT_EQ(select_wakeup_cpu(CpuSet::all(), 0, lib::Span<const CpuLoad>(cpus.data(), cpus.size())), 1u)
        << "two more runnable than the least loaded: go there";
}

TEST(WakeupPlacement, HonoursAffinity) {
    std::vector<CpuLoad> cpus = {{0, 0}, {3, 3072}, {0, 0}, {2, 2048}};
    CpuSet allowed;
    allowed.add(1);
    allowed.add(3);
    uint32_t chosen = select_wakeup_cpu(allowed, 0, lib::Span<const CpuLoad>(cpus.data(), cpus.size()));
    EXPECT_EQ(chosen, 3u) << "the last CPU is not allowed any more; 3 is the least loaded allowed";
    cpus[2].online = false;
    EXPECT_EQ(select_wakeup_cpu(CpuSet::only(2), 2, lib::Span<const CpuLoad>(cpus.data(), cpus.size())), 2u)
        << "nothing usable: the caller's error, the last CPU is returned";
}

TEST(Balance, PeriodicPullsHalfTheDifferenceFromTheBusiest) {
    std::vector<CpuLoad> cpus = {{0, 0}, {2, 2048}, {4, 4096}, {1, 1024}};
    BalanceDecision decision = plan_periodic_balance(0, lib::Span<const CpuLoad>(cpus.data(), cpus.size()));
    EXPECT_TRUE(decision.pull);
    EXPECT_EQ(decision.source, 2u);
    EXPECT_EQ(decision.max_weight, 2048u);
}

TEST(Balance, PeriodicLeavesAnImbalanceOfLessThanOneThread) {
    std::vector<CpuLoad> cpus = {{1, 1024}, {2, 2048}};
    BalanceDecision decision = plan_periodic_balance(0, lib::Span<const CpuLoad>(cpus.data(), cpus.size()));
    // Pulling is allowed up to 512: no nice-0 thread fits, so none moves.
    EXPECT_LT(decision.max_weight, 1024u);
}

TEST(Balance, NothingToStealFromCpusWithoutAWaitingThread) {
    std::vector<CpuLoad> cpus = {{0, 0}, {1, 1024}, {1, 1024}};
    EXPECT_FALSE(plan_idle_steal(0, lib::Span<const CpuLoad>(cpus.data(), cpus.size())).pull);
    cpus[2] = {2, 2048};
    BalanceDecision decision = plan_idle_steal(0, lib::Span<const CpuLoad>(cpus.data(), cpus.size()));
    EXPECT_TRUE(decision.pull);
    EXPECT_EQ(decision.source, 2u);
}

}  // namespace
}  // namespace sched
