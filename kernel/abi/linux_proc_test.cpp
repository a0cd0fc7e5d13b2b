// kernel/abi/linux_proc.hpp, linux_time.hpp and linux_signal.hpp against
// this host's C library and UAPI headers: numbers, sizes, field offsets.
#include "kernel/abi/linux_proc.hpp"

#include <asm/prctl.h>
#include <linux/reboot.h>
#include <linux/rseq.h>
#include <linux/sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include <gtest/gtest.h>

#include "kernel/abi/abi_test.hpp"
#include "kernel/abi/linux_signal.hpp"
#include "kernel/abi/linux_time.hpp"

namespace {

TEST(LinuxProcAbi, CloneFlags) {
    EXPECT_SAME(uapi::kCSIGNAL, CSIGNAL);
    EXPECT_SAME(uapi::kCLONE_VM, CLONE_VM);
    EXPECT_SAME(uapi::kCLONE_FS, CLONE_FS);
    EXPECT_SAME(uapi::kCLONE_FILES, CLONE_FILES);
    EXPECT_SAME(uapi::kCLONE_SIGHAND, CLONE_SIGHAND);
    EXPECT_SAME(uapi::kCLONE_PIDFD, CLONE_PIDFD);
    EXPECT_SAME(uapi::kCLONE_PTRACE, CLONE_PTRACE);
    EXPECT_SAME(uapi::kCLONE_VFORK, CLONE_VFORK);
    EXPECT_SAME(uapi::kCLONE_PARENT, CLONE_PARENT);
    EXPECT_SAME(uapi::kCLONE_THREAD, CLONE_THREAD);
    EXPECT_SAME(uapi::kCLONE_NEWNS, CLONE_NEWNS);
    EXPECT_SAME(uapi::kCLONE_SYSVSEM, CLONE_SYSVSEM);
    EXPECT_SAME(uapi::kCLONE_SETTLS, CLONE_SETTLS);
    EXPECT_SAME(uapi::kCLONE_PARENT_SETTID, CLONE_PARENT_SETTID);
    EXPECT_SAME(uapi::kCLONE_CHILD_CLEARTID, CLONE_CHILD_CLEARTID);
    EXPECT_SAME(uapi::kCLONE_DETACHED, CLONE_DETACHED);
    EXPECT_SAME(uapi::kCLONE_UNTRACED, CLONE_UNTRACED);
    EXPECT_SAME(uapi::kCLONE_CHILD_SETTID, CLONE_CHILD_SETTID);
    EXPECT_SAME(uapi::kCLONE_NEWCGROUP, CLONE_NEWCGROUP);
    EXPECT_SAME(uapi::kCLONE_NEWUTS, CLONE_NEWUTS);
    EXPECT_SAME(uapi::kCLONE_NEWIPC, CLONE_NEWIPC);
    EXPECT_SAME(uapi::kCLONE_NEWUSER, CLONE_NEWUSER);
    EXPECT_SAME(uapi::kCLONE_NEWPID, CLONE_NEWPID);
    EXPECT_SAME(uapi::kCLONE_NEWNET, CLONE_NEWNET);
    EXPECT_SAME(uapi::kCLONE_IO, CLONE_IO);
    EXPECT_SAME(uapi::kCLONE_CLEAR_SIGHAND, CLONE_CLEAR_SIGHAND);
    EXPECT_SAME(uapi::kCLONE_INTO_CGROUP, CLONE_INTO_CGROUP);
    EXPECT_SAME(sizeof(uapi::CloneArgs), sizeof(struct clone_args));
    EXPECT_SAME(uapi::kCloneArgsSizeVer0, CLONE_ARGS_SIZE_VER0);
    EXPECT_SAME(uapi::kCloneArgsSizeVer1, CLONE_ARGS_SIZE_VER1);
    EXPECT_SAME(uapi::kCloneArgsSizeVer2, CLONE_ARGS_SIZE_VER2);
    EXPECT_FIELD(uapi::CloneArgs, flags, struct clone_args, flags);
    EXPECT_FIELD(uapi::CloneArgs, pidfd, struct clone_args, pidfd);
    EXPECT_FIELD(uapi::CloneArgs, child_tid, struct clone_args, child_tid);
    EXPECT_FIELD(uapi::CloneArgs, parent_tid, struct clone_args, parent_tid);
    EXPECT_FIELD(uapi::CloneArgs, exit_signal, struct clone_args, exit_signal);
    EXPECT_FIELD(uapi::CloneArgs, stack, struct clone_args, stack);
    EXPECT_FIELD(uapi::CloneArgs, stack_size, struct clone_args, stack_size);
    EXPECT_FIELD(uapi::CloneArgs, tls, struct clone_args, tls);
    EXPECT_FIELD(uapi::CloneArgs, set_tid, struct clone_args, set_tid);
    EXPECT_FIELD(uapi::CloneArgs, set_tid_size, struct clone_args, set_tid_size);
    EXPECT_FIELD(uapi::CloneArgs, cgroup, struct clone_args, cgroup);
}

TEST(LinuxProcAbi, WaitOptionsAndStatuses) {
    EXPECT_SAME(uapi::kWNOHANG, WNOHANG);
    EXPECT_SAME(uapi::kWUNTRACED, WUNTRACED);
    EXPECT_SAME(uapi::kWSTOPPED, WSTOPPED);
    EXPECT_SAME(uapi::kWEXITED, WEXITED);
    EXPECT_SAME(uapi::kWCONTINUED, WCONTINUED);
    EXPECT_SAME(uapi::kWNOWAIT, WNOWAIT);
    EXPECT_SAME(uapi::k__WNOTHREAD, __WNOTHREAD);
    EXPECT_SAME(uapi::k__WALL, __WALL);
    EXPECT_SAME(uapi::k__WCLONE, __WCLONE);
    EXPECT_SAME(uapi::kP_ALL, P_ALL);
    EXPECT_SAME(uapi::kP_PID, P_PID);
    EXPECT_SAME(uapi::kP_PGID, P_PGID);
    EXPECT_SAME(uapi::kP_PIDFD, P_PIDFD);
    // The status words decode as the C library's macros say.
    int exited = uapi::wait_status_exited(513);
    EXPECT_TRUE(WIFEXITED(exited));
    EXPECT_EQ(WEXITSTATUS(exited), 1);
    int killed = uapi::wait_status_signaled(SIGSEGV, true);
    EXPECT_TRUE(WIFSIGNALED(killed));
    EXPECT_EQ(WTERMSIG(killed), SIGSEGV);
    EXPECT_TRUE(WCOREDUMP(killed));
    EXPECT_FALSE(WCOREDUMP(uapi::wait_status_signaled(SIGKILL, false)));
    int stopped = uapi::wait_status_stopped(SIGTSTP);
    EXPECT_TRUE(WIFSTOPPED(stopped));
    EXPECT_EQ(WSTOPSIG(stopped), SIGTSTP);
    EXPECT_TRUE(WIFCONTINUED(uapi::kWaitStatusContinued));
    EXPECT_FALSE(WIFEXITED(uapi::kWaitStatusContinued));
}

TEST(LinuxProcAbi, ResourceLimitsAndUsage) {
    EXPECT_SAME(uapi::kRLIMIT_CPU, RLIMIT_CPU);
    EXPECT_SAME(uapi::kRLIMIT_FSIZE, RLIMIT_FSIZE);
    EXPECT_SAME(uapi::kRLIMIT_DATA, RLIMIT_DATA);
    EXPECT_SAME(uapi::kRLIMIT_STACK, RLIMIT_STACK);
    EXPECT_SAME(uapi::kRLIMIT_CORE, RLIMIT_CORE);
    EXPECT_SAME(uapi::kRLIMIT_RSS, RLIMIT_RSS);
    EXPECT_SAME(uapi::kRLIMIT_NPROC, RLIMIT_NPROC);
    EXPECT_SAME(uapi::kRLIMIT_NOFILE, RLIMIT_NOFILE);
    EXPECT_SAME(uapi::kRLIMIT_MEMLOCK, RLIMIT_MEMLOCK);
    EXPECT_SAME(uapi::kRLIMIT_AS, RLIMIT_AS);
    EXPECT_SAME(uapi::kRLIMIT_LOCKS, RLIMIT_LOCKS);
    EXPECT_SAME(uapi::kRLIMIT_SIGPENDING, RLIMIT_SIGPENDING);
    EXPECT_SAME(uapi::kRLIMIT_MSGQUEUE, RLIMIT_MSGQUEUE);
    EXPECT_SAME(uapi::kRLIMIT_NICE, RLIMIT_NICE);
    EXPECT_SAME(uapi::kRLIMIT_RTPRIO, RLIMIT_RTPRIO);
    EXPECT_SAME(uapi::kRLIMIT_RTTIME, RLIMIT_RTTIME);
    EXPECT_SAME(uapi::kRLIM_NLIMITS, RLIMIT_NLIMITS);
    EXPECT_EQ(uapi::kRLIM_INFINITY, uint64_t(RLIM64_INFINITY));
    EXPECT_SAME(sizeof(uapi::Rlimit), sizeof(struct rlimit64));
    EXPECT_FIELD(uapi::Rlimit, rlim_cur, struct rlimit64, rlim_cur);
    EXPECT_FIELD(uapi::Rlimit, rlim_max, struct rlimit64, rlim_max);

    EXPECT_SAME(uapi::kRUSAGE_SELF, RUSAGE_SELF);
    EXPECT_SAME(uapi::kRUSAGE_CHILDREN, RUSAGE_CHILDREN);
    EXPECT_SAME(uapi::kRUSAGE_THREAD, RUSAGE_THREAD);
    EXPECT_SAME(sizeof(uapi::Rusage), sizeof(struct rusage));
    EXPECT_FIELD(uapi::Rusage, ru_utime, struct rusage, ru_utime);
    EXPECT_FIELD(uapi::Rusage, ru_stime, struct rusage, ru_stime);
    EXPECT_FIELD(uapi::Rusage, ru_maxrss, struct rusage, ru_maxrss);
    EXPECT_FIELD(uapi::Rusage, ru_minflt, struct rusage, ru_minflt);
    EXPECT_FIELD(uapi::Rusage, ru_majflt, struct rusage, ru_majflt);
    EXPECT_FIELD(uapi::Rusage, ru_nsignals, struct rusage, ru_nsignals);
    EXPECT_FIELD(uapi::Rusage, ru_nvcsw, struct rusage, ru_nvcsw);
    EXPECT_FIELD(uapi::Rusage, ru_nivcsw, struct rusage, ru_nivcsw);
}

TEST(LinuxProcAbi, UtsnameAndSysinfo) {
    EXPECT_SAME(sizeof(uapi::Utsname), sizeof(struct utsname));
    EXPECT_FIELD(uapi::Utsname, sysname, struct utsname, sysname);
    EXPECT_FIELD(uapi::Utsname, nodename, struct utsname, nodename);
    EXPECT_FIELD(uapi::Utsname, release, struct utsname, release);
    EXPECT_FIELD(uapi::Utsname, version, struct utsname, version);
    EXPECT_FIELD(uapi::Utsname, machine, struct utsname, machine);
    EXPECT_FIELD(uapi::Utsname, domainname, struct utsname, domainname);

    EXPECT_SAME(sizeof(uapi::Sysinfo), sizeof(struct sysinfo));
    EXPECT_SAME(uapi::kSI_LOAD_SHIFT, SI_LOAD_SHIFT);
    EXPECT_FIELD(uapi::Sysinfo, uptime, struct sysinfo, uptime);
    EXPECT_FIELD(uapi::Sysinfo, loads, struct sysinfo, loads);
    EXPECT_FIELD(uapi::Sysinfo, totalram, struct sysinfo, totalram);
    EXPECT_FIELD(uapi::Sysinfo, freeram, struct sysinfo, freeram);
    EXPECT_FIELD(uapi::Sysinfo, sharedram, struct sysinfo, sharedram);
    EXPECT_FIELD(uapi::Sysinfo, bufferram, struct sysinfo, bufferram);
    EXPECT_FIELD(uapi::Sysinfo, totalswap, struct sysinfo, totalswap);
    EXPECT_FIELD(uapi::Sysinfo, freeswap, struct sysinfo, freeswap);
    EXPECT_FIELD(uapi::Sysinfo, procs, struct sysinfo, procs);
    EXPECT_FIELD(uapi::Sysinfo, totalhigh, struct sysinfo, totalhigh);
    EXPECT_FIELD(uapi::Sysinfo, freehigh, struct sysinfo, freehigh);
    EXPECT_FIELD(uapi::Sysinfo, mem_unit, struct sysinfo, mem_unit);
}

TEST(LinuxProcAbi, PrctlRebootPersonalityRandom) {
    EXPECT_SAME(uapi::kARCH_SET_GS, ARCH_SET_GS);
    EXPECT_SAME(uapi::kARCH_SET_FS, ARCH_SET_FS);
    EXPECT_SAME(uapi::kARCH_GET_FS, ARCH_GET_FS);
    EXPECT_SAME(uapi::kARCH_GET_GS, ARCH_GET_GS);
    EXPECT_SAME(uapi::kARCH_GET_CPUID, ARCH_GET_CPUID);
    EXPECT_SAME(uapi::kARCH_SET_CPUID, ARCH_SET_CPUID);

    EXPECT_SAME(uapi::kPR_SET_PDEATHSIG, PR_SET_PDEATHSIG);
    EXPECT_SAME(uapi::kPR_GET_PDEATHSIG, PR_GET_PDEATHSIG);
    EXPECT_SAME(uapi::kPR_GET_DUMPABLE, PR_GET_DUMPABLE);
    EXPECT_SAME(uapi::kPR_SET_DUMPABLE, PR_SET_DUMPABLE);
    EXPECT_SAME(uapi::kPR_SET_NAME, PR_SET_NAME);
    EXPECT_SAME(uapi::kPR_GET_NAME, PR_GET_NAME);
    EXPECT_SAME(uapi::kPR_CAPBSET_READ, PR_CAPBSET_READ);
    EXPECT_SAME(uapi::kPR_SET_TIMERSLACK, PR_SET_TIMERSLACK);
    EXPECT_SAME(uapi::kPR_GET_TIMERSLACK, PR_GET_TIMERSLACK);
    EXPECT_SAME(uapi::kPR_SET_CHILD_SUBREAPER, PR_SET_CHILD_SUBREAPER);
    EXPECT_SAME(uapi::kPR_GET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER);
    EXPECT_SAME(uapi::kPR_SET_NO_NEW_PRIVS, PR_SET_NO_NEW_PRIVS);
    EXPECT_SAME(uapi::kPR_GET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS);
    EXPECT_SAME(uapi::kPR_SET_VMA, 0x53564d41);  // newer than some hosts' headers

    EXPECT_SAME(uapi::kLINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC1);
    EXPECT_SAME(uapi::kLINUX_REBOOT_MAGIC2, LINUX_REBOOT_MAGIC2);
    EXPECT_SAME(uapi::kLINUX_REBOOT_MAGIC2A, LINUX_REBOOT_MAGIC2A);
    EXPECT_SAME(uapi::kLINUX_REBOOT_MAGIC2B, LINUX_REBOOT_MAGIC2B);
    EXPECT_SAME(uapi::kLINUX_REBOOT_MAGIC2C, LINUX_REBOOT_MAGIC2C);
    EXPECT_SAME(uapi::kLINUX_REBOOT_CMD_RESTART, LINUX_REBOOT_CMD_RESTART);
    EXPECT_SAME(uapi::kLINUX_REBOOT_CMD_HALT, LINUX_REBOOT_CMD_HALT);
    EXPECT_SAME(uapi::kLINUX_REBOOT_CMD_CAD_ON, LINUX_REBOOT_CMD_CAD_ON);
    EXPECT_SAME(uapi::kLINUX_REBOOT_CMD_CAD_OFF, LINUX_REBOOT_CMD_CAD_OFF);
    EXPECT_SAME(uapi::kLINUX_REBOOT_CMD_POWER_OFF, LINUX_REBOOT_CMD_POWER_OFF);
    EXPECT_SAME(uapi::kLINUX_REBOOT_CMD_RESTART2, LINUX_REBOOT_CMD_RESTART2);
    EXPECT_SAME(uapi::kLINUX_REBOOT_CMD_SW_SUSPEND, LINUX_REBOOT_CMD_SW_SUSPEND);
    EXPECT_SAME(uapi::kLINUX_REBOOT_CMD_KEXEC, LINUX_REBOOT_CMD_KEXEC);

    EXPECT_SAME(uapi::kPER_LINUX, PER_LINUX);
    EXPECT_SAME(uapi::kPER_MASK, PER_MASK);
    EXPECT_SAME(uapi::kADDR_NO_RANDOMIZE, ADDR_NO_RANDOMIZE);
    EXPECT_SAME(uapi::kREAD_IMPLIES_EXEC, READ_IMPLIES_EXEC);
    EXPECT_SAME(uapi::kADDR_LIMIT_32BIT, ADDR_LIMIT_32BIT);

    EXPECT_SAME(uapi::kGRND_NONBLOCK, GRND_NONBLOCK);
    EXPECT_SAME(uapi::kGRND_RANDOM, GRND_RANDOM);
    EXPECT_SAME(uapi::kGRND_INSECURE, 0x0004);  // GRND_INSECURE: glibc 2.36 has it, older hosts do not

    EXPECT_SAME(uapi::kRseqOrigSize, sizeof(struct rseq) <= 32 ? sizeof(struct rseq) : 32);
    EXPECT_FIELD(uapi::Rseq, cpu_id_start, struct rseq, cpu_id_start);
    EXPECT_FIELD(uapi::Rseq, cpu_id, struct rseq, cpu_id);
    EXPECT_FIELD(uapi::Rseq, rseq_cs, struct rseq, rseq_cs);
    EXPECT_FIELD(uapi::Rseq, flags, struct rseq, flags);
    EXPECT_SAME(sizeof(uapi::RseqCs), sizeof(struct rseq_cs));
    EXPECT_FIELD(uapi::RseqCs, start_ip, struct rseq_cs, start_ip);
    EXPECT_FIELD(uapi::RseqCs, post_commit_offset, struct rseq_cs, post_commit_offset);
    EXPECT_FIELD(uapi::RseqCs, abort_ip, struct rseq_cs, abort_ip);
    EXPECT_SAME(uapi::kRSEQ_FLAG_UNREGISTER, RSEQ_FLAG_UNREGISTER);
    EXPECT_SAME(int32_t(uapi::kRSEQ_CPU_ID_UNINITIALIZED), RSEQ_CPU_ID_UNINITIALIZED);
    EXPECT_SAME(int32_t(uapi::kRSEQ_CPU_ID_REGISTRATION_FAILED), RSEQ_CPU_ID_REGISTRATION_FAILED);

    EXPECT_SAME(uapi::kSCHED_OTHER, SCHED_OTHER);
    EXPECT_SAME(uapi::kSCHED_FIFO, SCHED_FIFO);
    EXPECT_SAME(uapi::kSCHED_RR, SCHED_RR);
    EXPECT_SAME(uapi::kSCHED_BATCH, SCHED_BATCH);
    EXPECT_SAME(uapi::kSCHED_IDLE, SCHED_IDLE);
}

TEST(LinuxTimeAbi, ClocksAndRecords) {
    EXPECT_SAME(uapi::kCLOCK_REALTIME, CLOCK_REALTIME);
    EXPECT_SAME(uapi::kCLOCK_MONOTONIC, CLOCK_MONOTONIC);
    EXPECT_SAME(uapi::kCLOCK_PROCESS_CPUTIME_ID, CLOCK_PROCESS_CPUTIME_ID);
    EXPECT_SAME(uapi::kCLOCK_THREAD_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID);
    EXPECT_SAME(uapi::kCLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_RAW);
    EXPECT_SAME(uapi::kCLOCK_REALTIME_COARSE, CLOCK_REALTIME_COARSE);
    EXPECT_SAME(uapi::kCLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_COARSE);
    EXPECT_SAME(uapi::kCLOCK_BOOTTIME, CLOCK_BOOTTIME);
    EXPECT_SAME(uapi::kCLOCK_REALTIME_ALARM, CLOCK_REALTIME_ALARM);
    EXPECT_SAME(uapi::kCLOCK_BOOTTIME_ALARM, CLOCK_BOOTTIME_ALARM);
    EXPECT_SAME(uapi::kCLOCK_TAI, CLOCK_TAI);
    EXPECT_SAME(uapi::kTIMER_ABSTIME, TIMER_ABSTIME);

    EXPECT_SAME(sizeof(uapi::Timespec), sizeof(struct timespec));
    EXPECT_FIELD(uapi::Timespec, tv_sec, struct timespec, tv_sec);
    EXPECT_FIELD(uapi::Timespec, tv_nsec, struct timespec, tv_nsec);
    EXPECT_SAME(sizeof(uapi::Timeval), sizeof(struct timeval));
    EXPECT_FIELD(uapi::Timeval, tv_sec, struct timeval, tv_sec);
    EXPECT_FIELD(uapi::Timeval, tv_usec, struct timeval, tv_usec);
    EXPECT_SAME(sizeof(uapi::Timezone), sizeof(struct timezone));
    EXPECT_SAME(sizeof(uapi::Tms), sizeof(struct tms));
    EXPECT_FIELD(uapi::Tms, tms_utime, struct tms, tms_utime);
    EXPECT_FIELD(uapi::Tms, tms_stime, struct tms, tms_stime);
    EXPECT_FIELD(uapi::Tms, tms_cutime, struct tms, tms_cutime);
    EXPECT_FIELD(uapi::Tms, tms_cstime, struct tms, tms_cstime);
    EXPECT_SAME(uapi::kUserHz, sysconf(_SC_CLK_TCK));

    EXPECT_TRUE(uapi::timespec_valid({0, 0}));
    EXPECT_TRUE(uapi::timespec_valid({5, 999999999}));
    EXPECT_FALSE(uapi::timespec_valid({0, 1000000000}));
    EXPECT_FALSE(uapi::timespec_valid({-1, 0}));
    EXPECT_FALSE(uapi::timespec_valid({0, -1}));
}

TEST(LinuxSignalAbi, NumbersAndChildInfo) {
    EXPECT_SAME(uapi::kSIGHUP, SIGHUP);
    EXPECT_SAME(uapi::kSIGINT, SIGINT);
    EXPECT_SAME(uapi::kSIGQUIT, SIGQUIT);
    EXPECT_SAME(uapi::kSIGILL, SIGILL);
    EXPECT_SAME(uapi::kSIGTRAP, SIGTRAP);
    EXPECT_SAME(uapi::kSIGABRT, SIGABRT);
    EXPECT_SAME(uapi::kSIGBUS, SIGBUS);
    EXPECT_SAME(uapi::kSIGFPE, SIGFPE);
    EXPECT_SAME(uapi::kSIGKILL, SIGKILL);
    EXPECT_SAME(uapi::kSIGUSR1, SIGUSR1);
    EXPECT_SAME(uapi::kSIGSEGV, SIGSEGV);
    EXPECT_SAME(uapi::kSIGUSR2, SIGUSR2);
    EXPECT_SAME(uapi::kSIGPIPE, SIGPIPE);
    EXPECT_SAME(uapi::kSIGALRM, SIGALRM);
    EXPECT_SAME(uapi::kSIGTERM, SIGTERM);
    EXPECT_SAME(uapi::kSIGSTKFLT, SIGSTKFLT);
    EXPECT_SAME(uapi::kSIGCHLD, SIGCHLD);
    EXPECT_SAME(uapi::kSIGCONT, SIGCONT);
    EXPECT_SAME(uapi::kSIGSTOP, SIGSTOP);
    EXPECT_SAME(uapi::kSIGTSTP, SIGTSTP);
    EXPECT_SAME(uapi::kSIGTTIN, SIGTTIN);
    EXPECT_SAME(uapi::kSIGTTOU, SIGTTOU);
    EXPECT_SAME(uapi::kSIGURG, SIGURG);
    EXPECT_SAME(uapi::kSIGXCPU, SIGXCPU);
    EXPECT_SAME(uapi::kSIGXFSZ, SIGXFSZ);
    EXPECT_SAME(uapi::kSIGVTALRM, SIGVTALRM);
    EXPECT_SAME(uapi::kSIGPROF, SIGPROF);
    EXPECT_SAME(uapi::kSIGWINCH, SIGWINCH);
    EXPECT_SAME(uapi::kSIGIO, SIGIO);
    EXPECT_SAME(uapi::kSIGPWR, SIGPWR);
    EXPECT_SAME(uapi::kSIGSYS, SIGSYS);
    EXPECT_SAME(uapi::kNSIG, _NSIG - 1);  // glibc's _NSIG counts signal 0

    EXPECT_SAME(uapi::kSiginfoSize, sizeof(siginfo_t));
    EXPECT_SAME(uapi::kCLD_EXITED, CLD_EXITED);
    EXPECT_SAME(uapi::kCLD_KILLED, CLD_KILLED);
    EXPECT_SAME(uapi::kCLD_DUMPED, CLD_DUMPED);
    EXPECT_SAME(uapi::kCLD_TRAPPED, CLD_TRAPPED);
    EXPECT_SAME(uapi::kCLD_STOPPED, CLD_STOPPED);
    EXPECT_SAME(uapi::kCLD_CONTINUED, CLD_CONTINUED);
    EXPECT_FIELD(uapi::SiginfoChild, signo, siginfo_t, si_signo);
    EXPECT_FIELD(uapi::SiginfoChild, error, siginfo_t, si_errno);
    EXPECT_FIELD(uapi::SiginfoChild, code, siginfo_t, si_code);
    EXPECT_FIELD(uapi::SiginfoChild, pid, siginfo_t, si_pid);
    EXPECT_FIELD(uapi::SiginfoChild, uid, siginfo_t, si_uid);
    EXPECT_FIELD(uapi::SiginfoChild, status, siginfo_t, si_status);
    EXPECT_FIELD(uapi::SiginfoChild, utime, siginfo_t, si_utime);
    EXPECT_FIELD(uapi::SiginfoChild, stime, siginfo_t, si_stime);
}

}  // namespace
