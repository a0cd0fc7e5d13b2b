// futex(2) as a whole: the operation word decoded, the timeout turned into
// a deadline, and the call run against a FutexTable — everything of
// sys_futex but the key of an address and the clocks, which the caller
// gives (futex.cpp in the kernel, a fake in the host tests).
//
//   long futex(uint32_t* uaddr, int op, uint32_t val,
//              const struct timespec* timeout /* or uint32_t val2 */,
//              uint32_t* uaddr2, uint32_t val3);
#pragma once

#include <stdint.h>

#include "kernel/abi/linux_futex.hpp"
#include "kernel/abi/linux_time.hpp"
#include "kernel/proc/futex_table.hpp"
#include "lib/expected.hpp"

namespace proc {

// What Linux's do_futex reads out of (op, val, timeout/val2, val3).
struct FutexCall {
    int command = 0;           // op & FUTEX_CMD_MASK
    bool private_key = false;  // FUTEX_PRIVATE_FLAG
    uint32_t value = 0;        // WAIT: the expected word; wakes: the count
    uint32_t value2 = 0;       // REQUEUE, CMP_REQUEUE, WAKE_OP: the 4th argument as a number
    uint32_t bitset = 0;       // WAIT/WAKE: FUTEX_BITSET_MATCH_ANY, the _BITSET forms: val3
    uint32_t value3 = 0;       // CMP_REQUEUE: the expected word; WAKE_OP: the encoded operation
    bool uses_second_word = false;
};

// ENOSYS for an unknown command, the priority-inheritance family (not
// provided) and FUTEX_CLOCK_REALTIME on a command without an absolute
// timeout.
lib::Expected<FutexCall> decode_futex_call(int op, uint32_t val, uint64_t timeout_or_val2, uint32_t val3);

// Whether the 4th argument is a timeout (else a number, or unused).
constexpr bool futex_takes_timeout(int op) {
    int command = op & uapi::kFUTEX_CMD_MASK;
    return command == uapi::kFUTEX_WAIT || command == uapi::kFUTEX_WAIT_BITSET || command == uapi::kFUTEX_LOCK_PI ||
           command == uapi::kFUTEX_LOCK_PI2 || command == uapi::kFUTEX_WAIT_REQUEUE_PI;
}

// The deadline on the monotonic clock (ns) for a timeout the program gave:
// FUTEX_WAIT's is relative to now, the others' absolute on CLOCK_MONOTONIC
// or (FUTEX_CLOCK_REALTIME) CLOCK_REALTIME, turned into a monotonic time
// with `realtime_offset_ns` (realtime − monotonic). EINVAL for an invalid
// timespec. A deadline too far to count is "never".
lib::Expected<uint64_t> futex_deadline(int op, const uapi::Timespec& timeout, uint64_t now_ns,
                                       int64_t realtime_offset_ns);

// What the caller provides for one call.
class FutexContext {
public:
    // The key of the word at `address` (private: this address space;
    // shared: whatever names the memory); EFAULT when it is not user memory.
    virtual lib::Expected<FutexKey> key(uint64_t address, bool private_key) = 0;
    // Reads the timespec at `address` (EFAULT).
    virtual lib::Expected<uapi::Timespec> read_timeout(uint64_t address) = 0;
    virtual uint64_t now_ns() = 0;             // CLOCK_MONOTONIC
    virtual int64_t realtime_offset_ns() = 0;  // CLOCK_REALTIME − CLOCK_MONOTONIC

protected:
    ~FutexContext() = default;
};

// sys_futex on `table`, its checks in Linux's order: the timeout (EFAULT,
// EINVAL), the operation (ENOSYS), a zero bitset or negative requeue
// count (EINVAL), a misaligned word (EINVAL) or one outside user memory
// (EFAULT), then what the command gives (futex_table.hpp).
template <typename Platform>
lib::Expected<long> run_futex_call(FutexTable<Platform>& table, FutexMemory& memory, FutexContext& context,
                                   uint64_t uaddr, int op, uint32_t val, uint64_t timeout_or_val2, uint64_t uaddr2,
                                   uint32_t val3) {
    auto invalid = [](const char* message) { return lib::Error::make(lib::Errno::kEINVAL, message); };
    uint64_t deadline = kFutexNoDeadline;
    if (futex_takes_timeout(op) && timeout_or_val2 != 0) {
        uapi::Timespec timeout = TRY(context.read_timeout(timeout_or_val2));
        deadline = TRY(futex_deadline(op, timeout, context.now_ns(), context.realtime_offset_ns()));
    }
    FutexCall call = TRY(decode_futex_call(op, val, timeout_or_val2, val3));
    bool requeue = call.command == uapi::kFUTEX_REQUEUE || call.command == uapi::kFUTEX_CMP_REQUEUE;
    if (call.bitset == 0 && !call.uses_second_word) return invalid("futex: empty bitset");
    if (requeue && (int32_t(call.value) < 0 || int32_t(call.value2) < 0))
        return invalid("futex: negative requeue count");
    if (uaddr % sizeof(uint32_t) != 0) return invalid("futex: misaligned word");
    FutexKey key = TRY(context.key(uaddr, call.private_key));
    FutexKey key2{};
    if (call.uses_second_word) {
        if (uaddr2 % sizeof(uint32_t) != 0) return invalid("futex: misaligned word");
        key2 = TRY(context.key(uaddr2, call.private_key));
    }
    // Linux's wake loops count a waiter before comparing with the limit, so
    // a count of 0 (or a negative one) still wakes one.
    auto at_least_one = [](uint32_t count) { return int32_t(count) <= 0 ? 1u : count; };
    switch (call.command) {
        case uapi::kFUTEX_WAIT:
        case uapi::kFUTEX_WAIT_BITSET:
            TRY(table.wait(key, memory, uaddr, call.value, call.bitset, deadline));
            return 0L;
        case uapi::kFUTEX_WAKE:
        case uapi::kFUTEX_WAKE_BITSET: return table.wake(key, at_least_one(call.value), call.bitset);
        case uapi::kFUTEX_REQUEUE:
        case uapi::kFUTEX_CMP_REQUEUE:
            return table.requeue(key, key2, call.value, call.value2, call.command == uapi::kFUTEX_CMP_REQUEUE, memory,
                                 uaddr, call.value3);
        default:  // FUTEX_WAKE_OP
            return table.wake_op(key, key2, at_least_one(call.value), at_least_one(call.value2), call.value3, memory,
                                 uaddr2);
    }
}

}  // namespace proc
