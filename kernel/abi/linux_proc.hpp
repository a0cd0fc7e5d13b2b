// The Linux x86_64 user ABI for processes: clone(2) flags and clone3's
// struct clone_args, wait4(2)/waitid(2) options and id types, resource
// limits (getrlimit(2), prlimit64), struct rusage (getrusage(2)),
// struct utsname (uname(2)), struct sysinfo (sysinfo(2)), arch_prctl(2),
// prctl(2), reboot(2), personality(2), getrandom(2) and rseq(2). Numbers
// and layouts are facts of the ABI (the man pages named, and the UAPI
// headers linux/sched.h, linux/wait.h, asm-generic/resource.h,
// linux/utsname.h, linux/sysinfo.h, asm/prctl.h, linux/prctl.h,
// linux/reboot.h, linux/personality.h, linux/random.h, linux/rseq.h);
// linux_proc_test.cpp checks each against the host's headers. Names are
// Linux's with a k in front.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_time.hpp"

namespace uapi {

// ---- clone(2) (linux/sched.h)
inline constexpr uint64_t kCSIGNAL = 0x000000ff;  // the exit signal, in the low byte
inline constexpr uint64_t kCLONE_VM = 0x00000100;
inline constexpr uint64_t kCLONE_FS = 0x00000200;
inline constexpr uint64_t kCLONE_FILES = 0x00000400;
inline constexpr uint64_t kCLONE_SIGHAND = 0x00000800;
inline constexpr uint64_t kCLONE_PIDFD = 0x00001000;
inline constexpr uint64_t kCLONE_PTRACE = 0x00002000;
inline constexpr uint64_t kCLONE_VFORK = 0x00004000;
inline constexpr uint64_t kCLONE_PARENT = 0x00008000;
inline constexpr uint64_t kCLONE_THREAD = 0x00010000;
inline constexpr uint64_t kCLONE_NEWNS = 0x00020000;
inline constexpr uint64_t kCLONE_SYSVSEM = 0x00040000;
inline constexpr uint64_t kCLONE_SETTLS = 0x00080000;
inline constexpr uint64_t kCLONE_PARENT_SETTID = 0x00100000;
inline constexpr uint64_t kCLONE_CHILD_CLEARTID = 0x00200000;
inline constexpr uint64_t kCLONE_DETACHED = 0x00400000;
inline constexpr uint64_t kCLONE_UNTRACED = 0x00800000;
inline constexpr uint64_t kCLONE_CHILD_SETTID = 0x01000000;
inline constexpr uint64_t kCLONE_NEWCGROUP = 0x02000000;
inline constexpr uint64_t kCLONE_NEWUTS = 0x04000000;
inline constexpr uint64_t kCLONE_NEWIPC = 0x08000000;
inline constexpr uint64_t kCLONE_NEWUSER = 0x10000000;
inline constexpr uint64_t kCLONE_NEWPID = 0x20000000;
inline constexpr uint64_t kCLONE_NEWNET = 0x40000000;
inline constexpr uint64_t kCLONE_IO = 0x80000000ULL;
inline constexpr uint64_t kCLONE_CLEAR_SIGHAND = 0x100000000ULL;  // clone3 only
inline constexpr uint64_t kCLONE_INTO_CGROUP = 0x200000000ULL;    // clone3 only

// clone3(2)'s argument (linux/sched.h); CLONE_ARGS_SIZE_VER0 is the first
// 64 bytes (up to tls), VER1 adds set_tid, VER2 cgroup.
struct CloneArgs {
    uint64_t flags;
    uint64_t pidfd;
    uint64_t child_tid;
    uint64_t parent_tid;
    uint64_t exit_signal;
    uint64_t stack;
    uint64_t stack_size;
    uint64_t tls;
    uint64_t set_tid;
    uint64_t set_tid_size;
    uint64_t cgroup;
};
static_assert(sizeof(CloneArgs) == 88);
inline constexpr size_t kCloneArgsSizeVer0 = 64;
inline constexpr size_t kCloneArgsSizeVer1 = 80;
inline constexpr size_t kCloneArgsSizeVer2 = 88;

// ---- wait4(2), waitid(2) (linux/wait.h)
inline constexpr uint32_t kWNOHANG = 0x00000001;
inline constexpr uint32_t kWUNTRACED = 0x00000002;  // also WSTOPPED for waitid
inline constexpr uint32_t kWSTOPPED = kWUNTRACED;
inline constexpr uint32_t kWEXITED = 0x00000004;
inline constexpr uint32_t kWCONTINUED = 0x00000008;
inline constexpr uint32_t kWNOWAIT = 0x01000000;
inline constexpr uint32_t k__WNOTHREAD = 0x20000000;
inline constexpr uint32_t k__WALL = 0x40000000;
inline constexpr uint32_t k__WCLONE = 0x80000000;
inline constexpr int kP_ALL = 0;
inline constexpr int kP_PID = 1;
inline constexpr int kP_PGID = 2;
inline constexpr int kP_PIDFD = 3;

// The wait status word (wait(2) macros, as kernel/exit.c builds it):
// exited (code << 8), killed (signal | 0x80 for a core dump), stopped
// (signal << 8 | 0x7f), continued (0xffff).
constexpr int wait_status_exited(int code) {
    return (code & 0xff) << 8;
}
constexpr int wait_status_signaled(int signal, bool core) {
    return (signal & 0x7f) | (core ? 0x80 : 0);
}
constexpr int wait_status_stopped(int signal) {
    return ((signal & 0xff) << 8) | 0x7f;
}
inline constexpr int kWaitStatusContinued = 0xffff;

// ---- resource limits (asm-generic/resource.h)
inline constexpr int kRLIMIT_CPU = 0;
inline constexpr int kRLIMIT_FSIZE = 1;
inline constexpr int kRLIMIT_DATA = 2;
inline constexpr int kRLIMIT_STACK = 3;
inline constexpr int kRLIMIT_CORE = 4;
inline constexpr int kRLIMIT_RSS = 5;
inline constexpr int kRLIMIT_NPROC = 6;
inline constexpr int kRLIMIT_NOFILE = 7;
inline constexpr int kRLIMIT_MEMLOCK = 8;
inline constexpr int kRLIMIT_AS = 9;
inline constexpr int kRLIMIT_LOCKS = 10;
inline constexpr int kRLIMIT_SIGPENDING = 11;
inline constexpr int kRLIMIT_MSGQUEUE = 12;
inline constexpr int kRLIMIT_NICE = 13;
inline constexpr int kRLIMIT_RTPRIO = 14;
inline constexpr int kRLIMIT_RTTIME = 15;
inline constexpr int kRLIM_NLIMITS = 16;
inline constexpr uint64_t kRLIM_INFINITY = ~0ULL;

struct Rlimit {
    uint64_t rlim_cur;
    uint64_t rlim_max;
};
static_assert(sizeof(Rlimit) == 16);

// ---- getrusage(2) (linux/resource.h)
inline constexpr int kRUSAGE_SELF = 0;
inline constexpr int kRUSAGE_CHILDREN = -1;
inline constexpr int kRUSAGE_THREAD = 1;

struct Rusage {
    Timeval ru_utime;
    Timeval ru_stime;
    int64_t ru_maxrss;  // KiB
    int64_t ru_ixrss;
    int64_t ru_idrss;
    int64_t ru_isrss;
    int64_t ru_minflt;
    int64_t ru_majflt;
    int64_t ru_nswap;
    int64_t ru_inblock;
    int64_t ru_oublock;
    int64_t ru_msgsnd;
    int64_t ru_msgrcv;
    int64_t ru_nsignals;
    int64_t ru_nvcsw;
    int64_t ru_nivcsw;
};
static_assert(sizeof(Rusage) == 144);

// ---- uname(2) (linux/utsname.h: struct new_utsname)
inline constexpr size_t kUtsLength = 65;  // __NEW_UTS_LEN + 1
struct Utsname {
    char sysname[kUtsLength];
    char nodename[kUtsLength];
    char release[kUtsLength];
    char version[kUtsLength];
    char machine[kUtsLength];
    char domainname[kUtsLength];
};
static_assert(sizeof(Utsname) == 390);

// ---- sysinfo(2) (linux/sysinfo.h)
inline constexpr int kSI_LOAD_SHIFT = 16;  // loads[] are fixed point with 16 fraction bits
struct Sysinfo {
    int64_t uptime;        // seconds since boot
    uint64_t loads[3];     // 1, 5 and 15 minute load averages
    uint64_t totalram;     // in mem_unit
    uint64_t freeram;
    uint64_t sharedram;
    uint64_t bufferram;
    uint64_t totalswap;
    uint64_t freeswap;
    uint16_t procs;        // number of processes (threads, as Linux counts)
    uint16_t pad;
    uint64_t totalhigh;
    uint64_t freehigh;
    uint32_t mem_unit;
    char reserved[20 - 2 * sizeof(int64_t) - sizeof(uint32_t)];
};
static_assert(sizeof(Sysinfo) == 112);

// ---- arch_prctl(2) (asm/prctl.h)
inline constexpr int kARCH_SET_GS = 0x1001;
inline constexpr int kARCH_SET_FS = 0x1002;
inline constexpr int kARCH_GET_FS = 0x1003;
inline constexpr int kARCH_GET_GS = 0x1004;
inline constexpr int kARCH_GET_CPUID = 0x1011;
inline constexpr int kARCH_SET_CPUID = 0x1012;

// ---- prctl(2) (linux/prctl.h), the options answered
inline constexpr int kPR_SET_PDEATHSIG = 1;
inline constexpr int kPR_GET_PDEATHSIG = 2;
inline constexpr int kPR_GET_DUMPABLE = 3;
inline constexpr int kPR_SET_DUMPABLE = 4;
inline constexpr int kPR_SET_NAME = 15;
inline constexpr int kPR_GET_NAME = 16;
inline constexpr int kPR_CAPBSET_READ = 23;
inline constexpr int kPR_SET_TIMERSLACK = 29;
inline constexpr int kPR_GET_TIMERSLACK = 30;
inline constexpr int kPR_SET_CHILD_SUBREAPER = 36;
inline constexpr int kPR_GET_CHILD_SUBREAPER = 37;
inline constexpr int kPR_SET_NO_NEW_PRIVS = 38;
inline constexpr int kPR_GET_NO_NEW_PRIVS = 39;
inline constexpr int kPR_SET_VMA = 0x53564d41;
inline constexpr size_t kTaskCommLen = 16;  // TASK_COMM_LEN: a name is at most 15 bytes and a NUL

// setgroups(2): the most supplementary groups (NGROUPS_MAX).
inline constexpr uint32_t kNGROUPS_MAX = 65536;

// ---- reboot(2) (linux/reboot.h)
inline constexpr uint32_t kLINUX_REBOOT_MAGIC1 = 0xfee1dead;
inline constexpr uint32_t kLINUX_REBOOT_MAGIC2 = 672274793;
inline constexpr uint32_t kLINUX_REBOOT_MAGIC2A = 85072278;
inline constexpr uint32_t kLINUX_REBOOT_MAGIC2B = 369367448;
inline constexpr uint32_t kLINUX_REBOOT_MAGIC2C = 537993216;
inline constexpr uint32_t kLINUX_REBOOT_CMD_RESTART = 0x01234567;
inline constexpr uint32_t kLINUX_REBOOT_CMD_HALT = 0xcdef0123;
inline constexpr uint32_t kLINUX_REBOOT_CMD_CAD_ON = 0x89abcdef;
inline constexpr uint32_t kLINUX_REBOOT_CMD_CAD_OFF = 0x00000000;
inline constexpr uint32_t kLINUX_REBOOT_CMD_POWER_OFF = 0x4321fedc;
inline constexpr uint32_t kLINUX_REBOOT_CMD_RESTART2 = 0xa1b2c3d4;
inline constexpr uint32_t kLINUX_REBOOT_CMD_SW_SUSPEND = 0xd000fce2;
inline constexpr uint32_t kLINUX_REBOOT_CMD_KEXEC = 0x45584543;

// ---- personality(2) (linux/personality.h)
inline constexpr uint32_t kPER_LINUX = 0x0000;
inline constexpr uint32_t kPER_MASK = 0x00ff;  // the personality proper; the rest are flags
inline constexpr uint32_t kADDR_NO_RANDOMIZE = 0x0040000;
inline constexpr uint32_t kREAD_IMPLIES_EXEC = 0x0400000;
inline constexpr uint32_t kADDR_LIMIT_32BIT = 0x0800000;

// ---- getrandom(2) (linux/random.h)
inline constexpr uint32_t kGRND_NONBLOCK = 0x0001;
inline constexpr uint32_t kGRND_RANDOM = 0x0002;
inline constexpr uint32_t kGRND_INSECURE = 0x0004;

// ---- rseq(2) (linux/rseq.h): the area a thread registers, 32 bytes
// (ORIG_RSEQ_SIZE), 32-byte aligned.
struct Rseq {
    uint32_t cpu_id_start;
    uint32_t cpu_id;
    uint64_t rseq_cs;  // user address of the struct RseqCs of the critical section running, or 0
    uint32_t flags;
    uint32_t node_id;  // newer kernels fill these; 6.1 leaves them alone
    uint32_t mm_cid;
    uint32_t padding;
};
static_assert(sizeof(Rseq) == 32);
inline constexpr size_t kRseqOrigSize = 32;
struct RseqCs {
    uint32_t version;
    uint32_t flags;
    uint64_t start_ip;
    uint64_t post_commit_offset;
    uint64_t abort_ip;
};
static_assert(sizeof(RseqCs) == 32);
inline constexpr uint32_t kRSEQ_FLAG_UNREGISTER = 1;
inline constexpr uint32_t kRSEQ_CPU_ID_UNINITIALIZED = ~0u;  // -1
inline constexpr uint32_t kRSEQ_CPU_ID_REGISTRATION_FAILED = ~0u - 1;  // -2

// ---- sched_*(2)
inline constexpr int kSCHED_OTHER = 0;
inline constexpr int kSCHED_FIFO = 1;
inline constexpr int kSCHED_RR = 2;
inline constexpr int kSCHED_BATCH = 3;
inline constexpr int kSCHED_IDLE = 5;

// ---- the largest PID (kernel/pid.c: PID_MAX_DEFAULT, /proc/sys/kernel/pid_max)
inline constexpr int kPidMaxDefault = 0x8000;

}  // namespace uapi
