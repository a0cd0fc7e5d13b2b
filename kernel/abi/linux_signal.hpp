// The Linux x86_64 user ABI for signals, as far as processes need it: the
// signal numbers (signal(7); asm/signal.h), struct siginfo's size and the
// fields a SIGCHLD and waitid(2) fill, and the si_code values of a child's
// state change (CLD_*; asm-generic/siginfo.h). The signals engineer extends
// this file (sigaction, sigset, the signal frame). linux_proc_test.cpp
// checks each value against the host's headers.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace uapi {

inline constexpr int kSIGHUP = 1;
inline constexpr int kSIGINT = 2;
inline constexpr int kSIGQUIT = 3;
inline constexpr int kSIGILL = 4;
inline constexpr int kSIGTRAP = 5;
inline constexpr int kSIGABRT = 6;
inline constexpr int kSIGBUS = 7;
inline constexpr int kSIGFPE = 8;
inline constexpr int kSIGKILL = 9;
inline constexpr int kSIGUSR1 = 10;
inline constexpr int kSIGSEGV = 11;
inline constexpr int kSIGUSR2 = 12;
inline constexpr int kSIGPIPE = 13;
inline constexpr int kSIGALRM = 14;
inline constexpr int kSIGTERM = 15;
inline constexpr int kSIGSTKFLT = 16;
inline constexpr int kSIGCHLD = 17;
inline constexpr int kSIGCONT = 18;
inline constexpr int kSIGSTOP = 19;
inline constexpr int kSIGTSTP = 20;
inline constexpr int kSIGTTIN = 21;
inline constexpr int kSIGTTOU = 22;
inline constexpr int kSIGURG = 23;
inline constexpr int kSIGXCPU = 24;
inline constexpr int kSIGXFSZ = 25;
inline constexpr int kSIGVTALRM = 26;
inline constexpr int kSIGPROF = 27;
inline constexpr int kSIGWINCH = 28;
inline constexpr int kSIGIO = 29;
inline constexpr int kSIGPWR = 30;
inline constexpr int kSIGSYS = 31;
inline constexpr int kSIGRTMIN = 32;  // the kernel's; glibc keeps 32 and 33 for itself
inline constexpr int kNSIG = 64;      // _NSIG: signals 1..64

// struct siginfo: 128 bytes, the union from offset 16 (x86_64 aligns it to 8).
inline constexpr size_t kSiginfoSize = 128;

// si_code of SIGCHLD (CLD_*).
inline constexpr int kCLD_EXITED = 1;
inline constexpr int kCLD_KILLED = 2;
inline constexpr int kCLD_DUMPED = 3;
inline constexpr int kCLD_TRAPPED = 4;
inline constexpr int kCLD_STOPPED = 5;
inline constexpr int kCLD_CONTINUED = 6;

// The SIGCHLD member of the union, as waitid(2) fills it.
struct SiginfoChild {
    int32_t signo;  // si_signo (the C library's si_* names are macros)
    int32_t error;  // si_errno
    int32_t code;   // si_code
    int32_t pad0;
    int32_t pid;     // si_pid
    uint32_t uid;    // si_uid
    int32_t status;  // si_status: the exit code, or the signal
    int32_t pad1;
    int64_t utime;  // si_utime, clock ticks
    int64_t stime;  // si_stime
    uint8_t rest[kSiginfoSize - 48];
};
static_assert(sizeof(SiginfoChild) == kSiginfoSize);

}  // namespace uapi
