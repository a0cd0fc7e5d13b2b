// Futexes (futex(2)): the hashed table of waiters behind FUTEX_WAIT,
// FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP and the
// _BITSET forms. A waiter is keyed by (address space, address) for a
// private futex, or by whatever names the memory itself for a shared one
// (the syscall layer computes the FutexKey). Buckets have their own lock,
// so waits on different words on different CPUs do not contend.
//
// The table is a template over the way a thread sleeps (Platform), so the
// host tests run it with real threads; the kernel's Platform sleeps on a
// sched::WaitQueue (futex.cpp). A Platform provides:
//
//   using Lock;     lock() / unlock(state) as ksync's spinlocks (Guard works)
//   struct Parker;  one waiting thread's sleep; lives in its Waiter
//   static WakeReason park(Parker&, uint64_t deadline_ns, bool interruptible);
//   static void unpark(Parker&);      // may come before park(): park returns at once
//
// The word is read under the bucket lock (so a FUTEX_WAKE that follows a
// change of the word cannot fall between the check and the sleep), through
// FutexMemory. A waker unparks a waiter while it holds the waiter's bucket
// lock, and a woken waiter takes that lock before it returns: the waiter's
// stack outlives every use of it.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_futex.hpp"
#include "kernel/sync/spinlock.hpp"
#include "lib/errno.hpp"
#include "lib/expected.hpp"
#include "lib/intrusive_list.hpp"

namespace proc {

struct FutexKey {
    uint64_t space = 0;    // the address space (private), or the shared object | 1 (futex.cpp's key_of)
    uint64_t address = 0;  // the user address (private), or the byte offset in the object (shared)
    bool operator==(const FutexKey& other) const { return space == other.space && address == other.address; }
};

// The futex words as the table reaches them (uaccess in the kernel). Each
// is one aligned 32-bit access, false when the address faults.
class FutexMemory {
public:
    virtual bool load(uint64_t address, uint32_t& value) = 0;
    // A user pointer (the robust list's links).
    virtual bool load_pointer(uint64_t address, uint64_t& value) = 0;
    // Atomic compare-and-exchange: `actual` gets the old value; the store
    // happened when actual == expected.
    virtual bool compare_exchange(uint64_t address, uint32_t expected, uint32_t desired, uint32_t& actual) = 0;

protected:
    ~FutexMemory() = default;
};

enum class WakeReason : uint8_t { kWoken, kTimedOut, kInterrupted };

inline constexpr uint64_t kFutexNoDeadline = ~0ULL;

// FUTEX_WAKE_OP's operation on the second word (futex(2)): the new value,
// or ENOSYS for an unknown operation. `encoded` is val3.
lib::Expected<uint32_t> futex_op_apply(uint32_t encoded, uint32_t old_value);
// FUTEX_WAKE_OP's comparison of the old value; ENOSYS for an unknown one.
lib::Expected<bool> futex_op_compare(uint32_t encoded, uint32_t old_value);

template <typename Platform>
class FutexTable {
public:
    static constexpr size_t kBuckets = 1024;

    // FUTEX_WAIT / FUTEX_WAIT_BITSET: sleeps while the word at `address`
    // holds `expected`. EAGAIN when it does not, EFAULT when it cannot be
    // read, ETIMEDOUT past `deadline_ns`, ERESTARTSYS when a signal
    // interrupts an untimed wait (restarted by the signal code unless a
    // handler without SA_RESTART runs) and EINTR a timed one. A bitset of 0
    // is EINVAL.
    lib::Expected<void> wait(const FutexKey& key, FutexMemory& memory, uint64_t address, uint32_t expected,
                             uint32_t bitset, uint64_t deadline_ns, bool interruptible = true) {
        if (bitset == 0) return error(lib::Errno::kEINVAL, "futex: empty bitset");
        Waiter waiter;
        waiter.key = key;
        waiter.bitset = bitset;
        Bucket& bucket = bucket_for(key);
        waiter.bucket = &bucket;
        {
            ksync::Guard guard(bucket.lock);
            uint32_t value;
            if (!memory.load(address, value)) return error(lib::Errno::kEFAULT, "futex: word not readable");
            if (value != expected) return error(lib::Errno::kEAGAIN, "futex: the word changed");
            bucket.waiters.push_back(waiter);
        }
        WakeReason reason = Platform::park(waiter.parker, deadline_ns, interruptible);
        // Still queued: nobody woke us; taken off: a waker did (and that
        // wins over a timeout or signal that came at the same moment).
        if (!unqueue(waiter)) return {};
        if (reason == WakeReason::kTimedOut) return error(lib::Errno::kETIMEDOUT, "futex: timed out");
        if (deadline_ns == kFutexNoDeadline) return error(lib::Errno::kERESTARTSYS, "futex: interrupted");
        return error(lib::Errno::kEINTR, "futex: interrupted");
    }

    // FUTEX_WAKE / FUTEX_WAKE_BITSET: wakes up to `count` waiters whose
    // bitset meets `bitset`, oldest first; returns how many.
    lib::Expected<long> wake(const FutexKey& key, uint32_t count, uint32_t bitset) {
        if (bitset == 0) return error(lib::Errno::kEINVAL, "futex: empty bitset");
        Bucket& bucket = bucket_for(key);
        ksync::Guard guard(bucket.lock);
        return long(wake_locked(bucket, key, count, bitset));
    }

    // FUTEX_REQUEUE / FUTEX_CMP_REQUEUE (with `compare`): wakes up to
    // `wake_count` waiters on `from` and moves up to `requeue_count` more to
    // `to`; returns both counts together. CMP_REQUEUE first checks that the
    // word at `address` still holds `expected` (EAGAIN otherwise).
    lib::Expected<long> requeue(const FutexKey& from, const FutexKey& to, uint32_t wake_count, uint32_t requeue_count,
                                bool compare, FutexMemory& memory, uint64_t address, uint32_t expected) {
        Bucket& source = bucket_for(from);
        Bucket& target = bucket_for(to);
        PairGuard guard(source, target);
        if (compare) {
            uint32_t value;
            if (!memory.load(address, value)) return error(lib::Errno::kEFAULT, "futex: word not readable");
            if (value != expected) return error(lib::Errno::kEAGAIN, "futex: the word changed");
        }
        long done = long(wake_locked(source, from, wake_count, kAnyBitset));
        for (Waiter* waiter = source.waiters.front(); waiter && requeue_count > 0;) {
            Waiter* next = source.waiters.next(*waiter);
            if (waiter->key == from) {
                waiter->key = to;
                if (&source != &target) {
                    source.waiters.remove(*waiter);
                    target.waiters.push_back(*waiter);
                    __atomic_store_n(&waiter->bucket, &target, __ATOMIC_RELEASE);
                }
                --requeue_count;
                ++done;
            }
            waiter = next;
        }
        return done;
    }

    // FUTEX_WAKE_OP: applies the encoded operation to the word at
    // `address2` atomically, wakes up to `count` waiters on `key1`, and up
    // to `count2` on `key2` when the old value passes the comparison.
    lib::Expected<long> wake_op(const FutexKey& key1, const FutexKey& key2, uint32_t count, uint32_t count2,
                                uint32_t encoded, FutexMemory& memory, uint64_t address2) {
        Bucket& first = bucket_for(key1);
        Bucket& second = bucket_for(key2);
        PairGuard guard(first, second);
        uint32_t old_value;
        if (!memory.load(address2, old_value)) return error(lib::Errno::kEFAULT, "futex: word not readable");
        for (;;) {
            uint32_t new_value = TRY(futex_op_apply(encoded, old_value));
            uint32_t actual;
            if (!memory.compare_exchange(address2, old_value, new_value, actual))
                return error(lib::Errno::kEFAULT, "futex: word not writable");
            if (actual == old_value) break;
            old_value = actual;
        }
        long woken = long(wake_locked(first, key1, count, kAnyBitset));
        if (TRY(futex_op_compare(encoded, old_value))) woken += long(wake_locked(second, key2, count2, kAnyBitset));
        return woken;
    }

    // How many wait on `key` (tests and diagnostics).
    size_t waiters_on(const FutexKey& key) {
        Bucket& bucket = bucket_for(key);
        ksync::Guard guard(bucket.lock);
        size_t count = 0;
        for (Waiter& waiter : bucket.waiters) count += waiter.key == key;
        return count;
    }

private:
    static constexpr uint32_t kAnyBitset = uapi::kFUTEX_BITSET_MATCH_ANY;
    struct Bucket;

    struct Waiter : lib::ListNode<> {
        FutexKey key;
        uint32_t bitset = 0;
        Bucket* bucket = nullptr;  // changes (under both locks) when requeued
        typename Platform::Parker parker;
    };

    struct Bucket {
        typename Platform::Lock lock;
        lib::IntrusiveList<Waiter> waiters;
    };

    // Both buckets' locks, in address order (once when they are the same).
    class PairGuard {
    public:
        PairGuard(Bucket& a, Bucket& b) : first_(&a < &b ? a : b), second_(&a < &b ? b : a) {
            first_state_ = first_.lock.lock();
            if (&second_ != &first_) second_state_ = second_.lock.lock();
        }
        ~PairGuard() {
            if (&second_ != &first_) second_.lock.unlock(second_state_);
            first_.lock.unlock(first_state_);
        }
        PairGuard(const PairGuard&) = delete;
        PairGuard& operator=(const PairGuard&) = delete;

    private:
        Bucket& first_;
        Bucket& second_;
        typename Platform::Lock::State first_state_{};
        typename Platform::Lock::State second_state_{};
    };

    static lib::Error error(lib::Errno code, const char* message) { return lib::Error::make(code, message); }

    Bucket& bucket_for(const FutexKey& key) {
        // A 64-bit mix (splitmix64's finaliser) of both halves of the key.
        uint64_t h = key.space * 0x9e3779b97f4a7c15ULL ^ (key.address >> 2);
        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebULL;
        h ^= h >> 31;
        return buckets_[h & (kBuckets - 1)];
    }

    size_t wake_locked(Bucket& bucket, const FutexKey& key, uint32_t count, uint32_t bitset) {
        size_t woken = 0;
        for (Waiter* waiter = bucket.waiters.front(); waiter && woken < count;) {
            Waiter* next = bucket.waiters.next(*waiter);
            if (waiter->key == key && (waiter->bitset & bitset)) {
                bucket.waiters.remove(*waiter);
                Platform::unpark(waiter->parker);
                ++woken;
            }
            waiter = next;
        }
        return woken;
    }

    // Takes `waiter` off its bucket's list; false when a waker already did.
    bool unqueue(Waiter& waiter) {
        for (;;) {
            Bucket* bucket = __atomic_load_n(&waiter.bucket, __ATOMIC_ACQUIRE);
            ksync::Guard guard(bucket->lock);
            if (__atomic_load_n(&waiter.bucket, __ATOMIC_RELAXED) != bucket) continue;  // requeued meanwhile
            if (!waiter.linked()) return false;
            bucket->waiters.remove(waiter);
            return true;
        }
    }

    Bucket buckets_[kBuckets];
};

}  // namespace proc
