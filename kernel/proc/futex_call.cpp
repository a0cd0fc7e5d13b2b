// Decoding futex(2)'s arguments as Linux's do_futex and sys_futex do.
#include "kernel/proc/futex_call.hpp"

namespace proc {
namespace {

lib::Error nosys(const char* message) {
    return lib::Error::make(lib::Errno::kENOSYS, message);
}

}  // namespace

lib::Expected<FutexCall> decode_futex_call(int op, uint32_t val, uint64_t timeout_or_val2, uint32_t val3) {
    FutexCall call;
    call.command = op & uapi::kFUTEX_CMD_MASK;
    call.private_key = (op & uapi::kFUTEX_PRIVATE_FLAG) != 0;
    call.value = val;
    if ((op & uapi::kFUTEX_CLOCK_REALTIME) && call.command != uapi::kFUTEX_WAIT_BITSET &&
        call.command != uapi::kFUTEX_WAIT_REQUEUE_PI && call.command != uapi::kFUTEX_LOCK_PI2)
        return nosys("futex: FUTEX_CLOCK_REALTIME on an operation without an absolute timeout");
    switch (call.command) {
        case uapi::kFUTEX_WAIT: call.bitset = uapi::kFUTEX_BITSET_MATCH_ANY; return call;
        case uapi::kFUTEX_WAIT_BITSET: call.bitset = val3; return call;
        case uapi::kFUTEX_WAKE: call.bitset = uapi::kFUTEX_BITSET_MATCH_ANY; return call;
        case uapi::kFUTEX_WAKE_BITSET: call.bitset = val3; return call;
        case uapi::kFUTEX_REQUEUE:
        case uapi::kFUTEX_CMP_REQUEUE:
        case uapi::kFUTEX_WAKE_OP:
            // The 4th argument is a number here (sys_futex's val2).
            call.value2 = uint32_t(timeout_or_val2);
            call.value3 = val3;
            call.uses_second_word = true;
            return call;
        default: return nosys("futex: unknown or priority-inheritance operation");
    }
}

lib::Expected<uint64_t> futex_deadline(int op, const uapi::Timespec& timeout, uint64_t now_ns,
                                       int64_t realtime_offset_ns) {
    if (!uapi::timespec_valid(timeout)) return lib::Error::make(lib::Errno::kEINVAL, "futex: invalid timeout");
    // Saturate instead of wrapping: a huge timeout is "never".
    constexpr int64_t kMaxSeconds = int64_t(kFutexNoDeadline / 2 / uapi::kNsPerSec);
    if (timeout.tv_sec >= kMaxSeconds) return kFutexNoDeadline - 1;
    int64_t ns = timeout.tv_sec * uapi::kNsPerSec + timeout.tv_nsec;
    if ((op & uapi::kFUTEX_CMD_MASK) == uapi::kFUTEX_WAIT) return now_ns + uint64_t(ns);
    if (op & uapi::kFUTEX_CLOCK_REALTIME) ns -= realtime_offset_ns;
    return ns < 0 ? 0 : uint64_t(ns);
}

}  // namespace proc
