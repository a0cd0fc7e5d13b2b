// Sizes and offsets of the signal ABI as the host kernel's UAPI headers
// have them (linux_signal_uapi_facts_test.cpp gathers them; those headers cannot
// share a file with the C library's).
#pragma once

#include <stddef.h>
#include <stdint.h>

struct UapiField {
    size_t offset;
    size_t size;
};

struct UapiSignalFacts {
    size_t sigaction_size;
    UapiField f_sa_handler, f_sa_flags, f_sa_restorer, f_sa_mask;
    size_t stack_size;
    UapiField f_ss_sp, f_ss_flags, f_ss_size;
    int64_t minsigstksz, sigstksz, ss_autodisarm, sa_restorer_flag, sa_unsupported, sa_expose_tagbits;
    size_t siginfo_size;
    UapiField f_si_pid, f_si_uid, f_si_value, f_si_tid, f_si_overrun, f_si_timer_value, f_si_status, f_si_utime,
        f_si_stime, f_si_addr;
    size_t sigcontext_size;
    UapiField sc_r8, sc_r15, sc_rdi, sc_rsp, sc_rip, sc_eflags, sc_cs, sc_fs, sc_ss, sc_err, sc_trapno, sc_oldmask,
        sc_cr2, sc_fpstate;
    size_t fpstate_size;
    UapiField fp_mxcsr, fp_mxcsr_mask, fp_st_space, fp_xmm_space, fp_sw_reserved;
    size_t sw_bytes_size;
    UapiField sw_extended_size, sw_xfeatures, sw_xstate_size;
    int64_t fp_xstate_magic1, fp_xstate_magic2, fp_xstate_magic2_size;
    size_t ucontext_size;
    UapiField uc_flags, uc_link, uc_stack, uc_mcontext, uc_sigmask;
    int64_t uc_fp_xstate, uc_sigcontext_ss, uc_strict_restore_ss;
};

extern const UapiSignalFacts kHostUapiSignal;
