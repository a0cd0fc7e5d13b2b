// EEVDF run queue; see run_queue.hpp and docs/scheduler.md.
#include "kernel/sched/run_queue.hpp"

namespace sched {
namespace {

using run_queue_detail::difference;

// A sleeper may come back at most this far ahead of (or behind) the average:
// two of its slices. Without a bound, a thread that slept for an hour while
// others were behind would return owed an hour; with none at all (lag
// forgotten), a thread could shed a debt by sleeping for a moment.
int64_t lag_limit(const Entity& entity) {
    return static_cast<int64_t>(RunQueue::virtual_time(2 * entity.slice_ns, entity.weight));
}

int64_t clamp(int64_t value, int64_t low, int64_t high) { return value < low ? low : value > high ? high : value; }

// Floor division (rounds towards minus infinity, unlike C++'s `/`).
int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

void RunQueue::add_to_average(const Entity& entity) {
    sum_ += static_cast<int64_t>(entity.weight) * difference(entity.vruntime, base_);
    load_ += entity.weight;
    ++nr_running_;
}

void RunQueue::remove_from_average(const Entity& entity) {
    sum_ -= static_cast<int64_t>(entity.weight) * difference(entity.vruntime, base_);
    load_ -= entity.weight;
    --nr_running_;
}

void RunQueue::normalize_negative() {
    int64_t shift = floor_div(sum_, static_cast<int64_t>(load_));
    base_ += static_cast<uint64_t>(shift);
    sum_ -= shift * static_cast<int64_t>(load_);
}

void RunQueue::enqueue(Entity& entity, uint64_t now_ns) {
    update_current(now_ns);
    if (entity.sleep_start_ns != 0) {
        // Back from sleep: a debt shrinks by the virtual time the sleep was
        // worth (the time others ran without it), credit stays.
        int64_t slept = difference(now_ns, entity.sleep_start_ns);
        if (entity.lag < 0 && slept > 0) {
            int64_t paid = static_cast<int64_t>(virtual_time(static_cast<uint64_t>(slept), entity.weight));
            entity.lag = paid >= -entity.lag ? 0 : entity.lag + paid;
        }
        entity.sleep_start_ns = 0;
        entity.burst_start_runtime_ns = entity.runtime_ns;
    }
    // Placing the entity changes V itself (it pulls the average towards
    // its own v); scaling the lag by (W + w) / W makes its lag *after*
    // joining equal to the lag it left with.
    // |lag| is at most two slices at the lightest weight (< 2^29) and the
    // load below 2^34 (a million threads at the heaviest weight), so the
    // product fits in 64 bits.
    int64_t lag = entity.lag;
    if (load_ > 0) lag = lag * static_cast<int64_t>(load_ + entity.weight) / static_cast<int64_t>(load_);
    entity.vruntime = average_vruntime() - static_cast<uint64_t>(lag);
    entity.deadline = entity.vruntime + virtual_time(entity.slice_ns, entity.weight);
    entity.cpu = cpu_;
    entity.on_queue = true;
    add_to_average(entity);
    normalize();
    insert_waiting(entity);
}

void RunQueue::dequeue(Entity& entity, uint64_t now_ns, bool sleeping) {
    if (&entity == current_) update_current(now_ns);
    if (sleeping) {
        // The request follows the bursts: a quarter of the newest burst
        // and three quarters of the past average.
        uint64_t burst = entity.runtime_ns - entity.burst_start_runtime_ns;
        entity.average_burst_ns = (3 * entity.average_burst_ns + burst) / 4;
        uint64_t request = entity.average_burst_ns;
        entity.slice_ns = request < kMinSliceNs ? kMinSliceNs : request > kDefaultSliceNs ? kDefaultSliceNs : request;
        entity.sleep_start_ns = now_ns != 0 ? now_ns : 1;
    }
    // V with the entity still counted: its lag is measured against the
    // queue it was part of.
    int64_t limit = lag_limit(entity);
    int64_t exact_lag = difference(average_vruntime(), entity.vruntime);
    entity.lag = clamp(exact_lag, -limit, limit);
    remove_from_average(entity);
    normalize();
    if (&entity == current_)
        current_ = nullptr;
    else
        waiting_.remove(entity);
    entity.on_queue = false;
}

bool RunQueue::should_preempt(const Entity& woken) const {
    if (!current_) return true;
    return eligible(woken) && difference(woken.deadline, current_->deadline) < 0;
}

Entity* RunQueue::migration_candidate(uint32_t dst_cpu, uint64_t max_weight) const {
    for (Entity* entity = waiting_.back(); entity; entity = waiting_.prev(*entity))
        if (entity->affinity.contains(dst_cpu) && entity->weight <= max_weight) return entity;
    return nullptr;
}

}  // namespace sched
