// Sleeping locks and events; see sync.hpp.
#include "kernel/sched/sync.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/sched/internal.hpp"

namespace sched {
namespace {

// How long a waiter spins while the owner runs before it sleeps.
constexpr uint32_t kAdaptiveSpins = 2000;

#if DEBUG_ASSERTS_ENABLED
// Follows "waits for mutex → its owner → the mutex that owner waits for
// → ..." from `mutex`; reaching `self` is a deadlock. The chain is read
// without locks (only threads in it are blocked, so it is stable where it
// matters); the walk is bounded against a chain that changes under it.
void check_deadlock(const Mutex& wanted, Thread* self) {
    const Mutex* mutex = &wanted;
    for (int depth = 0; depth < 64 && mutex; ++depth) {
        Thread* owner = mutex->owner();
        if (!owner) return;
        if (owner == self) {
            // Name the cycle: each thread with the mutex it holds and the one it waits for.
            klog::error("sched: deadlock: thread {} waits for mutex '{}'", self->name(), wanted.name());
            const Mutex* m = &wanted;
            for (int i = 0; i < 64 && m; ++i) {
                Thread* t = m->owner();
                if (!t) break;
                const Mutex* next = static_cast<const Mutex*>(__atomic_load_n(&t->blocked_on_mutex_, __ATOMIC_ACQUIRE));
                klog::error("  mutex '{}' is held by thread {}{}{}", m->name(), t->name(),
                            next ? ", which waits for mutex " : "", next ? next->name() : "");
                if (t == self) break;
                m = next;
            }
            PANIC("sched: deadlock between mutexes: thread {} waits for '{}' held by {}", self->name(), wanted.name(),
                  wanted.owner() ? wanted.owner()->name() : "?");
        }
        mutex = static_cast<const Mutex*>(__atomic_load_n(&owner->blocked_on_mutex_, __ATOMIC_SEQ_CST));
    }
}
#endif

}  // namespace

bool Mutex::try_lock() {
    Thread* expected = nullptr;
    return __atomic_compare_exchange_n(&owner_, &expected, current(), false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

void Mutex::lock() {
    might_sleep(name_);
    if (try_lock()) return;  // free: no options to look at
    (void)lock(WaitOptions{});
}

lib::Expected<void> Mutex::lock(const WaitOptions& options) {
    might_sleep(name_);
    if (try_lock()) return {};
    Thread* self = current();
#if DEBUG_ASSERTS_ENABLED
    if (owner() == self) PANIC("sched: thread {} locks mutex '{}' it already holds", self->name(), name_);
#endif
    // Adaptive: while the owner is on a CPU it will likely let go soon.
    for (uint32_t spins = 0; spins < kAdaptiveSpins; ++spins) {
        Thread* holder = owner();
        if (!holder) {
            if (try_lock()) return {};
            continue;
        }
        if (!__atomic_load_n(&holder->on_cpu_, __ATOMIC_RELAXED)) break;
        arch::pause();
    }
    __atomic_store_n(&self->blocked_on_mutex_, this, __ATOMIC_SEQ_CST);
#if DEBUG_ASSERTS_ENABLED
    check_deadlock(*this, self);
#endif
    auto locked = waiters_.wait_event_exclusive([this] { return try_lock(); }, options);
    __atomic_store_n(&self->blocked_on_mutex_, nullptr, __ATOMIC_RELEASE);
    return locked;
}

void Mutex::unlock() {
#if DEBUG_ASSERTS_ENABLED
    if (owner() != current())
        PANIC("sched: thread {} unlocks mutex '{}' held by {}", current()->name(), name_,
              owner() ? owner()->name() : "nobody");
#endif
    // The exchange is a full barrier: the waiter queued itself (under the
    // queue's lock) before it tried the lock, so either it saw the mutex
    // free or it is on the queue now.
    __atomic_exchange_n(&owner_, nullptr, __ATOMIC_SEQ_CST);
    if (waiters_.has_waiters()) waiters_.wake_one();
}

bool Semaphore::try_down() {
    int64_t value = __atomic_load_n(&count_, __ATOMIC_ACQUIRE);
    while (value > 0) {
        if (__atomic_compare_exchange_n(&count_, &value, value - 1, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
            return true;
    }
    return false;
}

void Semaphore::down() {
    (void)down(WaitOptions{});
}

lib::Expected<void> Semaphore::down(const WaitOptions& options) {
    if (try_down()) return {};
    return waiters_.wait_event_exclusive([this] { return try_down(); }, options);
}

void Semaphore::up(int64_t n) {
    __atomic_fetch_add(&count_, n, __ATOMIC_SEQ_CST);
    for (int64_t i = 0; i < n; ++i)
        if (waiters_.wake_one() == 0) break;
}

void CondVar::wait(Mutex& mutex) {
    (void)wait(mutex, WaitOptions{});
}

lib::Expected<void> CondVar::wait(Mutex& mutex, const WaitOptions& options) {
    // The sequence is read with the mutex held: a signal after the unlock
    // below changes it, which the predicate sees.
    uint64_t seen = __atomic_load_n(&sequence_, __ATOMIC_ACQUIRE);
    mutex.unlock();
    auto waited = waiters_.wait_event_exclusive(
        [this, seen] { return __atomic_load_n(&sequence_, __ATOMIC_ACQUIRE) != seen; }, options);
    mutex.lock();
    return waited;
}

void CondVar::signal() {
    __atomic_fetch_add(&sequence_, 1, __ATOMIC_SEQ_CST);
    waiters_.wake_one();
}

void CondVar::broadcast() {
    __atomic_fetch_add(&sequence_, 1, __ATOMIC_SEQ_CST);
    waiters_.wake_all();
}

void Completion::wait() {
    (void)wait(WaitOptions{});
}

lib::Expected<void> Completion::wait(const WaitOptions& options) {
    return waiters_.wait_event([this] { return done(); }, options);
}

void Completion::complete() {
    __atomic_store_n(&done_, true, __ATOMIC_SEQ_CST);
    waiters_.wake_all();
}

bool RwLock::try_lock_shared() {
    int64_t value = __atomic_load_n(&state_, __ATOMIC_ACQUIRE);
    while (value >= 0 && __atomic_load_n(&writers_waiting_, __ATOMIC_ACQUIRE) == 0) {
        if (__atomic_compare_exchange_n(&state_, &value, value + 1, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
            return true;
    }
    return false;
}

bool RwLock::try_lock() {
    int64_t expected = 0;
    return __atomic_compare_exchange_n(&state_, &expected, -1, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

void RwLock::lock_shared() {
    might_sleep("RwLock::lock_shared");
    if (try_lock_shared()) return;
    (void)waiters_.wait_event([this] { return try_lock_shared(); });
}

void RwLock::unlock_shared() {
    DEBUG_ASSERT(__atomic_load_n(&state_, __ATOMIC_RELAXED) > 0);
    if (__atomic_sub_fetch(&state_, 1, __ATOMIC_SEQ_CST) == 0) waiters_.wake_all();
}

void RwLock::lock() {
    might_sleep("RwLock::lock");
    if (try_lock()) return;
    __atomic_fetch_add(&writers_waiting_, 1, __ATOMIC_SEQ_CST);
    (void)waiters_.wait_event([this] { return try_lock(); });
    // Readers held back by this writer may go once it has the lock (they
    // then wait for the lock to be free).
    __atomic_fetch_sub(&writers_waiting_, 1, __ATOMIC_SEQ_CST);
}

void RwLock::unlock() {
    DEBUG_ASSERT(__atomic_load_n(&state_, __ATOMIC_RELAXED) == -1);
    __atomic_store_n(&state_, 0, __ATOMIC_SEQ_CST);
    waiters_.wake_all();
}

}  // namespace sched
