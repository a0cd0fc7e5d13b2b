// The Linux futex ABI (futex(2); linux/futex.h): the operations and their
// flags, FUTEX_WAKE_OP's encoded operation, the bits of a robust futex word
// and the robust list a thread registers with set_robust_list(2).
// linux_futex_test.cpp checks each value against the host's headers.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace uapi {

inline constexpr int kFUTEX_WAIT = 0;
inline constexpr int kFUTEX_WAKE = 1;
inline constexpr int kFUTEX_FD = 2;
inline constexpr int kFUTEX_REQUEUE = 3;
inline constexpr int kFUTEX_CMP_REQUEUE = 4;
inline constexpr int kFUTEX_WAKE_OP = 5;
inline constexpr int kFUTEX_LOCK_PI = 6;
inline constexpr int kFUTEX_UNLOCK_PI = 7;
inline constexpr int kFUTEX_TRYLOCK_PI = 8;
inline constexpr int kFUTEX_WAIT_BITSET = 9;
inline constexpr int kFUTEX_WAKE_BITSET = 10;
inline constexpr int kFUTEX_WAIT_REQUEUE_PI = 11;
inline constexpr int kFUTEX_CMP_REQUEUE_PI = 12;
inline constexpr int kFUTEX_LOCK_PI2 = 13;

// Only this process uses the word: the key is (address space, address).
inline constexpr int kFUTEX_PRIVATE_FLAG = 128;
// FUTEX_WAIT_BITSET's absolute timeout is on CLOCK_REALTIME (else MONOTONIC).
inline constexpr int kFUTEX_CLOCK_REALTIME = 256;
inline constexpr int kFUTEX_CMD_MASK = ~(kFUTEX_PRIVATE_FLAG | kFUTEX_CLOCK_REALTIME);
inline constexpr uint32_t kFUTEX_BITSET_MATCH_ANY = 0xffffffff;

// FUTEX_WAKE_OP's val3: op (bits 28..31, bit 31 = OPARG_SHIFT), cmp (24..27),
// oparg (12..23, signed), cmparg (0..11, signed).
inline constexpr int kFUTEX_OP_SET = 0;          // *uaddr2 = oparg
inline constexpr int kFUTEX_OP_ADD = 1;          // += oparg
inline constexpr int kFUTEX_OP_OR = 2;           // |= oparg
inline constexpr int kFUTEX_OP_ANDN = 3;         // &= ~oparg
inline constexpr int kFUTEX_OP_XOR = 4;          // ^= oparg
inline constexpr int kFUTEX_OP_OPARG_SHIFT = 8;  // use 1 << oparg
inline constexpr int kFUTEX_OP_CMP_EQ = 0;
inline constexpr int kFUTEX_OP_CMP_NE = 1;
inline constexpr int kFUTEX_OP_CMP_LT = 2;
inline constexpr int kFUTEX_OP_CMP_LE = 3;
inline constexpr int kFUTEX_OP_CMP_GT = 4;
inline constexpr int kFUTEX_OP_CMP_GE = 5;

// A robust futex word: the owner's TID, and two flag bits.
inline constexpr uint32_t kFUTEX_WAITERS = 0x80000000;
inline constexpr uint32_t kFUTEX_OWNER_DIED = 0x40000000;
inline constexpr uint32_t kFUTEX_TID_MASK = 0x3fffffff;
// At most this many entries are walked at a thread's death (a loop in the
// list must not hang the kernel).
inline constexpr uint32_t kROBUST_LIST_LIMIT = 2048;

// struct robust_list_head: a circular list of the locks a thread holds.
// Each entry points to the next entry; the futex word of an entry is at
// entry + futex_offset. Bit 0 of a pointer marks a PI futex.
struct RobustListHead {
    uint64_t next;  // list.next: the first entry, or &head when empty
    int64_t futex_offset;
    uint64_t list_op_pending;  // the lock being taken or released right now
};
static_assert(sizeof(RobustListHead) == 24);

}  // namespace uapi
