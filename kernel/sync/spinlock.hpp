// Spinlocks, taken only through an RAII guard (docs/architecture.md §4.5).
//
// What a lock does with interrupts is part of its type, so a reader sees at
// the declaration whether a lock may be taken from an interrupt handler:
//
//   ksync::Spinlock       saves RFLAGS.IF, disables interrupts while held and
//                         restores IF on release. The default: a lock that an
//                         interrupt handler might also take must be of this
//                         kind, or the handler would spin on its own CPU's lock.
//   ksync::SpinlockNoIrq  leaves interrupts alone; for data no interrupt
//                         handler ever touches.
//
//   ksync::Spinlock lock;
//   { ksync::Guard guard(lock); ... }   // released (and IF restored) here
//
// Where data belongs to one lock, keep them together: ksync::Protected<T>.
// (The namespace is ksync, not sync: POSIX declares a function ::sync, which
// would clash in the host tests.)
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/cpu.hpp"

namespace ksync {

// Interrupt policies: enter() runs before the lock is taken, leave(state)
// after it is released.
struct IrqSave {
    using State = bool;  // whether interrupts were enabled
    static State enter() {
        bool were_enabled = (arch::read_rflags() & arch::rflags::kInterruptEnable) != 0;
        arch::cli();
        return were_enabled;
    }
    static void leave(State were_enabled) {
        if (were_enabled) arch::sti();
    }
};

struct IrqUntouched {
    using State = bool;
    static State enter() { return false; }
    static void leave(State) {}
};

template <typename InterruptPolicy>
class BasicSpinlock {
public:
    using Policy = InterruptPolicy;
    using State = typename InterruptPolicy::State;

    constexpr BasicSpinlock() = default;
    BasicSpinlock(const BasicSpinlock&) = delete;
    BasicSpinlock& operator=(const BasicSpinlock&) = delete;

    // Test-and-test-and-set: spin on a plain load (the cache line stays
    // shared) and only try the atomic exchange when the lock looks free.
    // PAUSE tells the CPU this is a spin-wait loop (Intel SDM Vol. 2B, PAUSE).
    [[nodiscard]] State lock() {
        State state = InterruptPolicy::enter();
        while (__atomic_exchange_n(&locked_, true, __ATOMIC_ACQUIRE)) {
            while (__atomic_load_n(&locked_, __ATOMIC_RELAXED)) arch::pause();
        }
        return state;
    }

    // Takes the lock only if it is free right now; `state` is valid (and must
    // be passed to unlock) only when this returns true.
    [[nodiscard]] bool try_lock(State& state) {
        state = InterruptPolicy::enter();
        if (!__atomic_exchange_n(&locked_, true, __ATOMIC_ACQUIRE)) return true;
        InterruptPolicy::leave(state);
        return false;
    }

    // Like lock(), but gives up after about `max_spins` spins on a held
    // lock; returns whether the lock was taken (`state` is valid only then).
    [[nodiscard]] bool try_lock_for(State& state, uint64_t max_spins) {
        uint64_t spins = 0;
        for (;;) {
            if (try_lock(state)) return true;
            while (__atomic_load_n(&locked_, __ATOMIC_RELAXED)) {
                if (++spins >= max_spins) return false;
                arch::pause();
            }
        }
    }

    void unlock(State state) {
        __atomic_store_n(&locked_, false, __ATOMIC_RELEASE);
        InterruptPolicy::leave(state);
    }

    bool is_locked() const { return __atomic_load_n(&locked_, __ATOMIC_RELAXED); }

private:
    bool locked_ = false;
};

using Spinlock = BasicSpinlock<IrqSave>;
using SpinlockNoIrq = BasicSpinlock<IrqUntouched>;

template <typename Lock>
class [[nodiscard]] Guard {
public:
    explicit Guard(Lock& lock) : lock_(lock), state_(lock.lock()) {}
    ~Guard() { lock_.unlock(state_); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

private:
    Lock& lock_;
    typename Lock::State state_;
};

// A guard for the few places that must never hang, whatever happened: the
// log and the consoles. If the lock stays held for `max_spins` spins (a CPU
// faulted inside the log and its handler logs too, or another CPU died
// holding it), it proceeds without the lock: output may interleave, but the
// message gets out. Check held() if it matters.
template <typename Lock>
class [[nodiscard]] BoundedGuard {
public:
    BoundedGuard(Lock& lock, uint64_t max_spins) : lock_(lock), held_(lock.try_lock_for(state_, max_spins)) {}
    ~BoundedGuard() {
        if (held_) lock_.unlock(state_);
    }
    BoundedGuard(const BoundedGuard&) = delete;
    BoundedGuard& operator=(const BoundedGuard&) = delete;

    bool held() const { return held_; }

private:
    Lock& lock_;
    typename Lock::State state_{};
    bool held_;
};

// A value that may only be reached with its lock held:
//   counter.with([](uint64_t& value) { ++value; });
template <typename T, typename Lock = Spinlock>
class Protected {
public:
    template <typename... Args>
    constexpr explicit Protected(Args... args) : value_(args...) {}

    template <typename Callback>
    decltype(auto) with(Callback&& callback) {
        Guard<Lock> guard(lock_);
        return callback(value_);
    }

private:
    Lock lock_;
    T value_;
};

}  // namespace ksync
