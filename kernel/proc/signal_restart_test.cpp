// The restart table of signal_restart.hpp (signal(7), "Interruption of
// system calls and library functions by signal handlers").
#include "kernel/proc/signal_restart.hpp"

#include <gtest/gtest.h>

namespace proc {
namespace {

constexpr uint64_t kRip = 0x401234;
constexpr uint64_t kRead = uapi::kNR_read;

arch::InterruptFrame returning(lib::Errno code) {
    arch::InterruptFrame frame{};
    frame.rip = kRip;
    frame.rax = uint64_t(-int64_t(code));
    return frame;
}

uint64_t eintr() {
    return uint64_t(-int64_t(lib::Errno::kEINTR));
}

TEST(SignalRestart, WithAHandler) {
    auto f = returning(lib::Errno::kERESTARTSYS);
    restart_before_handler(f, kRead, 0);
    EXPECT_EQ(f.rax, eintr()) << "read without SA_RESTART: EINTR";
    EXPECT_EQ(f.rip, kRip);
    f = returning(lib::Errno::kERESTARTSYS);
    restart_before_handler(f, kRead, uapi::kSA_RESTART);
    EXPECT_EQ(f.rax, kRead) << "with SA_RESTART the call runs again";
    EXPECT_EQ(f.rip, kRip - 2);
    f = returning(lib::Errno::kERESTARTNOINTR);
    restart_before_handler(f, kRead, 0);
    EXPECT_EQ(f.rip, kRip - 2);
    f = returning(lib::Errno::kERESTARTNOHAND);
    restart_before_handler(f, kRead, uapi::kSA_RESTART);
    EXPECT_EQ(f.rax, eintr()) << "pause/sigsuspend: EINTR whatever the flags";
    f = returning(lib::Errno::kERESTART_RESTARTBLOCK);
    restart_before_handler(f, uapi::kNR_nanosleep, uapi::kSA_RESTART);
    EXPECT_EQ(f.rax, eintr()) << "nanosleep is never restarted after a handler";
    f = returning(lib::Errno::kEAGAIN);
    restart_before_handler(f, kRead, uapi::kSA_RESTART);
    EXPECT_EQ(f.rax, uint64_t(-int64_t(lib::Errno::kEAGAIN))) << "other results are left alone";
    EXPECT_EQ(f.rip, kRip);
}

TEST(SignalRestart, WithoutAHandler) {
    for (lib::Errno code : {lib::Errno::kERESTARTSYS, lib::Errno::kERESTARTNOINTR, lib::Errno::kERESTARTNOHAND}) {
        auto f = returning(code);
        restart_without_handler(f, kRead);
        EXPECT_EQ(f.rax, kRead) << lib::errno_name(code);
        EXPECT_EQ(f.rip, kRip - 2);
    }
    auto f = returning(lib::Errno::kERESTART_RESTARTBLOCK);
    restart_without_handler(f, uapi::kNR_nanosleep);
    EXPECT_EQ(f.rax, uapi::kNR_restart_syscall);
    EXPECT_EQ(f.rip, kRip - 2);
    f = returning(lib::Errno::kNone);
    f.rax = 5;  // a successful read of 5 bytes
    restart_without_handler(f, kRead);
    EXPECT_EQ(f.rax, 5u);
}

}  // namespace
}  // namespace proc
