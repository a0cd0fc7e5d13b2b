// Wait queues: how a thread sleeps until something becomes true, and how
// whoever makes it true wakes it.
//
//   sched::WaitQueue g_ready{"ready"};
//   // waiter (thread context, no spinlock held, preemption enabled):
//   TRY(g_ready.wait_event([&] { return __atomic_load_n(&flag, __ATOMIC_ACQUIRE); }));
//   // waker (any context, interrupt handlers included):
//   __atomic_store_n(&flag, true, __ATOMIC_RELEASE);
//   g_ready.wake_all();
//
// No lost wake-ups: the waiter joins the queue and marks itself blocked
// *before* it evaluates the predicate, so a waker that made the predicate
// true either is seen by that evaluation or finds the waiter on the queue
// and makes it runnable again (then the waiter's switch away does not
// block). Predicates are evaluated without the queue's lock, any number of
// times; spurious wake-ups only cause another evaluation.
//
// Timeouts and interruptions (WaitOptions): kETIMEDOUT when the deadline
// passes, kEINTR when sched::interrupt() is pending for an interruptible
// wait — in both cases only if the predicate is still false.
//
// Sleeping where it is forbidden (interrupts off, preemption disabled, a
// spinlock held, inside an interrupt handler) panics in checked builds.
#pragma once

#include <stdint.h>

#include "kernel/debug/assert.hpp"
#include "kernel/sched/thread.hpp"
#include "kernel/sync/spinlock.hpp"
#include "lib/expected.hpp"
#include "lib/intrusive_list.hpp"

namespace sched {

inline constexpr uint64_t kNoDeadline = ~uint64_t(0);

struct WaitOptions {
    uint64_t deadline_ns = kNoDeadline;  // ktime::now_ns() time; kNoDeadline: none
    bool interruptible = false;
    static WaitOptions timeout(uint64_t ns);  // a deadline `ns` from now
    static WaitOptions interruptible_until(uint64_t deadline_ns = kNoDeadline) { return {deadline_ns, true}; }
};

struct WaiterTag;
struct Waiter : lib::ListNode<WaiterTag> {
    Thread* thread = nullptr;
    bool exclusive = false;  // wake_one() wakes only the first exclusive waiter (and every non-exclusive one before it)
};

class WaitQueue {
public:
    explicit WaitQueue(const char* name = "wait queue") : name_(name) {}
    WaitQueue(const WaitQueue&) = delete;
    WaitQueue& operator=(const WaitQueue&) = delete;

    // Waits until predicate() is true. Returns {} when it is, or kETIMEDOUT
    // / kEINTR as the options allow (the predicate was false then).
    template <typename Predicate>
    [[nodiscard]] lib::Expected<void> wait_event(Predicate&& predicate, const WaitOptions& options = {}) {
        if (predicate()) return {};
        return wait_slow(&call<Predicate>, &predicate, options, false);
    }
    // The same, but wake_one() wakes one such waiter at a time (mutexes,
    // semaphores: one hand-off wakes one thread).
    template <typename Predicate>
    [[nodiscard]] lib::Expected<void> wait_event_exclusive(Predicate&& predicate, const WaitOptions& options = {}) {
        if (predicate()) return {};
        return wait_slow(&call<Predicate>, &predicate, options, true);
    }

    // Wake the first exclusive waiter (and any non-exclusive ones queued
    // before it) / every waiter. From any context. Return how many threads
    // were made runnable.
    uint32_t wake_one();
    uint32_t wake_all();

    bool has_waiters() const { return !waiters_.empty(); }
    const char* name() const { return name_; }

private:
    template <typename Predicate>
    static bool call(void* predicate) {
        return (*static_cast<Predicate*>(predicate))();
    }
    lib::Expected<void> wait_slow(bool (*predicate)(void*), void* context, const WaitOptions& options,
                                  bool exclusive);
    uint32_t wake(bool all);

    ksync::Spinlock lock_;
    lib::IntrusiveList<Waiter, WaiterTag> waiters_;
    const char* name_;
};

// Sleeps until `deadline_ns` (ktime::now_ns() time) / for `ns`.
void sleep_until(uint64_t deadline_ns);
void sleep_for(uint64_t ns);
// The same, but ended early by sched::interrupt() with kEINTR.
[[nodiscard]] lib::Expected<void> sleep_until_interruptible(uint64_t deadline_ns);

// Panics (checked builds) when the caller may not sleep: interrupts off,
// preemption disabled (a SpinlockNoIrq held), in an interrupt handler, or
// no scheduler yet. `what` names the blocking call in the report.
#if DEBUG_ASSERTS_ENABLED
void might_sleep(const char* what);
#else
inline void might_sleep(const char*) {}
#endif

}  // namespace sched
