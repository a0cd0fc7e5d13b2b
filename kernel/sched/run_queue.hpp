// One CPU's run queue under the fair policy: EEVDF, "earliest eligible
// virtual deadline first" (Stoica & Abdel-Wahab, 1995; Linux's fair class
// since 6.6). docs/scheduler.md explains the policy with a picture; in short:
//
//   - Each runnable entity has a weight w (from its nice level) and a virtual
//     runtime v that grows by (real time run) * 1024 / w, so heavier entities
//     age more slowly and get more CPU.
//   - V is the queue's weighted average of v. An entity with v <= V has
//     received no more than its fair share: it is *eligible*.
//   - Each entity asks for a slice r of real time; its virtual deadline is
//     d = v + r * 1024 / w when it makes the request.
//   - pick: the eligible entity with the earliest virtual deadline.
//   - An entity that leaves the queue (sleeps, migrates) keeps its *lag*
//     V - v, and comes back at v = V - lag: a sleeper neither loses the
//     service it was owed nor can it bank credit beyond a bound. A debt
//     (negative lag) is paid off by sleeping, as if the sleeper had stayed
//     in the average until it was eligible again.
//   - A thread that sleeps after short bursts asks for slices as short as
//     its bursts: its deadlines come early, so it runs soon after waking,
//     yet it gets no more than its share (EEVDF's bound holds for any
//     request size).
//
// Pure logic: the caller passes the time (ns) and does the locking. The host
// tests drive it on a simulated clock (run_queue_test.cpp,
// policy_simulation_test.cpp); kernel/sched/scheduler.cpp drives it on the
// real clock, one RunQueue per CPU under that CPU's run-queue lock.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/sched/cpu_set.hpp"
#include "kernel/sched/weights.hpp"
#include "lib/intrusive_list.hpp"

namespace sched {

// The slice a thread asks for by default: it runs at most this long before
// the queue is asked again who should run (3 ms, Linux's base slice order).
inline constexpr uint64_t kDefaultSliceNs = 3'000'000;
// The shortest request of a thread that sleeps after short bursts.
inline constexpr uint64_t kMinSliceNs = 100'000;

struct RunQueueTag;

namespace run_queue_detail {
// Virtual times and deadlines are compared through signed differences.
inline int64_t difference(uint64_t a, uint64_t b) {
    return static_cast<int64_t>(a - b);
}

// a / b and a % b (b > 0). On x86-64 one DIV: clang's generic x86-64 tuning
// would first test whether both fit in 32 bits (for the faster 32-bit DIV
// of older CPUs), five instructions on every switch's path
// (docs/scheduler.md, "Costs").
struct Quotient {
    uint64_t quotient;
    uint64_t remainder;
};
inline Quotient divide(uint64_t a, uint64_t b) {
#if defined(__x86_64__)
    uint64_t quotient, remainder;
    // "r": clang turns "rm" into a stack slot.
    asm("divq %[b]" : "=a"(quotient), "=d"(remainder) : "a"(a), "d"(uint64_t(0)), [b] "r"(b) : "cc");
    return {quotient, remainder};
#else
    return {a / b, a % b};
#endif
}
}  // namespace run_queue_detail

// The scheduling state of one thread (embedded in it).
struct Entity : lib::ListNode<RunQueueTag> {
    uint32_t weight = kNiceZeroWeight;
    int8_t nice = 0;
    uint64_t slice_ns = kDefaultSliceNs;

    // Virtual time (ns scaled by 1024 / weight). Compared through signed
    // differences, so wrapping around 2^64 is harmless.
    uint64_t vruntime = 0;
    uint64_t deadline = 0;
    // V - vruntime when it last left a queue, in virtual ns (0 for a new one).
    int64_t lag = 0;

    uint64_t exec_start_ns = 0;  // when it was last put on a CPU (or charged)
    uint64_t runtime_ns = 0;     // CPU time received in total
    uint64_t switches_in = 0;    // how often it was picked
    uint64_t burst_start_runtime_ns = 0;  // runtime_ns when it last woke
    uint64_t average_burst_ns = kDefaultSliceNs;  // CPU time between wake-up and sleep, averaged
    uint64_t sleep_start_ns = 0;  // when it last went to sleep (0: it did not)

    CpuSet affinity = CpuSet::all();
    uint32_t cpu = 0;          // the queue it is on, or last ran on
    bool on_queue = false;     // counted by a queue (waiting in it or its current)

    void set_nice(int value) {
        nice = static_cast<int8_t>(clamp_nice(value));
        weight = weight_of_nice(nice);
    }
};

class RunQueue {
public:
    explicit RunQueue(uint32_t cpu = 0) : cpu_(cpu) {}
    RunQueue(const RunQueue&) = delete;
    RunQueue& operator=(const RunQueue&) = delete;

    uint32_t cpu() const { return cpu_; }
    // Entities on this queue, the running one included.
    uint32_t nr_running() const { return nr_running_; }
    // Their total weight.
    uint64_t load() const { return load_; }
    // The entity on the CPU (it is counted but not in the waiting list).
    Entity* current() const { return current_; }
    // Entities waiting (not current), by increasing deadline.
    const lib::IntrusiveList<Entity, RunQueueTag>& waiting() const { return waiting_; }

    // Makes `entity` runnable here at its lag (0 for a new entity): v = V -
    // lag, and a fresh deadline. Charges the current entity first.
    void enqueue(Entity& entity, uint64_t now_ns);

    // Takes `entity` (waiting, or the current one) off this queue and
    // remembers its lag for the next enqueue, here or on another CPU.
    // `sleeping`: it blocks (rather than migrates), so its burst ends and
    // its sleep starts.
    void dequeue(Entity& entity, uint64_t now_ns, bool sleeping = false);

    // Charges the current entity for the time since it was last charged.
    // When it has used the slice it asked for, it asks for the next one
    // (a new deadline) and this returns true: the caller should reschedule.
    bool update_current(uint64_t now_ns);
    // Whether the current entity's slice ran out since the last pick_next()
    // (also when that was noticed by an enqueue's charge, not the tick's).
    bool slice_expired() const { return slice_expired_; }

    // The scheduling decision: puts the current entity (if it is still on
    // the queue) back among the waiting ones and makes the eligible entity
    // with the earliest deadline current. nullptr: nothing to run (idle).
    Entity* pick_next(uint64_t now_ns);
    // pick_next() for a caller that has just charged the current entity at
    // now_ns (update_current, yield_current): the same decision without a
    // second charge.
    Entity* pick_charged(uint64_t now_ns);

    // The current entity gives up the rest of its slice: its deadline moves
    // one slice later. The caller then calls pick_next().
    void yield_current(uint64_t now_ns);

    // Whether `woken` (just enqueued here) should take the CPU from the
    // current entity now: it is eligible and its deadline comes first.
    bool should_preempt(const Entity& woken) const;

    // Balancing: the waiting entity (never the current one) that migrates
    // best to `dst_cpu`: allowed there, weight at most `max_weight`, latest
    // deadline first (least urgent, likely the coldest cache). nullptr if none.
    Entity* migration_candidate(uint32_t dst_cpu, uint64_t max_weight) const;

    // The weighted average virtual runtime V (rounded down).
    uint64_t average_vruntime() const;
    // v <= V, exactly (no rounding): the entity has had no more than its share.
    bool eligible(const Entity& entity) const;

    // Virtual time of `ns` of real time at `weight`.
    static uint64_t virtual_time(uint64_t ns, uint32_t weight) {
        return weight == kNiceZeroWeight ? ns : ns * kNiceZeroWeight / weight;
    }

private:
    bool charge(Entity& entity, uint64_t now_ns);
    // pick_charged's general case: the choice, and the current entity back
    // in the list if another one was chosen (nullptr: none).
    template <typename Eligible>
    [[gnu::always_inline]] Entity* pick_among_waiting(Entity* current, Eligible counted_eligible);
    void add_to_average(const Entity& entity);
    void remove_from_average(const Entity& entity);
    void normalize();
    void normalize_negative();  // normalize() when sum_ < 0 (a dequeue's), out of line
    void insert_waiting(Entity& entity);

    uint32_t cpu_;
    Entity* current_ = nullptr;
    lib::IntrusiveList<Entity, RunQueueTag> waiting_;
    uint32_t nr_running_ = 0;
    uint64_t load_ = 0;
    // V = base_ + sum_ / load_, where sum_ = Σ w_i (v_i - base_) over the
    // entities counted. normalize() keeps base_ at floor(V), so sum_ stays in
    // [0, load_) and the differences v_i - base_ stay small (a few slices).
    uint64_t base_ = 0;
    int64_t sum_ = 0;
    bool slice_expired_ = false;
};

// The scheduler's hot path (schedule() runs these on every switch),
// inline so that it is one function; the rest is in run_queue.cpp.

inline void RunQueue::normalize() {
    if (load_ == 0) {
        sum_ = 0;
        return;
    }
    if (sum_ >= 0) {
        // The common case (a charge only adds): floor division is the
        // unsigned one, without floor_div's sign fix-ups.
        uint64_t shift = static_cast<uint64_t>(sum_) / load_;
        base_ += shift;
        sum_ -= static_cast<int64_t>(shift * load_);
        return;
    }
    normalize_negative();
}

inline uint64_t RunQueue::average_vruntime() const {
    // normalize() ran after every change, so sum_ / load_ < 1: V rounds to base_.
    return base_;
}

inline bool RunQueue::eligible(const Entity& entity) const {
    // v <= base + sum/load  <=>  (v - base) * load <= sum  (load > 0).
    // normalize() ran after every change, so 0 <= sum < load: v - base <= 0
    // makes the left side at most 0 <= sum, and v - base >= 1 makes it at
    // least load > sum. The test is exact without the 128-bit product.
    return load_ == 0 || run_queue_detail::difference(entity.vruntime, base_) <= 0;
}

inline void RunQueue::insert_waiting(Entity& entity) {
    waiting_.insert_sorted(entity, [](const Entity& a, const Entity& b) {
        return run_queue_detail::difference(a.deadline, b.deadline) < 0;
    });
}

// Charges the current entity `entity` for the time since it was last
// charged. false: no time has passed (nothing changed).
inline bool RunQueue::charge(Entity& entity, uint64_t now_ns) {
    int64_t delta = run_queue_detail::difference(now_ns, entity.exec_start_ns);
    if (delta <= 0) return false;
    entity.exec_start_ns = now_ns;
    entity.runtime_ns += static_cast<uint64_t>(delta);
    uint64_t advance = virtual_time(static_cast<uint64_t>(delta), entity.weight);
    entity.vruntime += advance;
    sum_ += static_cast<int64_t>(entity.weight) * static_cast<int64_t>(advance);
    // normalize() without its other cases: the entity is counted (load_ >
    // 0), and sum_ only grew from [0, load_) (it stays below 2^63 unless a
    // charge covers some 100 days: the tick charges every few ms).
    run_queue_detail::Quotient shift = run_queue_detail::divide(static_cast<uint64_t>(sum_), load_);
    base_ += shift.quotient;
    sum_ = static_cast<int64_t>(shift.remainder);
    return true;
}

inline bool RunQueue::update_current(uint64_t now_ns) {
    Entity* entity = current_;
    if (!entity || !charge(*entity, now_ns)) return false;
    if (run_queue_detail::difference(entity->vruntime, entity->deadline) < 0) return false;
    // The slice it asked for is used up: it asks for the next one.
    slice_expired_ = true;
    entity->deadline = entity->vruntime + virtual_time(entity->slice_ns, entity->weight);
    return true;
}

[[gnu::always_inline]] inline Entity* RunQueue::pick_next(uint64_t now_ns) {
    update_current(now_ns);
    return pick_charged(now_ns);
}

template <typename Eligible>
[[gnu::always_inline]] inline Entity* RunQueue::pick_among_waiting(Entity* current, Eligible counted_eligible) {
    Entity* chosen = nullptr;
    for (Entity& entity : waiting_) {
        if (counted_eligible(entity)) {
            chosen = &entity;
            break;
        }
    }
    if (current && counted_eligible(*current) &&
        (!chosen || run_queue_detail::difference(current->deadline, chosen->deadline) < 0)) {
        chosen = current;
    } else if (!chosen) {
        // Nothing eligible (not expected): the earliest deadline.
        Entity* front = waiting_.front();
        chosen = current && (!front || run_queue_detail::difference(current->deadline, front->deadline) < 0) ? current
                                                                                                             : front;
    }
    if (!chosen) return nullptr;
    if (chosen != current) {
        if (current) {
            // Where insert_waiting would put the current entity once the
            // chosen one is out (after equal deadlines, before later
            // ones): the chosen one's place when its neighbours allow,
            // as always with one entity waiting (two sharing a CPU).
            Entity* before = waiting_.prev(*chosen);
            Entity* after = waiting_.next(*chosen);
            if ((!before || run_queue_detail::difference(before->deadline, current->deadline) <= 0) &&
                (!after || run_queue_detail::difference(current->deadline, after->deadline) < 0)) {
                waiting_.replace(*chosen, *current);
            } else {
                insert_waiting(*current);
                waiting_.remove(*chosen);
            }
        } else {
            waiting_.remove(*chosen);
        }
        current_ = chosen;
    }
    return chosen;
}

[[gnu::always_inline]] inline Entity* RunQueue::pick_charged(uint64_t now_ns) {
    slice_expired_ = false;
    // Earliest deadline first among the eligible, the current entity
    // counted as if it were back among the waiting ones, after those with
    // an equal deadline (where insert_waiting would put it). Some entity is
    // always eligible (the one with the smallest v is at or below the
    // average), so the walk ends at the latest there. The current entity
    // is put back in the list only when another one is chosen.
    // (An entity counted here means load_ > 0: eligibility is the one
    // comparison of eligible() without its empty-queue case.)
    Entity* current = current_;
    auto counted_eligible = [this](const Entity& entity) {
        return run_queue_detail::difference(entity.vruntime, base_) <= 0;
    };
    auto start = [this, now_ns](Entity* chosen) {
        chosen->exec_start_ns = now_ns;
        chosen->cpu = cpu_;
        ++chosen->switches_in;
        return chosen;
    };
    if (current && waiting_.size() == 1) {
        // Two entities sharing a CPU, the most common switch (every yield
        // of a ping-pong): the rule below, for a pair, orders them by
        // eligibility first and deadline second, the current entity first
        // only when strictly ahead; the other one takes the current one's
        // place with one list swap (docs/scheduler.md, "Costs").
        Entity* other = &*waiting_.begin();
        bool earlier = run_queue_detail::difference(current->deadline, other->deadline) < 0;
        if (counted_eligible(*current) ? !counted_eligible(*other) || earlier
                                       : !counted_eligible(*other) && earlier)
            return start(current);
        waiting_.replace_only(*other, *current);
        current_ = other;
        return start(other);
    }
    Entity* chosen = pick_among_waiting(current, counted_eligible);
    return chosen ? start(chosen) : nullptr;
}

inline void RunQueue::yield_current(uint64_t now_ns) {
    // update_current() and then the deadline one slice later, in one pass
    // (the entity and its virtual slice found once): the same result.
    Entity* entity = current_;
    if (!entity) return;
    bool charged = charge(*entity, now_ns);
    uint64_t slice = virtual_time(entity->slice_ns, entity->weight);
    if (charged && run_queue_detail::difference(entity->vruntime, entity->deadline) >= 0) {
        slice_expired_ = true;
        entity->deadline = entity->vruntime + slice;  // update_current's new request
    }
    entity->deadline += slice;
}

}  // namespace sched
