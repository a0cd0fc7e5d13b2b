// The Linux x86_64 user ABI for signals: the signal numbers (signal(7);
// asm/signal.h), sigaction as the kernel reads it (rt_sigaction(2): the
// struct of asm/signal.h, whose mask is the kernel's 64-bit sigset), the
// SA_*, SIG_* and SS_* flags, stack_t (sigaltstack(2)), struct siginfo and
// its si_code values (asm-generic/siginfo.h), and the signal frame of
// x86_64 (asm/sigcontext.h, asm/ucontext.h: struct sigcontext, the FXSAVE
// image _fpstate with its XSAVE software bytes, struct ucontext, and the
// rt_sigframe the kernel pushes: its return address, ucontext and siginfo).
// linux_proc_test.cpp, linux_signal_test.cpp (the C library's view) and
// linux_signal_uapi_test.cpp (the kernel UAPI headers' view) check each
// value against the host's headers; docs/signals.md explains the frame.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_time.hpp"

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

// ---- sigaction (rt_sigaction(2); asm/signal.h, x86_64)
inline constexpr uint64_t kSIG_DFL = 0;
inline constexpr uint64_t kSIG_IGN = 1;
inline constexpr uint64_t kSA_NOCLDSTOP = 0x00000001;
inline constexpr uint64_t kSA_NOCLDWAIT = 0x00000002;
inline constexpr uint64_t kSA_SIGINFO = 0x00000004;
inline constexpr uint64_t kSA_UNSUPPORTED = 0x00000400;
inline constexpr uint64_t kSA_EXPOSE_TAGBITS = 0x00000800;
inline constexpr uint64_t kSA_RESTORER = 0x04000000;
inline constexpr uint64_t kSA_ONSTACK = 0x08000000;
inline constexpr uint64_t kSA_RESTART = 0x10000000;
inline constexpr uint64_t kSA_NODEFER = 0x40000000;
inline constexpr uint64_t kSA_RESETHAND = 0x80000000;

// rt_sigprocmask's `how`.
inline constexpr int kSIG_BLOCK = 0;
inline constexpr int kSIG_UNBLOCK = 1;
inline constexpr int kSIG_SETMASK = 2;

// The kernel's sigset_t: one bit per signal, signal n at bit n - 1. The
// system calls take its size and refuse any other (EINVAL).
using Sigset = uint64_t;
inline constexpr size_t kSigsetSize = sizeof(Sigset);

// struct sigaction as rt_sigaction(2) passes it (not the C library's,
// whose sa_mask is 128 bytes and whose fields come in another order).
struct KernelSigaction {
    uint64_t handler;   // sa_handler / sa_sigaction, or SIG_DFL, SIG_IGN
    uint64_t flags;     // SA_*
    uint64_t restorer;  // sa_restorer: where the handler returns (SA_RESTORER)
    Sigset mask;        // sa_mask
};
static_assert(sizeof(KernelSigaction) == 32);

// ---- the alternate signal stack (sigaltstack(2))
inline constexpr int kSS_ONSTACK = 1;
inline constexpr int kSS_DISABLE = 2;
inline constexpr uint32_t kSS_AUTODISARM = 1u << 31;
inline constexpr uint32_t kSS_FLAG_BITS = kSS_AUTODISARM;
inline constexpr size_t kMINSIGSTKSZ = 2048;
inline constexpr size_t kSIGSTKSZ = 8192;

struct StackT {
    uint64_t sp;    // ss_sp
    int32_t flags;  // ss_flags
    int32_t pad;
    uint64_t size;  // ss_size
};
static_assert(sizeof(StackT) == 24);

// ---- si_code (asm-generic/siginfo.h). <= 0: sent by a process (a
// process may only queue those: rt_sigqueueinfo(2)); > 0: by the kernel.
inline constexpr int kSI_USER = 0;
inline constexpr int kSI_KERNEL = 0x80;
inline constexpr int kSI_QUEUE = -1;
inline constexpr int kSI_TIMER = -2;
inline constexpr int kSI_MESGQ = -3;
inline constexpr int kSI_ASYNCIO = -4;
inline constexpr int kSI_SIGIO = -5;
inline constexpr int kSI_TKILL = -6;

inline constexpr int kILL_ILLOPC = 1;
inline constexpr int kILL_ILLOPN = 2;
inline constexpr int kILL_ILLADR = 3;
inline constexpr int kILL_ILLTRP = 4;
inline constexpr int kILL_PRVOPC = 5;
inline constexpr int kILL_PRVREG = 6;
inline constexpr int kILL_COPROC = 7;
inline constexpr int kILL_BADSTK = 8;

inline constexpr int kFPE_INTDIV = 1;
inline constexpr int kFPE_INTOVF = 2;
inline constexpr int kFPE_FLTDIV = 3;
inline constexpr int kFPE_FLTOVF = 4;
inline constexpr int kFPE_FLTUND = 5;
inline constexpr int kFPE_FLTRES = 6;
inline constexpr int kFPE_FLTINV = 7;
inline constexpr int kFPE_FLTSUB = 8;

inline constexpr int kSEGV_MAPERR = 1;
inline constexpr int kSEGV_ACCERR = 2;

inline constexpr int kBUS_ADRALN = 1;
inline constexpr int kBUS_ADRERR = 2;
inline constexpr int kBUS_OBJERR = 3;

inline constexpr int kTRAP_BRKPT = 1;
inline constexpr int kTRAP_TRACE = 2;

// ---- struct siginfo, all of it: the header and the union members the
// kernel fills (asm-generic/siginfo.h, __ARCH_SI_PREAMBLE_SIZE 16 on x86_64).
struct Siginfo {
    int32_t signo;  // si_signo
    int32_t error;  // si_errno
    int32_t code;   // si_code
    int32_t pad0;
    union {
        struct {  // kill, tgkill, sigqueue (SI_USER, SI_TKILL, SI_QUEUE)
            int32_t pid;
            uint32_t uid;
            uint64_t value;  // si_value (sigqueue only)
        } sender;
        struct {  // POSIX timers, and ITIMER_REAL's SIGALRM (SI_TIMER)
            int32_t tid;
            int32_t overrun;
            uint64_t value;
        } timer;
        struct {  // SIGCHLD
            int32_t pid;
            uint32_t uid;
            int32_t status;
            int32_t pad;
            int64_t utime;
            int64_t stime;
        } child;
        struct {  // SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP
            uint64_t addr;
        } fault;
        uint8_t raw[kSiginfoSize - 16];
    };
};
static_assert(sizeof(Siginfo) == kSiginfoSize);
static_assert(offsetof(Siginfo, sender) == 16);

// ---- the signal frame (asm/sigcontext.h, asm/ucontext.h; x86_64)
// struct _fpx_sw_bytes: what the kernel writes into the FXSAVE image's
// software-reserved bytes (464..511) when an XSAVE image follows.
inline constexpr uint32_t kFP_XSTATE_MAGIC1 = 0x46505853;  // "FPXS"
inline constexpr uint32_t kFP_XSTATE_MAGIC2 = 0x46505845;  // "FPXE", after the XSAVE image
inline constexpr size_t kFP_XSTATE_MAGIC2_SIZE = 4;
struct FpxSwBytes {
    uint32_t magic1;         // kFP_XSTATE_MAGIC1
    uint32_t extended_size;  // the whole XSAVE image plus kFP_XSTATE_MAGIC2_SIZE
    uint64_t xfeatures;      // the XSAVE components present
    uint32_t xstate_size;    // the XSAVE image's size, without the second magic
    uint32_t padding[7];
};
static_assert(sizeof(FpxSwBytes) == 48);

// struct _fpstate_64: the 512-byte FXSAVE image (Intel SDM Vol. 1 §10.5.1,
// Table 10-2), 16-byte aligned; an XSAVE image starts the same way.
struct Fpstate {
    uint16_t cwd, swd, twd, fop;
    uint64_t rip, rdp;
    uint32_t mxcsr, mxcsr_mask;
    uint32_t st_space[32];
    uint32_t xmm_space[64];
    uint32_t reserved2[12];
    FpxSwBytes sw_reserved;
};
static_assert(sizeof(Fpstate) == 512);
inline constexpr size_t kFxsaveSize = 512;
inline constexpr size_t kXsaveHeaderSize = 64;  // after the FXSAVE image (SDM Vol. 1 §13.4.2)

// struct sigcontext (the 64-bit one): the registers at the moment of the
// signal, as uc_mcontext.
struct Sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp;
    uint64_t rip;
    uint64_t eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err;      // the exception's error code (a fault's), else 0
    uint64_t trapno;   // the exception vector
    uint64_t oldmask;  // the blocked mask (also in uc_sigmask)
    uint64_t cr2;      // a page fault's address
    uint64_t fpstate;  // user address of the FPU image, or 0
    uint64_t reserved1[8];
};
static_assert(sizeof(Sigcontext) == 256);

// uc_flags.
inline constexpr uint64_t kUC_FP_XSTATE = 0x1;          // the FPU image has an XSAVE part
inline constexpr uint64_t kUC_SIGCONTEXT_SS = 0x2;      // sigcontext.ss is meaningful
inline constexpr uint64_t kUC_STRICT_RESTORE_SS = 0x4;  // rt_sigreturn restores ss as saved

struct Ucontext {
    uint64_t flags;  // uc_flags
    uint64_t link;   // uc_link (unused by the kernel: 0)
    StackT stack;    // uc_stack: the alternate stack as it was
    Sigcontext mcontext;
    Sigset sigmask;  // uc_sigmask: the mask to restore
};
static_assert(sizeof(Ucontext) == 304);

// struct rt_sigframe (arch/x86/include/asm/sigframe.h): what the handler
// finds at its RSP. `pretcode` is the restorer, popped by the handler's
// RET; rt_sigreturn then finds the frame at RSP - 8.
struct RtSigframe {
    uint64_t pretcode;
    Ucontext uc;
    Siginfo info;
};
static_assert(sizeof(RtSigframe) == 440);
static_assert(offsetof(RtSigframe, uc) == 8);
static_assert(offsetof(RtSigframe, info) == 312);

// ---- interval timers (setitimer(2))
inline constexpr int kITIMER_REAL = 0;
inline constexpr int kITIMER_VIRTUAL = 1;
inline constexpr int kITIMER_PROF = 2;
struct Itimerval {
    Timeval interval;  // it_interval: the period (0: one shot)
    Timeval value;     // it_value: time to the next expiry (0: disarmed)
};
static_assert(sizeof(Itimerval) == 32);

}  // namespace uapi
