// Sleeping locks and events, built on wait queues (wait_queue.hpp): a
// thread that cannot go on blocks instead of spinning. All usable from any
// CPU; none loses a wake-up (each waits through WaitQueue::wait_event, whose
// predicate is the lock's own try-acquire). Blocking calls need thread
// context with no spinlock held (sched::might_sleep); the releasing calls
// of Semaphore, Completion and CondVar may also come from interrupt handlers.
//
//   sched::Mutex m{"inode"};
//   { sched::MutexGuard guard(m); ... }
//   sched::Completion done;  done.complete();  done.wait();
#pragma once

#include <stdint.h>

#include "kernel/sched/wait_queue.hpp"
#include "lib/expected.hpp"

namespace sched {

// A mutex with an owner: no recursion, unlocked only by its owner (both
// checked in checked builds), and, in checked builds, a deadlock check:
// a thread about to wait for a mutex whose owner waits (transitively) for
// one this thread holds panics with every owner in the cycle named.
// Before it sleeps, a waiter spins briefly while the owner runs on a CPU
// (adaptive: hand-offs between running threads avoid the sleep).
class Mutex {
public:
    explicit Mutex(const char* name = "mutex") : waiters_(name), name_(name) {}
    Mutex(const Mutex&) = delete;
    Mutex& operator=(const Mutex&) = delete;

    void lock();
    [[nodiscard]] bool try_lock();
    // kETIMEDOUT / kEINTR as the options allow.
    [[nodiscard]] lib::Expected<void> lock(const WaitOptions& options);
    void unlock();

    Thread* owner() const { return __atomic_load_n(&owner_, __ATOMIC_ACQUIRE); }
    bool held_by_current() const { return owner() == current(); }
    const char* name() const { return name_; }

private:
    Thread* owner_ = nullptr;
    WaitQueue waiters_;
    const char* name_;
};

class [[nodiscard]] MutexGuard {
public:
    explicit MutexGuard(Mutex& mutex) : mutex_(mutex) { mutex_.lock(); }
    ~MutexGuard() { mutex_.unlock(); }
    MutexGuard(const MutexGuard&) = delete;
    MutexGuard& operator=(const MutexGuard&) = delete;

private:
    Mutex& mutex_;
};

// A counting semaphore.
class Semaphore {
public:
    explicit Semaphore(int64_t count = 0, const char* name = "semaphore") : count_(count), waiters_(name) {}
    void down();
    [[nodiscard]] lib::Expected<void> down(const WaitOptions& options);
    [[nodiscard]] bool try_down();
    void up(int64_t n = 1);  // any context
    int64_t count() const { return __atomic_load_n(&count_, __ATOMIC_ACQUIRE); }

private:
    int64_t count_;
    WaitQueue waiters_;
};

// A condition variable used with a Mutex; wait() may return spuriously,
// so callers wait in a loop on their condition, as with POSIX's.
class CondVar {
public:
    explicit CondVar(const char* name = "condvar") : waiters_(name) {}
    void wait(Mutex& mutex);
    // kETIMEDOUT / kEINTR; the mutex is held again on return either way.
    [[nodiscard]] lib::Expected<void> wait(Mutex& mutex, const WaitOptions& options);
    void signal();      // wakes one waiter
    void broadcast();   // wakes every waiter

private:
    uint64_t sequence_ = 0;
    WaitQueue waiters_;
};

// A one-shot event (re-armable with reset()): wait() returns once
// complete() was called.
class Completion {
public:
    explicit Completion(const char* name = "completion") : waiters_(name) {}
    void wait();
    [[nodiscard]] lib::Expected<void> wait(const WaitOptions& options);
    void complete();  // any context
    bool done() const { return __atomic_load_n(&done_, __ATOMIC_ACQUIRE); }
    void reset() { __atomic_store_n(&done_, false, __ATOMIC_RELEASE); }

private:
    bool done_ = false;
    WaitQueue waiters_;
};

// Many readers or one writer. A waiting writer holds new readers back, so
// a stream of readers cannot starve it.
class RwLock {
public:
    explicit RwLock(const char* name = "rwlock") : waiters_(name) {}
    void lock_shared();
    void unlock_shared();
    void lock();
    void unlock();
    [[nodiscard]] bool try_lock_shared();
    [[nodiscard]] bool try_lock();
    int64_t readers() const { int64_t s = __atomic_load_n(&state_, __ATOMIC_ACQUIRE); return s > 0 ? s : 0; }
    bool write_locked() const { return __atomic_load_n(&state_, __ATOMIC_ACQUIRE) < 0; }

private:
    int64_t state_ = 0;            // > 0: readers; -1: a writer; 0: free
    uint32_t writers_waiting_ = 0;
    WaitQueue waiters_;
};

}  // namespace sched
