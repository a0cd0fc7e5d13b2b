// The host kernel's UAPI view of the signal ABI, gathered in a file of its
// own: <asm/signal.h> and friends clash with the C library's headers (and
// so with GoogleTest's), so this file includes nothing else and exports the
// sizes and offsets for linux_signal_test.cpp to compare.
#include "kernel/abi/linux_signal_uapi_facts.hpp"

#include <asm/sigcontext.h>
#include <asm/siginfo.h>
#include <asm/signal.h>
#include <asm/ucontext.h>
#include <linux/signal.h>
#include <linux/time.h>

#define FIELD(type, field) \
    { offsetof(type, field), sizeof(static_cast<type*>(nullptr)->field) }

const UapiSignalFacts kHostUapiSignal = {
    .sigaction_size = sizeof(struct sigaction),
    .f_sa_handler = FIELD(struct sigaction, sa_handler),
    .f_sa_flags = FIELD(struct sigaction, sa_flags),
    .f_sa_restorer = FIELD(struct sigaction, sa_restorer),
    .f_sa_mask = FIELD(struct sigaction, sa_mask),
    .stack_size = sizeof(stack_t),
    .f_ss_sp = FIELD(stack_t, ss_sp),
    .f_ss_flags = FIELD(stack_t, ss_flags),
    .f_ss_size = FIELD(stack_t, ss_size),
    .minsigstksz = MINSIGSTKSZ,
    .sigstksz = SIGSTKSZ,
    .ss_autodisarm = SS_AUTODISARM,
    .sa_restorer_flag = SA_RESTORER,
    .sa_unsupported = SA_UNSUPPORTED,
    .sa_expose_tagbits = SA_EXPOSE_TAGBITS,
    .siginfo_size = sizeof(siginfo_t),
    .f_si_pid = FIELD(siginfo_t, _sifields._rt._pid),
    .f_si_uid = FIELD(siginfo_t, _sifields._rt._uid),
    .f_si_value = FIELD(siginfo_t, _sifields._rt._sigval),
    .f_si_tid = FIELD(siginfo_t, _sifields._timer._tid),
    .f_si_overrun = FIELD(siginfo_t, _sifields._timer._overrun),
    .f_si_timer_value = FIELD(siginfo_t, _sifields._timer._sigval),
    .f_si_status = FIELD(siginfo_t, _sifields._sigchld._status),
    .f_si_utime = FIELD(siginfo_t, _sifields._sigchld._utime),
    .f_si_stime = FIELD(siginfo_t, _sifields._sigchld._stime),
    .f_si_addr = FIELD(siginfo_t, _sifields._sigfault._addr),
    .sigcontext_size = sizeof(struct sigcontext),
    .sc_r8 = FIELD(struct sigcontext, r8),
    .sc_r15 = FIELD(struct sigcontext, r15),
    .sc_rdi = FIELD(struct sigcontext, rdi),
    .sc_rsp = FIELD(struct sigcontext, rsp),
    .sc_rip = FIELD(struct sigcontext, rip),
    .sc_eflags = FIELD(struct sigcontext, eflags),
    .sc_cs = FIELD(struct sigcontext, cs),
    .sc_fs = FIELD(struct sigcontext, fs),
    .sc_ss = FIELD(struct sigcontext, ss),
    .sc_err = FIELD(struct sigcontext, err),
    .sc_trapno = FIELD(struct sigcontext, trapno),
    .sc_oldmask = FIELD(struct sigcontext, oldmask),
    .sc_cr2 = FIELD(struct sigcontext, cr2),
    .sc_fpstate = FIELD(struct sigcontext, fpstate),
    .fpstate_size = sizeof(struct _fpstate_64),
    .fp_mxcsr = FIELD(struct _fpstate_64, mxcsr),
    .fp_mxcsr_mask = FIELD(struct _fpstate_64, mxcsr_mask),
    .fp_st_space = FIELD(struct _fpstate_64, st_space),
    .fp_xmm_space = FIELD(struct _fpstate_64, xmm_space),
    .fp_sw_reserved = FIELD(struct _fpstate_64, sw_reserved),
    .sw_bytes_size = sizeof(struct _fpx_sw_bytes),
    .sw_extended_size = FIELD(struct _fpx_sw_bytes, extended_size),
    .sw_xfeatures = FIELD(struct _fpx_sw_bytes, xfeatures),
    .sw_xstate_size = FIELD(struct _fpx_sw_bytes, xstate_size),
    .fp_xstate_magic1 = FP_XSTATE_MAGIC1,
    .fp_xstate_magic2 = FP_XSTATE_MAGIC2,
    .fp_xstate_magic2_size = FP_XSTATE_MAGIC2_SIZE,
    .ucontext_size = sizeof(struct ucontext),
    .uc_flags = FIELD(struct ucontext, uc_flags),
    .uc_link = FIELD(struct ucontext, uc_link),
    .uc_stack = FIELD(struct ucontext, uc_stack),
    .uc_mcontext = FIELD(struct ucontext, uc_mcontext),
    .uc_sigmask = FIELD(struct ucontext, uc_sigmask),
    .uc_fp_xstate = UC_FP_XSTATE,
    .uc_sigcontext_ss = UC_SIGCONTEXT_SS,
    .uc_strict_restore_ss = UC_STRICT_RESTORE_SS,
};
