// kernel/abi/linux_syscalls.hpp against this host's <asm/unistd_64.h>: every
// number we list is the host's, and every number the host lists is ours.
#include "kernel/abi/linux_syscalls.hpp"

#include <asm/unistd_64.h>
#include <string.h>

#include <gtest/gtest.h>

namespace {

TEST(LinuxSyscallsAbi, EveryNumberIsTheHosts) {
    int checked = 0;
#define CHECK_NUMBER(name, number)                                 \
    EXPECT_EQ(uapi::kNR_##name, uint32_t(__NR_##name)) << #name;   \
    EXPECT_STREQ(uapi::syscall_name(__NR_##name), #name) << #name; \
    ++checked;
    UAPI_LINUX_SYSCALLS(CHECK_NUMBER)
#undef CHECK_NUMBER
    EXPECT_EQ(checked, 362);  // the 6.1 UAPI's count: 0..334 and 424..450
}

TEST(LinuxSyscallsAbi, TheHostsCallsAreAllListed) {
    // The last number of the 6.1 UAPI, and the gap x86_64 leaves unused.
    EXPECT_EQ(uapi::kSyscallCount, uint32_t(__NR_set_mempolicy_home_node + 1));
    for (uint32_t n = 335; n < 424; ++n) EXPECT_EQ(uapi::syscall_name(n), nullptr) << n;
    EXPECT_EQ(uapi::syscall_name(uapi::kSyscallCount), nullptr);
    EXPECT_EQ(uapi::syscall_name(~0ULL), nullptr);
    // A few the start-up of every static glibc program makes.
    EXPECT_EQ(uapi::kNR_arch_prctl, 158u);
    EXPECT_EQ(uapi::kNR_set_tid_address, 218u);
    EXPECT_EQ(uapi::kNR_rseq, 334u);
    EXPECT_EQ(uapi::kNR_clone3, 435u);
}

}  // namespace
