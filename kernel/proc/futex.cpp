// futex(2) in the kernel (futex.hpp).
#include "kernel/proc/futex.hpp"

#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/proc/futex_call.hpp"
#include "kernel/proc/futex_table.hpp"
#include "kernel/proc/robust_list.hpp"
#include "kernel/sched/sched.hpp"
#include "kernel/time/time.hpp"

namespace proc {
namespace {

// Waiters sleep on a wait queue of their own; a waker sets the flag and
// wakes it under the bucket lock (futex_table.hpp's rule), so the waiter's
// stack outlives the wake-up.
struct KernelPlatform {
    using Lock = ksync::Spinlock;
    struct Parker {
        sched::WaitQueue queue{"futex"};
        bool unparked = false;
    };
    static WakeReason park(Parker& parker, uint64_t deadline_ns, bool interruptible) {
        sched::WaitOptions options;
        options.deadline_ns = deadline_ns == kFutexNoDeadline ? sched::kNoDeadline : deadline_ns;
        options.interruptible = interruptible;
        auto waited =
            parker.queue.wait_event([&] { return __atomic_load_n(&parker.unparked, __ATOMIC_ACQUIRE); }, options);
        if (waited) return WakeReason::kWoken;
        return waited.error().code == lib::Errno::kETIMEDOUT ? WakeReason::kTimedOut : WakeReason::kInterrupted;
    }
    static void unpark(Parker& parker) {
        __atomic_store_n(&parker.unparked, true, __ATOMIC_RELEASE);
        parker.queue.wake_all();
    }
};

FutexTable<KernelPlatform>* g_table = nullptr;

FutexTable<KernelPlatform>& table() {
    // Made on first use (the table is large: 1024 buckets); a racing first
    // use keeps one and frees the other.
    FutexTable<KernelPlatform>* table = __atomic_load_n(&g_table, __ATOMIC_ACQUIRE);
    if (table) return *table;
    auto* fresh = new FutexTable<KernelPlatform>();
    FutexTable<KernelPlatform>* expected = nullptr;
    if (__atomic_compare_exchange_n(&g_table, &expected, fresh, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return *fresh;
    delete fresh;
    return *expected;
}

class UserWords final : public FutexMemory {
public:
    bool load(uint64_t address, uint32_t& value) override { return arch::load_user_u32(address, value); }
    bool load_pointer(uint64_t address, uint64_t& value) override { return arch::load_user_u64(address, value); }
    bool compare_exchange(uint64_t address, uint32_t expected, uint32_t desired, uint32_t& actual) override {
        return arch::cmpxchg_user_u32(address, expected, desired, actual);
    }
};

// A futex's key (Linux's get_futex_key): FUTEX_PRIVATE, or a word in
// private memory: (address space, address) - the threads of a process
// meet. A word in a shared mapping without FUTEX_PRIVATE: (the object
// behind the mapping, tagged in bit 0 so it never equals an address
// space, the offset in it) - every process mapping the object meets
// there, wherever it mapped it. EFAULT outside user memory or, for a
// shared key, where no readable region is.
lib::Expected<FutexKey> key_of(const vm::AddressSpace* space, uint64_t address, bool private_key) {
    if (address >= arch::kUserTop) return lib::Error::make(lib::Errno::kEFAULT, "futex: not user memory");
    if (!private_key) {
        vm::AddressSpace::SharedWord word = TRY(space->shared_word(address));
        if (word.object) return FutexKey{reinterpret_cast<uint64_t>(word.object) | 1, word.offset};
    }
    return FutexKey{reinterpret_cast<uint64_t>(space), address};
}

class Context final : public FutexContext {
public:
    lib::Expected<FutexKey> key(uint64_t address, bool private_key) override {
        return key_of(current_process()->space, address, private_key);
    }
    lib::Expected<uapi::Timespec> read_timeout(uint64_t address) override {
        uapi::Timespec t;
        if (arch::copy_from_user(&t, address, sizeof t) != 0)
            return lib::Error::make(lib::Errno::kEFAULT, "futex: timeout not readable");
        return t;
    }
    uint64_t now_ns() override { return ktime::now_ns(); }
    // CLOCK_REALTIME is the boot date plus the monotonic clock (docs/syscalls.md).
    int64_t realtime_offset_ns() override { return ktime::realtime_offset_ns(); }
};

// The table reads (and WAKE_OP writes) the words under a bucket lock, with
// interrupts off, where a page fault must not sleep and is not resolved
// (arch/x86_64/uaccess.hpp: the address-space lock's holder may be waiting
// for this CPU to answer a TLB shootdown): the pages are brought in first,
// outside any lock. True when the word can be read (and written).
bool prefault(uint64_t address, bool write) {
    uint32_t value;
    if (!arch::load_user_u32(address, value)) return false;
    if (!write) return true;
    uint32_t actual;
    return arch::cmpxchg_user_u32(address, value, value, actual);
}

// Another thread may take the page away again (munmap, MADV_DONTNEED)
// between the fault-in and the locked read, which then fails without
// having changed anything: Linux then faults the page in again and
// retries (futex_wake_op's fault_in_user_writeable); so do we, while the
// words can be brought in.
constexpr int kFaultRetries = 8;

bool prefault_words(int command, uint64_t uaddr, uint64_t uaddr2) {
    bool ok = true;
    if (uaddr % 4 == 0) ok &= prefault(uaddr, false);
    if (command == uapi::kFUTEX_WAKE_OP && uaddr2 % 4 == 0) ok &= prefault(uaddr2, true);
    if ((command == uapi::kFUTEX_CMP_REQUEUE || command == uapi::kFUTEX_REQUEUE) && uaddr2 % 4 == 0)
        ok &= prefault(uaddr2, false);
    return ok;
}

void robust_wake(void* context, uint64_t address) {
    futex_wake(static_cast<const vm::AddressSpace*>(context), address, 1);
}

}  // namespace

lib::Expected<long> futex(uint64_t uaddr, int op, uint32_t val, uint64_t timeout_or_val2, uint64_t uaddr2,
                          uint32_t val3) {
    int command = op & uapi::kFUTEX_CMD_MASK;
    prefault_words(command, uaddr, uaddr2);
    UserWords memory;
    Context context;
    for (int attempt = 0;; ++attempt) {
        auto result = run_futex_call(table(), memory, context, uaddr, op, val, timeout_or_val2, uaddr2, val3);
        if (result || result.error().code != lib::Errno::kEFAULT || attempt == kFaultRetries ||
            !prefault_words(command, uaddr, uaddr2))
            return result;
    }
}

void futex_wake(const vm::AddressSpace* space, uint64_t address, uint32_t count) {
    // As Linux's robust-list and clear-child-tid wakes: not FUTEX_PRIVATE,
    // so a waiter in another process sharing the word is reached.
    auto key = key_of(space, address, false);
    if (key) (void)table().wake(*key, count, uapi::kFUTEX_BITSET_MATCH_ANY);
}

void release_task_futexes(Task& task, bool memory_shared) {
    const vm::AddressSpace* space = task.process->space;
    if (!space) return;
    if (task.robust_list) {
        UserWords memory;
        walk_robust_list(task.robust_list, uint32_t(task.tid), memory, robust_wake,
                         const_cast<vm::AddressSpace*>(space));
        task.robust_list = 0;
    }
    // set_tid_address(2), CLONE_CHILD_CLEARTID: zero, then wake one waiter
    // - only while other tasks share the memory (Linux's mm_release; a
    // process's last task leaves it alone).
    if (task.clear_child_tid && memory_shared) {
        if (arch::store_user_u32(task.clear_child_tid, 0)) futex_wake(space, task.clear_child_tid, 1);
    }
    task.clear_child_tid = 0;
}

}  // namespace proc
