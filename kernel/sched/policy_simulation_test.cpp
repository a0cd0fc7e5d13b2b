// The scheduling policy as a whole, on a simulated machine: N CPUs, each
// with a RunQueue, a 1 kHz tick that charges the running thread and
// reschedules when its slice is used up, wake-ups placed by
// select_wakeup_cpu (preempting when should_preempt says so, as the
// reschedule IPI will), idle CPUs stealing work and periodic balancing every
// 4 ms — the same decisions kernel/sched/scheduler.cpp takes, driven by a
// simulated clock in 100 us steps.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>
#include <vector>

#include "kernel/sched/balance.hpp"
#include "kernel/sched/run_queue.hpp"

namespace sched {
namespace {

constexpr uint64_t kUs = 1'000;
constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kSecond = 1'000'000'000;
constexpr uint64_t kStep = 100 * kUs;
constexpr uint64_t kTick = 1 * kMs;
constexpr uint64_t kBalanceInterval = 4 * kMs;

struct SimThread {
    Entity entity;
    // Behaviour: runs `burst` ns then sleeps `sleep` ns; burst 0 = CPU-bound.
    uint64_t burst = 0;
    uint64_t sleep = 0;
    uint64_t burst_left = 0;
    bool sleeping = false;
    uint64_t wake_at = 0;
    // What it saw.
    uint64_t runnable_since = 0;  // when it last became runnable or lost the CPU
    uint64_t longest_wait = 0;    // the longest it was runnable without running
    std::set<uint32_t> cpus_run_on;
};

class Machine {
public:
    explicit Machine(uint32_t cpu_count) {
        for (uint32_t cpu = 0; cpu < cpu_count; ++cpu) queues_.push_back(std::make_unique<RunQueue>(cpu));
    }

    SimThread& add(int nice = 0, uint64_t burst = 0, uint64_t sleep = 0) {
        threads_.push_back(std::make_unique<SimThread>());
        SimThread& thread = *threads_.back();
        thread.entity.set_nice(nice);
        thread.burst = burst;
        thread.sleep = sleep;
        thread.burst_left = burst;
        return thread;
    }

    // Starts `thread` on `cpu` as a new thread (no placement decision).
    void start_on(SimThread& thread, uint32_t cpu) {
        thread.entity.cpu = cpu;
        make_runnable(thread, *queues_[cpu]);
    }
    // Starts it where the wake-up rule puts it.
    void start(SimThread& thread) { wake(thread); }

    void run_for(uint64_t duration) {
        uint64_t end = now_ + duration;
        while (now_ < end) step();
    }

    uint64_t now() const { return now_; }
    RunQueue& queue(uint32_t cpu) { return *queues_[cpu]; }
    uint32_t cpu_count() const { return uint32_t(queues_.size()); }
    uint64_t idle_time(uint32_t cpu) const { return idle_[cpu]; }
    void set_balancing(bool on) { balancing_ = on; }

    // The number of runnable threads on each CPU right now.
    std::vector<uint32_t> counts() const {
        std::vector<uint32_t> result;
        for (const auto& queue : queues_) result.push_back(queue->nr_running());
        return result;
    }

private:
    SimThread& owner(Entity* entity) {
        for (auto& thread : threads_)
            if (&thread->entity == entity) return *thread;
        ADD_FAILURE() << "unknown entity";
        return *threads_.front();
    }

    std::vector<CpuLoad> loads() const {
        std::vector<CpuLoad> result;
        for (const auto& queue : queues_) result.push_back({queue->nr_running(), queue->load(), true});
        return result;
    }

    void make_runnable(SimThread& thread, RunQueue& queue) {
        thread.runnable_since = now_;
        queue.enqueue(thread.entity, now_);
    }

    void wake(SimThread& thread) {
        std::vector<CpuLoad> snapshot = loads();
        uint32_t cpu = select_wakeup_cpu(thread.entity.affinity, thread.entity.cpu,
                                         lib::Span<const CpuLoad>(snapshot.data(), snapshot.size()));
        RunQueue& queue = *queues_[cpu];
        make_runnable(thread, queue);
        if (queue.should_preempt(thread.entity)) reschedule(queue);
    }

    // What the scheduler does on a CPU: the current thread goes back to the
    // queue (if still runnable), the policy picks; an idle CPU steals first.
    void reschedule(RunQueue& queue) {
        if (Entity* previous = queue.current()) owner(previous).runnable_since = now_;
        if (queue.nr_running() == 0 && balancing_) steal(queue);
        Entity* next = queue.pick_next(now_);
        if (!next) return;
        SimThread& thread = owner(next);
        uint64_t waited = now_ - thread.runnable_since;
        if (waited > thread.longest_wait) thread.longest_wait = waited;
        thread.cpus_run_on.insert(queue.cpu());
    }

    // Moves threads from `source` to `target` within `max_weight` in total
    // (one thread at most when `one`).
    void migrate(RunQueue& source, RunQueue& target, uint64_t max_weight, bool one) {
        uint64_t moved = 0;
        while (Entity* entity = source.migration_candidate(target.cpu(), max_weight - moved)) {
            source.dequeue(*entity, now_);
            target.enqueue(*entity, now_);
            moved += entity->weight;
            if (one || moved >= max_weight) break;
        }
    }

    void steal(RunQueue& queue) {
        std::vector<CpuLoad> snapshot = loads();
        BalanceDecision decision =
            plan_idle_steal(queue.cpu(), lib::Span<const CpuLoad>(snapshot.data(), snapshot.size()));
        if (decision.pull) migrate(*queues_[decision.source], queue, decision.max_weight, true);
    }

    void balance(RunQueue& queue) {
        std::vector<CpuLoad> snapshot = loads();
        BalanceDecision decision =
            plan_periodic_balance(queue.cpu(), lib::Span<const CpuLoad>(snapshot.data(), snapshot.size()));
        if (!decision.pull) return;
        migrate(*queues_[decision.source], queue, decision.max_weight, false);
        Entity* first = queue.waiting().front();
        if (queue.current() == nullptr || (first && queue.should_preempt(*first))) reschedule(queue);
    }

    void step() {
        now_ += kStep;
        // Sleepers whose time has come wake up (placement may preempt).
        for (auto& thread : threads_) {
            if (thread->sleeping && thread->wake_at <= now_) {
                thread->sleeping = false;
                thread->burst_left = thread->burst;
                wake(*thread);
            }
        }
        for (auto& queue_pointer : queues_) {
            RunQueue& queue = *queue_pointer;
            Entity* current = queue.current();
            if (!current) {
                idle_[queue.cpu()] += kStep;
                if (queue.nr_running() > 0 || balancing_) reschedule(queue);
                continue;
            }
            SimThread& thread = owner(current);
            if (thread.burst != 0) {
                thread.burst_left = thread.burst_left > kStep ? thread.burst_left - kStep : 0;
                if (thread.burst_left == 0) {
                    queue.dequeue(thread.entity, now_, true);
                    thread.sleeping = true;
                    thread.wake_at = now_ + thread.sleep;
                    reschedule(queue);
                    continue;
                }
            }
            // Stagger the CPUs' ticks and balancing as real CPUs' timers are.
            uint64_t offset = queue.cpu() * kStep;
            if ((now_ + offset) % kTick == 0) {
                queue.update_current(now_);
                if (queue.slice_expired()) reschedule(queue);
            }
            if (balancing_ && (now_ + offset) % kBalanceInterval == 0) balance(queue);
        }
    }

    uint64_t now_ = 0;
    bool balancing_ = true;
    std::vector<std::unique_ptr<RunQueue>> queues_;
    std::vector<std::unique_ptr<SimThread>> threads_;
    uint64_t idle_[kMaxCpus] = {};
};

double share(const SimThread& thread, uint64_t total) { return double(thread.entity.runtime_ns) / double(total); }

TEST(Policy, EqualThreadsShareOneCpuWithin5Percent) {
    Machine machine(1);
    std::vector<SimThread*> threads;
    for (int i = 0; i < 5; ++i) threads.push_back(&machine.add());
    for (SimThread* thread : threads) machine.start_on(*thread, 0);
    machine.run_for(10 * kSecond);
    uint64_t fair = 10 * kSecond / threads.size();
    for (SimThread* thread : threads) {
        EXPECT_NEAR(double(thread->entity.runtime_ns), double(fair), 0.05 * fair);
        // Deadline order is not round-robin, but nobody waits much longer than a round.
        EXPECT_LE(thread->longest_wait, 2 * 5 * kDefaultSliceNs);
    }
}

// Threads do not rotate between CPUs to even out a split that can not be
// even (10 threads on 4 CPUs run 3/3/2/2): docs/scheduler.md, "Limits".
TEST(Policy, EqualThreadsShareFourCpusWithin5Percent) {
    Machine machine(4);
    std::vector<SimThread*> threads;
    for (int i = 0; i < 12; ++i) threads.push_back(&machine.add());
    for (SimThread* thread : threads) machine.start(*thread);
    machine.run_for(10 * kSecond);
    uint64_t fair = 4 * 10 * kSecond / threads.size();
    for (SimThread* thread : threads) EXPECT_NEAR(double(thread->entity.runtime_ns), double(fair), 0.05 * fair);
}

TEST(Policy, WeightsAreRespectedWithin5Percent) {
    Machine machine(1);
    const int nices[] = {-5, 0, 0, 3, 10};
    std::vector<SimThread*> threads;
    uint64_t total_weight = 0;
    for (int nice : nices) {
        threads.push_back(&machine.add(nice));
        total_weight += weight_of_nice(nice);
    }
    for (SimThread* thread : threads) machine.start_on(*thread, 0);
    machine.run_for(20 * kSecond);
    for (SimThread* thread : threads) {
        double expected = double(thread->entity.weight) / double(total_weight);
        double got = share(*thread, 20 * kSecond);
        EXPECT_NEAR(got, expected, 0.05 * expected) << "nice " << int(thread->entity.nice);
    }
}

TEST(Policy, TheLightestThreadIsNotStarvedByTheHeaviest) {
    Machine machine(1);
    SimThread& heavy = machine.add(-20);
    SimThread& light = machine.add(19);
    machine.start_on(heavy, 0);
    machine.start_on(light, 0);
    machine.run_for(60 * kSecond);
    // Its share (1 : 5900) is 10 ms of the minute, and it gets it to
    // within one slice and one tick (the tick is when a slice's end is seen).
    double expected = 60.0 * kSecond * weight_of_nice(19) / (weight_of_nice(19) + weight_of_nice(-20));
    EXPECT_GT(light.entity.runtime_ns, 0u);
    EXPECT_NEAR(double(light.entity.runtime_ns), expected, double(kDefaultSliceNs + kTick));
    // Between its slices the heavy one runs until it has caught up in
    // virtual time: (3 ms + a tick) * 88817 / 15 = 23.7 s.
    EXPECT_LE(light.longest_wait, (kDefaultSliceNs + kTick) * weight_of_nice(-20) / weight_of_nice(19) + kTick);
}

TEST(Policy, NoStarvationAmongWakersAndHogs) {
    // Interactive threads (0.5 ms of work, then 2 to 2.3 ms of sleep) wake
    // and preempt all the time; the CPU-bound threads still get the rest,
    // evenly, and nobody waits long.
    Machine machine(2);
    std::vector<SimThread*> hogs, interactive;
    for (int i = 0; i < 4; ++i) hogs.push_back(&machine.add());
    for (int i = 0; i < 4; ++i) interactive.push_back(&machine.add(0, 500 * kUs, 2 * kMs + i * 100 * kUs));
    for (SimThread* thread : hogs) machine.start(*thread);
    for (SimThread* thread : interactive) machine.start(*thread);
    machine.run_for(10 * kSecond);
    uint64_t hog_total = 0;
    for (SimThread* thread : hogs) hog_total += thread->entity.runtime_ns;
    for (SimThread* thread : hogs) {
        EXPECT_NEAR(double(thread->entity.runtime_ns), hog_total / 4.0, 0.05 * hog_total / 4.0);
        EXPECT_LE(thread->longest_wait, 50 * kMs);
    }
    for (SimThread* thread : interactive) {
        // It asks for burst / (burst + sleep) of a CPU (at most 20 %), less
        // than a fair quarter. A woken thread waits at most until the end of
        // the running one's slice is seen, at the next tick: so it gets at
        // least burst / (burst + sleep + tick).
        double least = double(thread->burst) / double(thread->burst + thread->sleep + kTick);
        EXPECT_GT(share(*thread, 10 * kSecond), least) << "a sleeper gets what it asks for";
        EXPECT_LE(thread->longest_wait, 10 * kMs) << "woken sleepers run soon";
    }
}

TEST(Policy, ALongSleeperComesBackWithBoundedCredit) {
    Machine machine(1);
    SimThread& hog = machine.add();
    SimThread& sleeper = machine.add(0, 1 * kSecond, 5 * kSecond);  // runs 1 s, sleeps 5 s
    machine.start_on(hog, 0);
    machine.start_on(sleeper, 0);
    machine.run_for(30 * kSecond);
    // Whenever the sleeper is awake the two share the CPU; the sleeper's
    // credit from sleeping is at most two slices, so the hog never waits
    // long while the sleeper catches up.
    EXPECT_LE(hog.longest_wait, 4 * kDefaultSliceNs);
}

TEST(Policy, AffinityIsHonoured) {
    Machine machine(4);
    std::vector<SimThread*> pinned, free;
    for (int i = 0; i < 6; ++i) {
        SimThread& thread = machine.add();
        thread.entity.affinity = CpuSet::only(2);
        pinned.push_back(&thread);
    }
    for (int i = 0; i < 6; ++i) {
        SimThread& thread = machine.add(0, 3 * kMs, 1 * kMs);
        CpuSet allowed;
        allowed.add(0);
        allowed.add(1);
        allowed.add(2);
        thread.entity.affinity = allowed;
        free.push_back(&thread);
    }
    for (SimThread* thread : pinned) machine.start(*thread);
    for (SimThread* thread : free) machine.start(*thread);
    machine.run_for(5 * kSecond);
    for (SimThread* thread : pinned) EXPECT_EQ(thread->cpus_run_on, std::set<uint32_t>{2});
    for (SimThread* thread : free) {
        EXPECT_EQ(thread->cpus_run_on.count(3), 0u);
        EXPECT_GT(thread->entity.runtime_ns, 0u);
    }
    EXPECT_EQ(machine.idle_time(3), 5 * kSecond) << "nothing may run on CPU 3";
}

TEST(Policy, BalancingSpreadsThreadsStartedOnOneCpu) {
    Machine machine(4);
    std::vector<SimThread*> threads;
    for (int i = 0; i < 8; ++i) threads.push_back(&machine.add());
    for (SimThread* thread : threads) machine.start_on(*thread, 0);
    EXPECT_EQ(machine.counts(), (std::vector<uint32_t>{8, 0, 0, 0}));
    machine.run_for(100 * kMs);
    EXPECT_EQ(machine.counts(), (std::vector<uint32_t>{2, 2, 2, 2}));
    // From then on the threads share evenly.
    std::vector<uint64_t> before;
    for (SimThread* thread : threads) before.push_back(thread->entity.runtime_ns);
    machine.run_for(5 * kSecond);
    for (size_t i = 0; i < threads.size(); ++i) {
        uint64_t got = threads[i]->entity.runtime_ns - before[i];
        EXPECT_NEAR(double(got), 2.5 * kSecond, 0.05 * 2.5 * kSecond);
    }
}

TEST(Policy, PeriodicBalancingMovesWorkToAnIdleCpuOnlyWhenItHelps) {
    Machine machine(2);
    machine.set_balancing(false);
    SimThread& a = machine.add();
    SimThread& b = machine.add();
    SimThread& c = machine.add();
    machine.start_on(a, 0);
    machine.start_on(b, 0);
    machine.start_on(c, 1);
    machine.run_for(50 * kMs);
    EXPECT_EQ(machine.counts(), (std::vector<uint32_t>{2, 1}));
    machine.set_balancing(true);
    machine.run_for(50 * kMs);
    // 2 against 1 is as even as three threads get: no ping-pong.
    std::vector<uint32_t> counts = machine.counts();
    EXPECT_EQ(counts[0] + counts[1], 3u);
    EXPECT_TRUE((counts == std::vector<uint32_t>{2, 1}) || (counts == std::vector<uint32_t>{1, 2}));
}

TEST(Policy, AnIdleCpuStealsWork) {
    Machine machine(2);
    SimThread& sleeper = machine.add(0, 1 * kMs, 200 * kMs);
    std::vector<SimThread*> hogs;
    for (int i = 0; i < 3; ++i) hogs.push_back(&machine.add());
    machine.start_on(sleeper, 1);
    machine.set_balancing(false);
    for (SimThread* hog : hogs) machine.start_on(*hog, 0);
    machine.run_for(10 * kMs);
    EXPECT_EQ(machine.counts(), (std::vector<uint32_t>{3, 0}));
    EXPECT_GT(machine.idle_time(1), 0u);
    machine.set_balancing(true);  // CPU 1 is idle: its next look steals
    machine.run_for(1 * kMs);
    EXPECT_GE(machine.counts()[1], 1u);
}

}  // namespace
}  // namespace sched
