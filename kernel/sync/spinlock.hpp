// Spinlocks, taken only through an RAII guard (docs/architecture.md §4.5).
//
// What a lock does with interrupts is part of its type, so a reader sees at
// the declaration whether a lock may be taken from an interrupt handler:
//
//   ksync::Spinlock       saves RFLAGS.IF, disables interrupts while held and
//                         restores IF on release. The default: a lock that an
//                         interrupt handler might also take must be of this
//                         kind, or the handler would spin on its own CPU's lock.
//   ksync::SpinlockNoIrq  leaves interrupts alone (and disables preemption
//                         while held, so the holder stays on its CPU); for
//                         data no interrupt handler ever touches.
//
//   ksync::Spinlock lock;
//   { ksync::Guard guard(lock); ... }   // released (and IF restored) here
//
// Fit for many CPUs (docs/smp.md §5):
// - Debug builds record the owner (CPU index and where it took the lock) and
//   panic on a recursive lock() by the owner's CPU and on an unlock by any
//   other CPU.
// - A CPU that waits longer than held_too_long_ticks() for a lock reports
//   it once per wait (the holder too, in debug builds) instead of stalling
//   silently, then keeps waiting.
// Which locks nest inside which is documented in docs/smp.md §5.
//
// Where data belongs to one lock, keep them together: ksync::Protected<T>.
// (The namespace is ksync, not sync: POSIX declares a function ::sync, which
// would clash in the host tests.)
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/debug/assert.hpp"
#if !defined(HOST_TEST)
#include "kernel/arch/x86_64/percpu.hpp"
#endif

namespace ksync {

// What a lock needs to know of the CPU it runs on. Host tests (threads for
// CPUs) give each thread a number of its own and have no preemption.
namespace platform {
#if defined(HOST_TEST)
inline uint32_t current_cpu() {
    static uint32_t next = 0;
    static thread_local uint32_t mine = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED);
    return mine;
}
inline void preempt_disable() {}
inline void preempt_enable() {}
#else
inline uint32_t current_cpu() { return arch::cpu_index(); }
inline void preempt_disable() { arch::preempt_disable(); }
inline void preempt_enable() { arch::preempt_enable(); }
#endif
}  // namespace platform

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
    static State enter() {
        platform::preempt_disable();
        return false;
    }
    static void leave(State) { platform::preempt_enable(); }
};

// How long (TSC ticks) a wait for a lock may last before it is reported:
// about 2^32 by default (1.5 s at 2.8 GHz), far beyond any legitimate hold.
uint64_t held_too_long_ticks();
void set_held_too_long_ticks(uint64_t ticks);

namespace detail {

inline constexpr uint32_t kNoOwner = 0;  // owner_ holds the CPU index + 1

// What the checks report (spinlock.cpp in the kernel: a panic, or a log line
// naming the holder and where it took the lock). `taken_at` is where the
// owner took the lock.
[[noreturn]] void report_recursion(const void* lock, uint32_t cpu, uintptr_t taken_at);
[[noreturn]] void report_foreign_unlock(const void* lock, uint32_t cpu, uint32_t owner_plus_one);
void report_held_too_long(const void* lock, uint32_t cpu, uint32_t owner_plus_one, uintptr_t taken_at,
                          uint64_t waited_ticks);

#if defined(HOST_TEST)
// The host tests' stand-ins: panics as PANIC does on the host (message,
// abort), and a count of held-too-long reports with the last holder seen.
inline uint64_t host_held_too_long_ticks = uint64_t(1) << 32;
inline uint64_t host_held_too_long_reports = 0;
inline uint32_t host_last_reported_owner = kNoOwner;
inline void report_recursion(const void* lock, uint32_t cpu, uintptr_t) {
    PANIC("spinlock {:#x}: CPU {} takes it again while holding it", reinterpret_cast<uintptr_t>(lock), cpu);
}
inline void report_foreign_unlock(const void* lock, uint32_t cpu, uint32_t owner_plus_one) {
    PANIC("spinlock {:#x}: CPU {} unlocks it, but {} holds it", reinterpret_cast<uintptr_t>(lock), cpu,
          int64_t(owner_plus_one) - 1);
}
inline void report_held_too_long(const void*, uint32_t, uint32_t owner_plus_one, uintptr_t, uint64_t) {
    __atomic_store_n(&host_last_reported_owner, owner_plus_one, __ATOMIC_RELAXED);
    __atomic_fetch_add(&host_held_too_long_reports, 1, __ATOMIC_RELAXED);
}
#endif

}  // namespace detail

#if defined(HOST_TEST)
inline uint64_t held_too_long_ticks() { return __atomic_load_n(&detail::host_held_too_long_ticks, __ATOMIC_RELAXED); }
inline void set_held_too_long_ticks(uint64_t ticks) {
    __atomic_store_n(&detail::host_held_too_long_ticks, ticks, __ATOMIC_RELAXED);
}
#endif

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
        acquire();
        return state;
    }

    // lock() for a caller that knows interrupts are off already (the
    // scheduler's switch path): IrqSave's enter would read RFLAGS only to
    // find IF clear, so this skips it; unlock(State{}) leaves them off.
    [[nodiscard]] State lock_interrupts_off() {
        static_assert(__is_same(InterruptPolicy, IrqSave), "only an IrqSave lock may skip its policy");
        DEBUG_ASSERT(!arch::interrupts_enabled());
        acquire();
        return State{};
    }

    // Takes the lock only if it is free right now; `state` is valid (and must
    // be passed to unlock) only when this returns true. Fails (never
    // panics) when this CPU is the holder.
    [[nodiscard]] bool try_lock(State& state) {
        state = InterruptPolicy::enter();
        if (!__atomic_exchange_n(&locked_, true, __ATOMIC_ACQUIRE)) {
#if DEBUG_ASSERTS_ENABLED
            // Only where it is kept: current_pc()'s asm would stay in release builds.
            note_owner(current_pc());
#endif
            return true;
        }
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
#if DEBUG_ASSERTS_ENABLED
        const uint32_t me = platform::current_cpu() + 1;
        const uint32_t owner = __atomic_load_n(&owner_, __ATOMIC_RELAXED);
        if (owner != me) detail::report_foreign_unlock(this, me - 1, owner);
        __atomic_store_n(&owner_, detail::kNoOwner, __ATOMIC_RELAXED);
#endif
        __atomic_store_n(&locked_, false, __ATOMIC_RELEASE);
        InterruptPolicy::leave(state);
    }

    bool is_locked() const { return __atomic_load_n(&locked_, __ATOMIC_RELAXED); }
    // The holder's CPU index, or -1 (unknown: free, or a build without owner tracking).
    int64_t owner_cpu() const {
#if DEBUG_ASSERTS_ENABLED
        uint32_t owner = __atomic_load_n(&owner_, __ATOMIC_RELAXED);
        return owner == detail::kNoOwner ? -1 : int64_t(owner) - 1;
#else
        return -1;
#endif
    }

private:
    [[gnu::always_inline]] void acquire() {
#if DEBUG_ASSERTS_ENABLED
        const uint32_t me = platform::current_cpu() + 1;
        if (__atomic_load_n(&owner_, __ATOMIC_RELAXED) == me)
            detail::report_recursion(this, me - 1, __atomic_load_n(&taken_at_, __ATOMIC_RELAXED));
#endif
        if (__builtin_expect(__atomic_exchange_n(&locked_, true, __ATOMIC_ACQUIRE), 0)) wait();
#if DEBUG_ASSERTS_ENABLED
        // Only where it is kept: current_pc()'s asm would stay in release builds.
        note_owner(current_pc());
#endif
    }

    // Where the lock is being taken, inlined or not (symbolized in reports).
    [[gnu::always_inline]] static uintptr_t current_pc() {
        uintptr_t pc;
        asm volatile("leaq 0(%%rip), %0" : "=r"(pc));
        return pc;
    }

    void note_owner([[maybe_unused]] uintptr_t taken_at) {
#if DEBUG_ASSERTS_ENABLED
        __atomic_store_n(&owner_, platform::current_cpu() + 1, __ATOMIC_RELAXED);
        __atomic_store_n(&taken_at_, taken_at, __ATOMIC_RELAXED);
#endif
    }

    // The contended path: spin until free; past held_too_long_ticks(), say
    // so once (the TSC is read every 1024 spins only).
    [[gnu::noinline]] void wait() {
        const uint64_t start = arch::rdtsc();
        bool reported = false;
        uint32_t spins = 0;
        do {
            while (__atomic_load_n(&locked_, __ATOMIC_RELAXED)) {
                arch::pause();
                if (reported || (++spins & 1023) != 0) continue;
                uint64_t waited = arch::rdtsc() - start;
                if (waited < held_too_long_ticks()) continue;
                reported = true;
                detail::report_held_too_long(this, platform::current_cpu(), owner_plus_one(), taken_at(), waited);
            }
        } while (__atomic_exchange_n(&locked_, true, __ATOMIC_ACQUIRE));
    }

    uint32_t owner_plus_one() const {
#if DEBUG_ASSERTS_ENABLED
        return __atomic_load_n(&owner_, __ATOMIC_RELAXED);
#else
        return detail::kNoOwner;
#endif
    }
    uintptr_t taken_at() const {
#if DEBUG_ASSERTS_ENABLED
        return __atomic_load_n(&taken_at_, __ATOMIC_RELAXED);
#else
        return 0;
#endif
    }

    bool locked_ = false;
#if DEBUG_ASSERTS_ENABLED
    uint32_t owner_ = detail::kNoOwner;
    uintptr_t taken_at_ = 0;
#endif
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
