// clone3's argument checks (clone_args.hpp) against what Linux 6.1's
// kernel/fork.c refuses, one rule at a time; tests/user/clone3.c asks the
// running kernels the same.
#include "kernel/proc/clone_args.hpp"

#include <gtest/gtest.h>

#include "kernel/abi/linux_mm.hpp"
#include "kernel/abi/linux_signal.hpp"

namespace proc {
namespace {

using lib::Errno;

constexpr int32_t kPidMax = 32768;

Errno size_error(uint64_t size) {
    auto checked = check_clone_args_size(size);
    return checked ? Errno::kNone : checked.error().code;
}

Errno args_error(const uapi::CloneArgs& args, uint64_t size = uapi::kCloneArgsSizeVer2) {
    auto checked = check_clone_args(args, size);
    return checked ? Errno::kNone : checked.error().code;
}

Errno request_error(const uapi::CloneArgs& args, const int32_t* set_tid = nullptr, bool privileged = true) {
    int32_t none[1] = {0};
    auto request = clone3_request(args, set_tid ? set_tid : none, privileged, kPidMax);
    return request ? Errno::kNone : request.error().code;
}

TEST(Clone3, SizeBounds) {
    EXPECT_EQ(size_error(0), Errno::kEINVAL);
    EXPECT_EQ(size_error(63), Errno::kEINVAL);
    EXPECT_EQ(size_error(64), Errno::kNone);
    EXPECT_EQ(size_error(80), Errno::kNone);
    EXPECT_EQ(size_error(88), Errno::kNone);
    EXPECT_EQ(size_error(4096), Errno::kNone) << "a page, zero past ours, is still a struct";
    EXPECT_EQ(size_error(4097), Errno::kE2BIG);
}

TEST(Clone3, SetTidAndExitSignalAndCgroup) {
    uapi::CloneArgs args{};
    args.set_tid_size = 33;
    args.set_tid = 0x1000;
    EXPECT_EQ(args_error(args), Errno::kEINVAL) << "above MAX_PID_NS_LEVEL";
    args.set_tid_size = 1;
    args.set_tid = 0;
    EXPECT_EQ(args_error(args), Errno::kEINVAL) << "a size without an array";
    args.set_tid_size = 0;
    args.set_tid = 0x1000;
    EXPECT_EQ(args_error(args), Errno::kEINVAL) << "an array without a size";
    args.set_tid = 0;
    args.exit_signal = 65;
    EXPECT_EQ(args_error(args), Errno::kEINVAL);
    args.exit_signal = 1ULL << 32;
    EXPECT_EQ(args_error(args), Errno::kEINVAL) << "upper bits of exit_signal";
    args.exit_signal = uint64_t(uapi::kNSIG);
    EXPECT_EQ(args_error(args), Errno::kNone);
    args.exit_signal = 0;
    args.flags = uapi::kCLONE_INTO_CGROUP;
    args.cgroup = 3;
    EXPECT_EQ(args_error(args, uapi::kCloneArgsSizeVer1), Errno::kEINVAL) << "a cgroup needs the VER2 struct";
    EXPECT_EQ(args_error(args), Errno::kNone);
    args.cgroup = 0x80000000ULL;
    EXPECT_EQ(args_error(args), Errno::kEINVAL) << "above INT_MAX";
}

TEST(Clone3, FlagsClone3Refuses) {
    uapi::CloneArgs args{};
    args.flags = 1ULL << 40;
    EXPECT_EQ(request_error(args), Errno::kEINVAL) << "unknown";
    args.flags = uint64_t(uapi::kSIGCHLD);
    EXPECT_EQ(request_error(args), Errno::kEINVAL) << "the exit signal goes in exit_signal";
    args.flags = uapi::kCLONE_DETACHED;
    EXPECT_EQ(request_error(args), Errno::kEINVAL);
    args.flags = uapi::kCLONE_SIGHAND | uapi::kCLONE_VM | uapi::kCLONE_CLEAR_SIGHAND;
    EXPECT_EQ(request_error(args), Errno::kEINVAL);
    args.flags = uapi::kCLONE_THREAD | uapi::kCLONE_SIGHAND | uapi::kCLONE_VM;
    args.exit_signal = uint64_t(uapi::kSIGCHLD);
    EXPECT_EQ(request_error(args), Errno::kEINVAL) << "threads report to nobody";
    args.flags = uapi::kCLONE_PARENT;
    EXPECT_EQ(request_error(args), Errno::kEINVAL);
    args.flags = uapi::kCLONE_PIDFD | uapi::kCLONE_PARENT_SETTID;
    args.exit_signal = 0;
    args.pidfd = args.parent_tid = 0x5000;
    EXPECT_EQ(request_error(args), Errno::kEINVAL) << "pidfd and parent tid at one address";
    args.parent_tid = 0x5008;
    EXPECT_EQ(request_error(args), Errno::kNone);
}

TEST(Clone3, StackIsGivenWithItsSizeInsideUserSpace) {
    uapi::CloneArgs args{};
    args.stack_size = 4096;
    EXPECT_EQ(request_error(args), Errno::kEINVAL) << "a size without a stack";
    args.stack = 0x10000;
    args.stack_size = 0;
    EXPECT_EQ(request_error(args), Errno::kEINVAL) << "a stack without a size";
    args.stack = 0xffff800000000000ULL;
    args.stack_size = 4096;
    EXPECT_EQ(request_error(args), Errno::kEINVAL) << "kernel half";
    args.stack = uapi::kTaskSize - 4096;
    EXPECT_EQ(request_error(args), Errno::kNone) << "ends at TASK_SIZE_MAX";
    args.stack = uapi::kTaskSize - 4095;
    EXPECT_EQ(request_error(args), Errno::kEINVAL) << "ends past it";
    args.stack = 1;
    args.stack_size = ~0ULL;
    EXPECT_EQ(request_error(args), Errno::kEINVAL) << "wraps";
}

TEST(Clone3, SetTidOneLevelInRangeAndPrivileged) {
    uapi::CloneArgs args{};
    args.set_tid = 0x1000;
    args.set_tid_size = 2;
    int32_t two[2] = {500, 500};
    EXPECT_EQ(request_error(args, two), Errno::kEINVAL) << "one pid namespace level";
    args.set_tid_size = 1;
    for (int32_t bad : {0, -1, kPidMax}) {
        int32_t one[1] = {bad};
        EXPECT_EQ(request_error(args, one), Errno::kEINVAL) << bad;
    }
    int32_t good[1] = {500};
    EXPECT_EQ(request_error(args, good, false), Errno::kEPERM);
    auto request = clone3_request(args, good, true, kPidMax);
    ASSERT_TRUE(request);
    EXPECT_EQ(request->set_tid, 500);
}

TEST(Clone3, RequestCarriesTheExitSignalAndTheStackTop) {
    uapi::CloneArgs args{};
    args.flags = uapi::kCLONE_SETTLS | uapi::kCLONE_PARENT_SETTID | uapi::kCLONE_CHILD_CLEARTID;
    args.exit_signal = uint64_t(uapi::kSIGUSR1);
    args.stack = 0x7f0000000000ULL;
    args.stack_size = 0x8000;
    args.tls = 0x1234;
    args.parent_tid = 0x2000;
    args.child_tid = 0x3000;
    auto request = clone3_request(args, nullptr, true, kPidMax);
    ASSERT_TRUE(request);
    EXPECT_EQ(request->flags, args.flags | uint64_t(uapi::kSIGUSR1));
    EXPECT_EQ(request->stack, 0x7f0000008000ULL);
    EXPECT_EQ(request->tls, 0x1234u);
    EXPECT_EQ(request->parent_tid, 0x2000u);
    EXPECT_EQ(request->child_tid, 0x3000u);
    EXPECT_EQ(request->set_tid, 0);
}

}  // namespace
}  // namespace proc
