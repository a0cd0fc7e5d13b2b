// Wait queues, timeouts and sleeps; see wait_queue.hpp.
#include "kernel/sched/wait_queue.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/debug/assert.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/sched/internal.hpp"
#include "kernel/time/time.hpp"

namespace sched {
namespace {

// The timer of a wait with a deadline: armed on the CPU the wait starts on
// (ktime's per-CPU deadline lists); it wakes the thread wherever it is.
void on_timeout(void* context) {
    Thread* thread = static_cast<Thread*>(context);
    wake_thread(thread, WakeReason::kTimeout);
    // The last touch of the thread: from here on it may end and be freed.
    __atomic_store_n(&thread->timer_running_, false, __ATOMIC_RELEASE);
}

void arm_timeout(Thread* self, uint64_t deadline_ns) {
    self->timed_out_ = false;
    __atomic_store_n(&self->timer_running_, true, __ATOMIC_RELAXED);
    if (!ktime::arm_deadline(self->timer_, deadline_ns, on_timeout, self)) {
        // No timer on this CPU (not before ktime runs): the deadline is
        // checked on every wake-up instead.
        __atomic_store_n(&self->timer_running_, false, __ATOMIC_RELAXED);
    }
}

// After the wait: the timer is off, and its callback no longer runs
// (cancel_deadline takes it off the list of whichever CPU armed it; if it
// had already fired, its callback may still be running there).
void disarm_timeout(Thread* self) {
    if (ktime::cancel_deadline(self->timer_)) __atomic_store_n(&self->timer_running_, false, __ATOMIC_RELAXED);
    while (__atomic_load_n(&self->timer_running_, __ATOMIC_ACQUIRE)) arch::pause();
}

}  // namespace

WaitOptions WaitOptions::timeout(uint64_t ns) {
    return WaitOptions{ktime::now_ns() + ns, false};
}

#if DEBUG_ASSERTS_ENABLED
void might_sleep(const char* what) {
    if (!arch::current_thread()) PANIC("{}: blocking before the scheduler runs", what);
    if (arch::in_interrupt()) PANIC("{}: blocking in an interrupt handler", what);
    if (!arch::interrupts_enabled())
        PANIC("{}: blocking with interrupts off (a ksync::Spinlock held?) in thread {}", what, current()->name());
    if (arch::preempt_count() != 0)
        PANIC("{}: blocking with preemption disabled (count {}: a SpinlockNoIrq or PreemptGuard held) in thread {}",
              what, arch::preempt_count(), current()->name());
}
#endif

lib::Expected<void> WaitQueue::wait_slow(bool (*predicate)(void*), void* context, const WaitOptions& options,
                                         bool exclusive) {
    might_sleep(name_);
    Thread* self = current();
    Waiter waiter;
    waiter.thread = self;
    waiter.exclusive = exclusive;
    bool timed = options.deadline_ns != kNoDeadline;
    if (timed) arm_timeout(self, options.deadline_ns);
    lib::Expected<void> result{};
    for (;;) {
        {
            auto state = lock_.lock();
            if (!waiter.linked()) waiters_.push_back(waiter);
            // Blocked before the predicate is looked at: a wake-up between
            // here and the switch makes the switch not block.
            set_current_waiting(name_, options.interruptible);
            lock_.unlock(state);
        }
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (predicate(context)) break;
        if (options.interruptible && __atomic_load_n(&self->interrupt_pending_, __ATOMIC_ACQUIRE)) {
            result = lib::Error::make(lib::Errno::kEINTR, "interrupted");
            break;
        }
        if (timed && (__atomic_load_n(&self->timed_out_, __ATOMIC_ACQUIRE) || ktime::now_ns() >= options.deadline_ns)) {
            result = lib::Error::make(lib::Errno::kETIMEDOUT, "timed out");
            break;
        }
        block_current();
    }
    bool was_queued;
    {
        auto state = lock_.lock();
        was_queued = waiter.linked();
        if (was_queued) waiters_.remove(waiter);
        set_current_running();
        lock_.unlock(state);
    }
    if (timed) disarm_timeout(self);
    // An exclusive waiter that a wake_one() chose (it is no longer queued)
    // but that leaves without its condition passes the wake-up on, or it
    // would be lost for the waiters behind it.
    if (!result && exclusive && !was_queued) wake_one();
    return result;
}

uint32_t WaitQueue::wake(bool all) {
    // Nobody queued: nothing to take the lock for. The fence orders the
    // caller's stores (what makes the predicate true) before the look at
    // the list, as wait_slow's fence orders its queueing before its look at
    // the predicate: a waiter that this look misses sees the predicate true
    // (Linux's wq_has_sleeper).
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (waiters_.empty()) return 0;
    uint32_t woken = 0;
    auto state = lock_.lock();
    for (Waiter* waiter = waiters_.front(); waiter;) {
        Waiter* next = waiters_.next(*waiter);
        waiters_.remove(*waiter);
        if (wake_thread(waiter->thread, WakeReason::kNormal)) ++woken;
        if (!all && waiter->exclusive) break;
        waiter = next;
    }
    lock_.unlock(state);
    return woken;
}

uint32_t WaitQueue::wake_one() {
    return wake(false);
}

uint32_t WaitQueue::wake_all() {
    return wake(true);
}

namespace {
WaitQueue g_sleepers{"sleep"};
}

void sleep_until(uint64_t deadline_ns) {
    while (ktime::now_ns() < deadline_ns) {
        (void)g_sleepers.wait_event([] { return false; }, WaitOptions{deadline_ns, false});
    }
}

void sleep_for(uint64_t ns) {
    sleep_until(ktime::now_ns() + ns);
}

lib::Expected<void> sleep_until_interruptible(uint64_t deadline_ns) {
    while (ktime::now_ns() < deadline_ns) {
        auto slept = g_sleepers.wait_event([] { return false; }, WaitOptions{deadline_ns, true});
        if (!slept && slept.error().code == lib::Errno::kEINTR) return slept;
    }
    return {};
}

}  // namespace sched
