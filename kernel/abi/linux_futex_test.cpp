// kernel/abi/linux_futex.hpp against the host's <linux/futex.h>.
#include "kernel/abi/linux_futex.hpp"

#include <gtest/gtest.h>
#include <linux/futex.h>

#include "kernel/abi/abi_test.hpp"

namespace {

TEST(LinuxFutexAbi, Operations) {
    EXPECT_SAME(uapi::kFUTEX_WAIT, FUTEX_WAIT);
    EXPECT_SAME(uapi::kFUTEX_WAKE, FUTEX_WAKE);
    EXPECT_SAME(uapi::kFUTEX_FD, FUTEX_FD);
    EXPECT_SAME(uapi::kFUTEX_REQUEUE, FUTEX_REQUEUE);
    EXPECT_SAME(uapi::kFUTEX_CMP_REQUEUE, FUTEX_CMP_REQUEUE);
    EXPECT_SAME(uapi::kFUTEX_WAKE_OP, FUTEX_WAKE_OP);
    EXPECT_SAME(uapi::kFUTEX_LOCK_PI, FUTEX_LOCK_PI);
    EXPECT_SAME(uapi::kFUTEX_UNLOCK_PI, FUTEX_UNLOCK_PI);
    EXPECT_SAME(uapi::kFUTEX_TRYLOCK_PI, FUTEX_TRYLOCK_PI);
    EXPECT_SAME(uapi::kFUTEX_WAIT_BITSET, FUTEX_WAIT_BITSET);
    EXPECT_SAME(uapi::kFUTEX_WAKE_BITSET, FUTEX_WAKE_BITSET);
    EXPECT_SAME(uapi::kFUTEX_WAIT_REQUEUE_PI, FUTEX_WAIT_REQUEUE_PI);
    EXPECT_SAME(uapi::kFUTEX_CMP_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI);
    EXPECT_SAME(uapi::kFUTEX_LOCK_PI2, FUTEX_LOCK_PI2);
    EXPECT_SAME(uapi::kFUTEX_PRIVATE_FLAG, FUTEX_PRIVATE_FLAG);
    EXPECT_SAME(uapi::kFUTEX_CLOCK_REALTIME, FUTEX_CLOCK_REALTIME);
    EXPECT_SAME(uapi::kFUTEX_CMD_MASK, FUTEX_CMD_MASK);
    EXPECT_SAME(uapi::kFUTEX_BITSET_MATCH_ANY, FUTEX_BITSET_MATCH_ANY);
}

TEST(LinuxFutexAbi, WakeOpEncoding) {
    EXPECT_SAME(uapi::kFUTEX_OP_SET, FUTEX_OP_SET);
    EXPECT_SAME(uapi::kFUTEX_OP_ADD, FUTEX_OP_ADD);
    EXPECT_SAME(uapi::kFUTEX_OP_OR, FUTEX_OP_OR);
    EXPECT_SAME(uapi::kFUTEX_OP_ANDN, FUTEX_OP_ANDN);
    EXPECT_SAME(uapi::kFUTEX_OP_XOR, FUTEX_OP_XOR);
    EXPECT_SAME(uapi::kFUTEX_OP_OPARG_SHIFT, FUTEX_OP_OPARG_SHIFT);
    EXPECT_SAME(uapi::kFUTEX_OP_CMP_EQ, FUTEX_OP_CMP_EQ);
    EXPECT_SAME(uapi::kFUTEX_OP_CMP_NE, FUTEX_OP_CMP_NE);
    EXPECT_SAME(uapi::kFUTEX_OP_CMP_LT, FUTEX_OP_CMP_LT);
    EXPECT_SAME(uapi::kFUTEX_OP_CMP_LE, FUTEX_OP_CMP_LE);
    EXPECT_SAME(uapi::kFUTEX_OP_CMP_GT, FUTEX_OP_CMP_GT);
    EXPECT_SAME(uapi::kFUTEX_OP_CMP_GE, FUTEX_OP_CMP_GE);
}

TEST(LinuxFutexAbi, RobustList) {
    EXPECT_SAME(uapi::kFUTEX_WAITERS, FUTEX_WAITERS);
    EXPECT_SAME(uapi::kFUTEX_OWNER_DIED, FUTEX_OWNER_DIED);
    EXPECT_SAME(uapi::kFUTEX_TID_MASK, FUTEX_TID_MASK);
    EXPECT_SAME(uapi::kROBUST_LIST_LIMIT, ROBUST_LIST_LIMIT);
    EXPECT_SAME(sizeof(uapi::RobustListHead), sizeof(struct robust_list_head));
    EXPECT_FIELD(uapi::RobustListHead, next, struct robust_list_head, list.next);
    EXPECT_FIELD(uapi::RobustListHead, futex_offset, struct robust_list_head, futex_offset);
    EXPECT_FIELD(uapi::RobustListHead, list_op_pending, struct robust_list_head, list_op_pending);
}

}  // namespace
