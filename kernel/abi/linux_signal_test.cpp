// kernel/abi/linux_signal.hpp against the host: the C library's <signal.h>
// and <sys/ucontext.h> for the numbers and what programs see, and the
// kernel's UAPI headers (linux_signal_uapi_facts_test.cpp) for the structs
// the kernel itself exchanges with programs.
#include "kernel/abi/linux_signal.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <stddef.h>
#include <sys/time.h>
#include <sys/ucontext.h>

#include "kernel/abi/abi_test.hpp"
#include "kernel/abi/linux_signal_uapi_facts.hpp"

namespace {

#define EXPECT_UAPI_FIELD(Ours, field, theirs)                                                         \
    do {                                                                                               \
        EXPECT_EQ(offsetof(Ours, field), kHostUapiSignal.theirs.offset) << #theirs;                    \
        EXPECT_EQ(sizeof(static_cast<Ours*>(nullptr)->field), kHostUapiSignal.theirs.size) << #theirs; \
    } while (0)

TEST(LinuxSignalAbi, SigactionFlagsAndHow) {
    EXPECT_SAME(uapi::kSIG_DFL, reinterpret_cast<uintptr_t>(SIG_DFL));
    EXPECT_SAME(uapi::kSIG_IGN, reinterpret_cast<uintptr_t>(SIG_IGN));
    EXPECT_SAME(uapi::kSA_NOCLDSTOP, SA_NOCLDSTOP);
    EXPECT_SAME(uapi::kSA_NOCLDWAIT, SA_NOCLDWAIT);
    EXPECT_SAME(uapi::kSA_SIGINFO, SA_SIGINFO);
    EXPECT_SAME(uapi::kSA_ONSTACK, SA_ONSTACK);
    EXPECT_SAME(uapi::kSA_RESTART, SA_RESTART);
    EXPECT_SAME(uapi::kSA_NODEFER, SA_NODEFER);
    EXPECT_SAME(uapi::kSA_RESETHAND, static_cast<uint32_t>(SA_RESETHAND));
    EXPECT_SAME(uapi::kSA_RESTORER, kHostUapiSignal.sa_restorer_flag);
    EXPECT_SAME(uapi::kSA_UNSUPPORTED, kHostUapiSignal.sa_unsupported);
    EXPECT_SAME(uapi::kSA_EXPOSE_TAGBITS, kHostUapiSignal.sa_expose_tagbits);
    EXPECT_SAME(uapi::kSIG_BLOCK, SIG_BLOCK);
    EXPECT_SAME(uapi::kSIG_UNBLOCK, SIG_UNBLOCK);
    EXPECT_SAME(uapi::kSIG_SETMASK, SIG_SETMASK);
    EXPECT_SAME(uapi::kSIGRTMIN, __SIGRTMIN);
    EXPECT_SAME(uapi::kNSIG, _NSIG - 1);

    EXPECT_SAME(sizeof(uapi::KernelSigaction), kHostUapiSignal.sigaction_size);
    EXPECT_UAPI_FIELD(uapi::KernelSigaction, handler, f_sa_handler);
    EXPECT_UAPI_FIELD(uapi::KernelSigaction, flags, f_sa_flags);
    EXPECT_UAPI_FIELD(uapi::KernelSigaction, restorer, f_sa_restorer);
    EXPECT_UAPI_FIELD(uapi::KernelSigaction, mask, f_sa_mask);
}

TEST(LinuxSignalAbi, AlternateStack) {
    EXPECT_SAME(uapi::kSS_ONSTACK, SS_ONSTACK);
    EXPECT_SAME(uapi::kSS_DISABLE, SS_DISABLE);
    EXPECT_SAME(uapi::kSS_AUTODISARM, kHostUapiSignal.ss_autodisarm);
    EXPECT_SAME(uapi::kMINSIGSTKSZ, kHostUapiSignal.minsigstksz);
    EXPECT_SAME(uapi::kSIGSTKSZ, kHostUapiSignal.sigstksz);
    EXPECT_SAME(sizeof(uapi::StackT), sizeof(stack_t));
    EXPECT_FIELD(uapi::StackT, sp, stack_t, ss_sp);
    EXPECT_FIELD(uapi::StackT, flags, stack_t, ss_flags);
    EXPECT_FIELD(uapi::StackT, size, stack_t, ss_size);
    EXPECT_SAME(sizeof(uapi::StackT), kHostUapiSignal.stack_size);
    EXPECT_UAPI_FIELD(uapi::StackT, sp, f_ss_sp);
    EXPECT_UAPI_FIELD(uapi::StackT, flags, f_ss_flags);
    EXPECT_UAPI_FIELD(uapi::StackT, size, f_ss_size);
}

TEST(LinuxSignalAbi, SiCodes) {
    EXPECT_SAME(uapi::kSI_USER, SI_USER);
    EXPECT_SAME(uapi::kSI_KERNEL, SI_KERNEL);
    EXPECT_SAME(uapi::kSI_QUEUE, SI_QUEUE);
    EXPECT_SAME(uapi::kSI_TIMER, SI_TIMER);
    EXPECT_SAME(uapi::kSI_MESGQ, SI_MESGQ);
    EXPECT_SAME(uapi::kSI_ASYNCIO, SI_ASYNCIO);
    EXPECT_SAME(uapi::kSI_SIGIO, SI_SIGIO);
    EXPECT_SAME(uapi::kSI_TKILL, SI_TKILL);
    EXPECT_SAME(uapi::kILL_ILLOPC, ILL_ILLOPC);
    EXPECT_SAME(uapi::kILL_ILLOPN, ILL_ILLOPN);
    EXPECT_SAME(uapi::kILL_ILLADR, ILL_ILLADR);
    EXPECT_SAME(uapi::kILL_ILLTRP, ILL_ILLTRP);
    EXPECT_SAME(uapi::kILL_PRVOPC, ILL_PRVOPC);
    EXPECT_SAME(uapi::kILL_PRVREG, ILL_PRVREG);
    EXPECT_SAME(uapi::kILL_COPROC, ILL_COPROC);
    EXPECT_SAME(uapi::kILL_BADSTK, ILL_BADSTK);
    EXPECT_SAME(uapi::kFPE_INTDIV, FPE_INTDIV);
    EXPECT_SAME(uapi::kFPE_INTOVF, FPE_INTOVF);
    EXPECT_SAME(uapi::kFPE_FLTDIV, FPE_FLTDIV);
    EXPECT_SAME(uapi::kFPE_FLTOVF, FPE_FLTOVF);
    EXPECT_SAME(uapi::kFPE_FLTUND, FPE_FLTUND);
    EXPECT_SAME(uapi::kFPE_FLTRES, FPE_FLTRES);
    EXPECT_SAME(uapi::kFPE_FLTINV, FPE_FLTINV);
    EXPECT_SAME(uapi::kFPE_FLTSUB, FPE_FLTSUB);
    EXPECT_SAME(uapi::kSEGV_MAPERR, SEGV_MAPERR);
    EXPECT_SAME(uapi::kSEGV_ACCERR, SEGV_ACCERR);
    EXPECT_SAME(uapi::kBUS_ADRALN, BUS_ADRALN);
    EXPECT_SAME(uapi::kBUS_ADRERR, BUS_ADRERR);
    EXPECT_SAME(uapi::kBUS_OBJERR, BUS_OBJERR);
    EXPECT_SAME(uapi::kTRAP_BRKPT, TRAP_BRKPT);
    EXPECT_SAME(uapi::kTRAP_TRACE, TRAP_TRACE);
}

TEST(LinuxSignalAbi, Siginfo) {
    EXPECT_SAME(sizeof(uapi::Siginfo), sizeof(siginfo_t));
    EXPECT_SAME(sizeof(uapi::Siginfo), kHostUapiSignal.siginfo_size);
    EXPECT_FIELD(uapi::Siginfo, signo, siginfo_t, si_signo);
    EXPECT_FIELD(uapi::Siginfo, error, siginfo_t, si_errno);
    EXPECT_FIELD(uapi::Siginfo, code, siginfo_t, si_code);
    EXPECT_FIELD(uapi::Siginfo, sender.pid, siginfo_t, si_pid);
    EXPECT_FIELD(uapi::Siginfo, sender.uid, siginfo_t, si_uid);
    EXPECT_FIELD(uapi::Siginfo, sender.value, siginfo_t, si_value);
    EXPECT_FIELD(uapi::Siginfo, timer.tid, siginfo_t, si_timerid);
    EXPECT_FIELD(uapi::Siginfo, timer.overrun, siginfo_t, si_overrun);
    EXPECT_FIELD(uapi::Siginfo, child.status, siginfo_t, si_status);
    EXPECT_FIELD(uapi::Siginfo, child.utime, siginfo_t, si_utime);
    EXPECT_FIELD(uapi::Siginfo, child.stime, siginfo_t, si_stime);
    EXPECT_FIELD(uapi::Siginfo, fault.addr, siginfo_t, si_addr);
    EXPECT_UAPI_FIELD(uapi::Siginfo, sender.pid, f_si_pid);
    EXPECT_UAPI_FIELD(uapi::Siginfo, sender.uid, f_si_uid);
    EXPECT_UAPI_FIELD(uapi::Siginfo, sender.value, f_si_value);
    EXPECT_UAPI_FIELD(uapi::Siginfo, timer.tid, f_si_tid);
    EXPECT_UAPI_FIELD(uapi::Siginfo, timer.overrun, f_si_overrun);
    EXPECT_UAPI_FIELD(uapi::Siginfo, timer.value, f_si_timer_value);
    EXPECT_UAPI_FIELD(uapi::Siginfo, child.status, f_si_status);
    EXPECT_UAPI_FIELD(uapi::Siginfo, child.utime, f_si_utime);
    EXPECT_UAPI_FIELD(uapi::Siginfo, child.stime, f_si_stime);
    EXPECT_UAPI_FIELD(uapi::Siginfo, fault.addr, f_si_addr);
    // The SIGCHLD view processes already use is the same bytes.
    EXPECT_EQ(offsetof(uapi::SiginfoChild, status), offsetof(uapi::Siginfo, child.status));
}

TEST(LinuxSignalAbi, SignalFrame) {
    EXPECT_SAME(sizeof(uapi::Sigcontext), kHostUapiSignal.sigcontext_size);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, r8, sc_r8);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, r15, sc_r15);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, rdi, sc_rdi);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, rsp, sc_rsp);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, rip, sc_rip);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, eflags, sc_eflags);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, cs, sc_cs);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, fs, sc_fs);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, ss, sc_ss);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, err, sc_err);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, trapno, sc_trapno);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, oldmask, sc_oldmask);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, cr2, sc_cr2);
    EXPECT_UAPI_FIELD(uapi::Sigcontext, fpstate, sc_fpstate);
    EXPECT_SAME(sizeof(uapi::Fpstate), kHostUapiSignal.fpstate_size);
    EXPECT_UAPI_FIELD(uapi::Fpstate, mxcsr, fp_mxcsr);
    EXPECT_UAPI_FIELD(uapi::Fpstate, mxcsr_mask, fp_mxcsr_mask);
    EXPECT_UAPI_FIELD(uapi::Fpstate, st_space, fp_st_space);
    EXPECT_UAPI_FIELD(uapi::Fpstate, xmm_space, fp_xmm_space);
    EXPECT_UAPI_FIELD(uapi::Fpstate, sw_reserved, fp_sw_reserved);
    EXPECT_SAME(sizeof(uapi::FpxSwBytes), kHostUapiSignal.sw_bytes_size);
    EXPECT_UAPI_FIELD(uapi::FpxSwBytes, extended_size, sw_extended_size);
    EXPECT_UAPI_FIELD(uapi::FpxSwBytes, xfeatures, sw_xfeatures);
    EXPECT_UAPI_FIELD(uapi::FpxSwBytes, xstate_size, sw_xstate_size);
    EXPECT_SAME(uapi::kFP_XSTATE_MAGIC1, kHostUapiSignal.fp_xstate_magic1);
    EXPECT_SAME(uapi::kFP_XSTATE_MAGIC2, kHostUapiSignal.fp_xstate_magic2);
    EXPECT_SAME(uapi::kFP_XSTATE_MAGIC2_SIZE, kHostUapiSignal.fp_xstate_magic2_size);
    EXPECT_SAME(sizeof(uapi::Ucontext), kHostUapiSignal.ucontext_size);
    EXPECT_UAPI_FIELD(uapi::Ucontext, flags, uc_flags);
    EXPECT_UAPI_FIELD(uapi::Ucontext, link, uc_link);
    EXPECT_UAPI_FIELD(uapi::Ucontext, stack, uc_stack);
    EXPECT_UAPI_FIELD(uapi::Ucontext, mcontext, uc_mcontext);
    EXPECT_UAPI_FIELD(uapi::Ucontext, sigmask, uc_sigmask);
    EXPECT_SAME(uapi::kUC_FP_XSTATE, kHostUapiSignal.uc_fp_xstate);
    EXPECT_SAME(uapi::kUC_SIGCONTEXT_SS, kHostUapiSignal.uc_sigcontext_ss);
    EXPECT_SAME(uapi::kUC_STRICT_RESTORE_SS, kHostUapiSignal.uc_strict_restore_ss);
}

// What a handler reads through glibc's ucontext_t (its third argument):
// the registers by REG_* index, the FPU image, the mask's first word.
TEST(LinuxSignalAbi, GlibcUcontextView) {
    EXPECT_FIELD(uapi::Ucontext, flags, ucontext_t, uc_flags);
    EXPECT_FIELD(uapi::Ucontext, stack, ucontext_t, uc_stack);
    EXPECT_EQ(offsetof(uapi::Ucontext, mcontext), offsetof(ucontext_t, uc_mcontext));
    EXPECT_EQ(offsetof(uapi::Ucontext, sigmask), offsetof(ucontext_t, uc_sigmask));
    auto reg = [](int index) { return index * sizeof(greg_t); };
    EXPECT_EQ(offsetof(uapi::Sigcontext, r8), reg(REG_R8));
    EXPECT_EQ(offsetof(uapi::Sigcontext, r15), reg(REG_R15));
    EXPECT_EQ(offsetof(uapi::Sigcontext, rdi), reg(REG_RDI));
    EXPECT_EQ(offsetof(uapi::Sigcontext, rsi), reg(REG_RSI));
    EXPECT_EQ(offsetof(uapi::Sigcontext, rbp), reg(REG_RBP));
    EXPECT_EQ(offsetof(uapi::Sigcontext, rbx), reg(REG_RBX));
    EXPECT_EQ(offsetof(uapi::Sigcontext, rdx), reg(REG_RDX));
    EXPECT_EQ(offsetof(uapi::Sigcontext, rax), reg(REG_RAX));
    EXPECT_EQ(offsetof(uapi::Sigcontext, rcx), reg(REG_RCX));
    EXPECT_EQ(offsetof(uapi::Sigcontext, rsp), reg(REG_RSP));
    EXPECT_EQ(offsetof(uapi::Sigcontext, rip), reg(REG_RIP));
    EXPECT_EQ(offsetof(uapi::Sigcontext, eflags), reg(REG_EFL));
    EXPECT_EQ(offsetof(uapi::Sigcontext, cs), reg(REG_CSGSFS));
    EXPECT_EQ(offsetof(uapi::Sigcontext, err), reg(REG_ERR));
    EXPECT_EQ(offsetof(uapi::Sigcontext, trapno), reg(REG_TRAPNO));
    EXPECT_EQ(offsetof(uapi::Sigcontext, oldmask), reg(REG_OLDMASK));
    EXPECT_EQ(offsetof(uapi::Sigcontext, cr2), reg(REG_CR2));
    EXPECT_EQ(offsetof(uapi::Sigcontext, fpstate), offsetof(mcontext_t, fpregs));
    EXPECT_FIELD(uapi::Fpstate, cwd, struct _libc_fpstate, cwd);
    EXPECT_FIELD(uapi::Fpstate, twd, struct _libc_fpstate, ftw);
    EXPECT_FIELD(uapi::Fpstate, rip, struct _libc_fpstate, rip);
    EXPECT_FIELD(uapi::Fpstate, mxcsr, struct _libc_fpstate, mxcsr);
    EXPECT_FIELD(uapi::Fpstate, st_space, struct _libc_fpstate, _st);
    EXPECT_FIELD(uapi::Fpstate, xmm_space, struct _libc_fpstate, _xmm);
    EXPECT_SAME(sizeof(uapi::Fpstate), sizeof(struct _libc_fpstate));
}

TEST(LinuxSignalAbi, IntervalTimers) {
    EXPECT_SAME(uapi::kITIMER_REAL, ITIMER_REAL);
    EXPECT_SAME(uapi::kITIMER_VIRTUAL, ITIMER_VIRTUAL);
    EXPECT_SAME(uapi::kITIMER_PROF, ITIMER_PROF);
    EXPECT_SAME(sizeof(uapi::Itimerval), sizeof(struct itimerval));
    EXPECT_FIELD(uapi::Itimerval, interval, struct itimerval, it_interval);
    EXPECT_FIELD(uapi::Itimerval, value, struct itimerval, it_value);
}

}  // namespace
