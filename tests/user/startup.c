/* What a static program needs from its first instruction, without
 * processes, files or signals: the start-up calls glibc and musl make (brk,
 * arch_prctl, set_tid_address, set_robust_list, prlimit64, getrandom),
 * SSE and thread-local storage, the id, name and limit calls, uname,
 * sysinfo, the clocks, the memory calls, and the errno of hostile
 * arguments (EFAULT for kernel, non-canonical and unmapped pointers,
 * EINVAL for bad flags, ENOSYS for numbers that are no call). It is the
 * first program cxxkernel runs (as PID 1, from a module), so it only writes
 * to fds 1/2 and exits. */
#include "common.h"

#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>

/* asm/prctl.h (not in musl's headers). */
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

static __thread int tls_counter = 41;
static volatile double third_divisor = 3.0;

static void startup_state(void) {
    tls_counter++;
    EXPECT_TRUE("tls works", tls_counter == 42);
    double third = 1.0 / third_divisor;
    say("sse double: %.6f", third);
    uint64_t fs = 0;
    EXPECT_OK("arch_prctl ARCH_GET_FS", syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
    /* glibc and musl keep the thread pointer's own address at %fs:0. */
    uint64_t self = 0;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self));
    EXPECT_TRUE("fs base is the thread pointer", fs != 0 && fs == self);
    EXPECT_ERR("arch_prctl ARCH_SET_FS kernel address", syscall(SYS_arch_prctl, ARCH_SET_FS, KERNEL_PTR), EPERM);
    EXPECT_ERR("arch_prctl ARCH_GET_FS kernel pointer", syscall(SYS_arch_prctl, ARCH_GET_FS, KERNEL_PTR), EFAULT);
    EXPECT_ERR("arch_prctl bad code", syscall(SYS_arch_prctl, 0x9999, &fs), EINVAL);

    /* GS base: set to a variable's address, read through %gs, restore. */
    static uint64_t gs_word = 0x1234abcd;
    EXPECT_OK("arch_prctl ARCH_SET_GS", syscall(SYS_arch_prctl, ARCH_SET_GS, &gs_word));
    uint64_t through_gs = 0, gs = 0;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(through_gs));
    EXPECT_OK("arch_prctl ARCH_GET_GS", syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
    EXPECT_TRUE("gs base reads back", gs == (uint64_t)&gs_word);
    /* A system call in between must not lose it. */
    syscall(SYS_getppid);
    __asm__ volatile("mov %%gs:0, %0" : "=r"(through_gs));
    EXPECT_TRUE("gs base survives a system call", through_gs == 0x1234abcd);
    EXPECT_OK("arch_prctl ARCH_SET_GS 0", syscall(SYS_arch_prctl, ARCH_SET_GS, 0));

    long tid = syscall(SYS_gettid);
    EXPECT_TRUE("set_tid_address returns the tid", syscall(SYS_set_tid_address, NULL) == tid);
    EXPECT_ERR("set_robust_list bad length", syscall(SYS_set_robust_list, NULL, 23), EINVAL);
}

static void ids(void) {
    EXPECT_TRUE("getpid>0", getpid() > 0);
    EXPECT_TRUE("getppid>=0", getppid() >= 0);
    EXPECT_TRUE("gettid==getpid", syscall(SYS_gettid) == getpid());
    uid_t r, e, s;
    EXPECT_OK("getresuid", getresuid(&r, &e, &s));
    EXPECT_TRUE("getresuid matches", r == getuid() && e == geteuid());
    gid_t gr, ge, gs;
    EXPECT_OK("getresgid", getresgid(&gr, &ge, &gs));
    EXPECT_TRUE("getresgid matches", gr == getgid() && ge == getegid());
    EXPECT_ERR("getresuid kernel pointer", syscall(SYS_getresuid, KERNEL_PTR, &e, &s), EFAULT);
    EXPECT_TRUE("getpgrp==getpgid(0)", getpgrp() == getpgid(0));
    EXPECT_TRUE("getsid(0)>=0", getsid(0) >= 0);
    EXPECT_ERR("getpgid of no process", syscall(SYS_getpgid, 0x7ffffff0), ESRCH);
    EXPECT_ERR("getgroups negative", syscall(SYS_getgroups, -1, NULL), EINVAL);

    mode_t old = umask(027);
    EXPECT_TRUE("umask returns the new one next", umask(old) == 027);

    EXPECT_OK("prctl PR_SET_NAME", prctl(PR_SET_NAME, "startup-name-is-long"));
    char name[32] = {0};
    EXPECT_OK("prctl PR_GET_NAME", prctl(PR_GET_NAME, name));
    say("name: %s", name);
    EXPECT_ERR("prctl PR_SET_NAME kernel pointer", syscall(SYS_prctl, PR_SET_NAME, KERNEL_PTR, 0, 0, 0), EFAULT);
    EXPECT_ERR("prctl unknown option", syscall(SYS_prctl, 0x7fff, 0, 0, 0, 0), EINVAL);
    long persona = syscall(SYS_personality, 0xffffffffUL);
    EXPECT_TRUE("personality is PER_LINUX", persona >= 0 && (persona & 0xff) == 0);
}

static void system_info(void) {
    struct utsname u;
    EXPECT_OK("uname", uname(&u));
    say("uname sysname: %s", u.sysname);
    say("uname machine: %s", u.machine);
    EXPECT_TRUE("uname release set", u.release[0] != 0);
    EXPECT_ERR("uname kernel pointer", syscall(SYS_uname, KERNEL_PTR), EFAULT);
    EXPECT_ERR("uname non-canonical pointer", syscall(SYS_uname, NONCANON_PTR), EFAULT);
    EXPECT_ERR("uname unmapped pointer", syscall(SYS_uname, unmapped_ptr()), EFAULT);

    struct sysinfo si;
    EXPECT_OK("sysinfo", sysinfo(&si));
    EXPECT_TRUE("sysinfo procs>=1", si.procs >= 1);
    EXPECT_TRUE("sysinfo freeram<=totalram", si.freeram <= si.totalram);
    EXPECT_ERR("sysinfo kernel pointer", syscall(SYS_sysinfo, KERNEL_PTR), EFAULT);

    struct tms t;
    EXPECT_TRUE("times", times(&t) != (clock_t)-1);
    EXPECT_ERR("times kernel pointer", syscall(SYS_times, KERNEL_PTR), EFAULT);
    struct rusage ru;
    EXPECT_OK("getrusage self", getrusage(RUSAGE_SELF, &ru));
    EXPECT_ERR("getrusage bad who", syscall(SYS_getrusage, 5, &ru), EINVAL);

    struct rlimit rl;
    EXPECT_OK("getrlimit RLIMIT_STACK", getrlimit(RLIMIT_STACK, &rl));
    EXPECT_TRUE("stack soft<=hard", rl.rlim_cur <= rl.rlim_max);
    struct rlimit bad = {.rlim_cur = 100, .rlim_max = 10};
    EXPECT_ERR("setrlimit soft>hard", syscall(SYS_setrlimit, RLIMIT_CORE, &bad), EINVAL);
    EXPECT_ERR("prlimit64 bad resource", syscall(SYS_prlimit64, 0, 99, NULL, &rl), EINVAL);
    EXPECT_ERR("prlimit64 kernel pointer", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, KERNEL_PTR), EFAULT);
    struct rlimit core;
    EXPECT_OK("getrlimit RLIMIT_CORE", getrlimit(RLIMIT_CORE, &core));
    struct rlimit lower = {.rlim_cur = 0, .rlim_max = core.rlim_max};
    EXPECT_OK("setrlimit RLIMIT_CORE", setrlimit(RLIMIT_CORE, &lower));
    struct rlimit back;
    EXPECT_OK("prlimit64 reads it back", syscall(SYS_prlimit64, 0, RLIMIT_CORE, NULL, &back));
    EXPECT_TRUE("RLIMIT_CORE soft now 0", back.rlim_cur == 0 && back.rlim_max == core.rlim_max);

    unsigned char mask[128] = {0};
    long n = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
    EXPECT_TRUE("sched_getaffinity size", n > 0 && n % 8 == 0);
    unsigned cpu = 1u << 30, node = 1u << 30;
    EXPECT_OK("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
    EXPECT_TRUE("getcpu in the affinity mask", cpu < 1024 && (mask[cpu / 8] & (1u << (cpu % 8))));
    EXPECT_ERR("sched_getaffinity odd size", syscall(SYS_sched_getaffinity, 0, 7, mask), EINVAL);
    EXPECT_ERR("sched_getaffinity kernel pointer", syscall(SYS_sched_getaffinity, 0, sizeof mask, KERNEL_PTR), EFAULT);
    EXPECT_OK("sched_yield", sched_yield());
}

static void clocks(void) {
    struct timespec a, b;
    EXPECT_OK("clock_gettime MONOTONIC", clock_gettime(CLOCK_MONOTONIC, &a));
    EXPECT_OK("clock_gettime MONOTONIC again", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b));
    EXPECT_TRUE("monotonic never goes back",
                b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
    static const int ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
                              CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME};
    for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct timespec t = {-1, -1};
        long r = syscall(SYS_clock_gettime, ids[i], &t);
        say("clock %d: %s", ids[i], r == 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000 ? "ok" : "bad");
        CHECK(r == 0);
        struct timespec res = {-1, -1};
        EXPECT_TRUE("clock_getres", syscall(SYS_clock_getres, ids[i], &res) == 0 && res.tv_sec == 0 &&
                                        res.tv_nsec > 0);
    }
    struct timespec res;
    EXPECT_OK("clock_getres MONOTONIC", clock_getres(CLOCK_MONOTONIC, &res));
    say("monotonic resolution ns: %ld", res.tv_nsec);
    EXPECT_OK("clock_getres NULL", syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
    EXPECT_ERR("clock_gettime bad clock", syscall(SYS_clock_gettime, 100, &a), EINVAL);
    EXPECT_ERR("clock_getres bad clock", syscall(SYS_clock_getres, 100, &a), EINVAL);
    EXPECT_ERR("clock_gettime NULL", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL), EFAULT);
    EXPECT_ERR("clock_gettime kernel pointer", syscall(SYS_clock_gettime, CLOCK_REALTIME, KERNEL_PTR), EFAULT);

    struct timeval tv;
    EXPECT_OK("gettimeofday", syscall(SYS_gettimeofday, &tv, NULL));
    EXPECT_TRUE("gettimeofday after 2023", tv.tv_sec > 1672531200 && tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    EXPECT_ERR("gettimeofday kernel pointer", syscall(SYS_gettimeofday, KERNEL_PTR, NULL), EFAULT);
    long t = syscall(SYS_time, NULL);
    /* Linux's time(2) reads the coarse clock, updated at the tick, while
     * gettimeofday reads the clock source: time() may lag by one second
     * across a second boundary (seen on Linux 6.1 under QEMU). */
    EXPECT_TRUE("time near gettimeofday", t >= tv.tv_sec - 1 && t - tv.tv_sec < 60);
    EXPECT_ERR("time kernel pointer", syscall(SYS_time, KERNEL_PTR), EFAULT);

    struct timespec c1, c2;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    for (volatile int i = 0; i < 1000000; i++) {
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c2);
    EXPECT_TRUE("cpu time advances", c2.tv_sec > c1.tv_sec || c2.tv_nsec > c1.tv_nsec);
}

/* The vDSO: there is one, and its clocks agree with the system call's. */
static void vdso(void) {
    EXPECT_TRUE("AT_SYSINFO_EHDR (a vDSO)", getauxval(AT_SYSINFO_EHDR) != 0);
    static const int ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_MONOTONIC_RAW};
    for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct timespec a, b, c;
        clock_gettime(ids[i], &a); /* the C library's: the vDSO where there is one */
        syscall(SYS_clock_gettime, ids[i], &b);
        clock_gettime(ids[i], &c);
        long long na = a.tv_sec * 1000000000LL + a.tv_nsec, nb = b.tv_sec * 1000000000LL + b.tv_nsec,
                  nc = c.tv_sec * 1000000000LL + c.tv_nsec;
        /* Monotonic clocks in order; REALTIME within a millisecond. */
        int ok = ids[i] == CLOCK_REALTIME ? (nb - na > -1000000 && nc - nb > -1000000) : (na <= nb && nb <= nc);
        say("vdso clock %d agrees with the system call: %s", ids[i], ok ? "yes" : "no");
        CHECK(ok);
    }
    struct timeval tv;
    EXPECT_OK("gettimeofday (libc)", gettimeofday(&tv, NULL));
    EXPECT_TRUE("time (libc) near gettimeofday", time(NULL) - tv.tv_sec < 60);
}

static void randomness(void) {
    unsigned char a[64], b[64];
    EXPECT_TRUE("getrandom 64", getrandom(a, sizeof a, 0) == 64);
    EXPECT_TRUE("getrandom GRND_NONBLOCK", syscall(SYS_getrandom, b, sizeof b, GRND_NONBLOCK) == 64);
    EXPECT_TRUE("two draws differ", memcmp(a, b, sizeof a) != 0);
    EXPECT_TRUE("getrandom 0 bytes", syscall(SYS_getrandom, a, 0, 0) == 0);
    EXPECT_ERR("getrandom bad flags", syscall(SYS_getrandom, a, 8, 0x80), EINVAL);
    EXPECT_ERR("getrandom INSECURE|RANDOM", syscall(SYS_getrandom, a, 8, GRND_INSECURE | GRND_RANDOM), EINVAL);
    EXPECT_ERR("getrandom kernel pointer", syscall(SYS_getrandom, KERNEL_PTR, 8, 0), EFAULT);
    EXPECT_ERR("getrandom unmapped pointer", syscall(SYS_getrandom, unmapped_ptr(), 8, 0), EFAULT);
}

static int touch_stack(int depth) {
    volatile char frame[4096];
    frame[0] = (char)depth;
    frame[4095] = (char)depth;
    if (depth == 0) return 0;
    return touch_stack(depth - 1) + frame[4095];
}

static void memory(void) {
    long page = 4096;
    char* start = (char*)syscall(SYS_brk, 0);
    EXPECT_TRUE("brk(0)>0", start != NULL);
    char* grown = (char*)syscall(SYS_brk, start + 4 * page);
    EXPECT_TRUE("brk grows", grown == start + 4 * page);
    memset(start, 0x5a, 4 * page);
    EXPECT_TRUE("brk memory holds data", start[4 * page - 1] == 0x5a);
    EXPECT_TRUE("brk shrinks", (char*)syscall(SYS_brk, start) == start);

    char* p = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_TRUE("mmap anonymous", p != MAP_FAILED);
    EXPECT_TRUE("fresh pages are zero", p[0] == 0 && p[3 * page - 1] == 0);
    p[0] = 1;
    p[page] = 2;
    p[2 * page] = 3;
    EXPECT_OK("mprotect read-only", mprotect(p, page, PROT_READ));
    EXPECT_TRUE("data kept", p[0] == 1);
    EXPECT_OK("mprotect read-write again", mprotect(p, page, PROT_READ | PROT_WRITE));
    char* q = mremap(p, 3 * page, 8 * page, MREMAP_MAYMOVE);
    EXPECT_TRUE("mremap grows", q != MAP_FAILED);
    EXPECT_TRUE("mremap keeps the data", q[0] == 1 && q[page] == 2 && q[2 * page] == 3);
    EXPECT_OK("madvise DONTNEED", madvise(q + page, page, MADV_DONTNEED));
    EXPECT_TRUE("DONTNEED zeroes private memory", q[page] == 0 && q[2 * page] == 3);
    EXPECT_OK("munmap", munmap(q, 8 * page));

    EXPECT_ERR("mmap length 0", syscall(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    EXPECT_ERR("mmap neither private nor shared", syscall(SYS_mmap, 0, page, PROT_READ, MAP_ANONYMOUS, -1, 0),
               EINVAL);
    EXPECT_ERR("mmap file with fd -1", syscall(SYS_mmap, 0, page, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
    EXPECT_ERR("mmap unaligned offset", syscall(SYS_mmap, 0, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1),
               EINVAL);
    EXPECT_ERR("munmap unaligned", syscall(SYS_munmap, 1, page), EINVAL);
    EXPECT_ERR("mprotect unaligned", syscall(SYS_mprotect, 1, page, PROT_READ), EINVAL);
    EXPECT_ERR("mprotect unmapped", syscall(SYS_mprotect, 0x10000, page, PROT_READ), ENOMEM);
    EXPECT_ERR("madvise bad advice", syscall(SYS_madvise, 0x10000, page, 12345), EINVAL);

    EXPECT_TRUE("the stack grows on demand", touch_stack(64) == 64 * 65 / 2);
}

static void bad_numbers_and_pointers(void) {
    EXPECT_ERR("syscall 400 (unused on x86_64)", syscall(400), ENOSYS);
    EXPECT_ERR("syscall 1000", syscall(1000), ENOSYS);
    EXPECT_ERR("syscall -1", syscall(-1L), ENOSYS);
    EXPECT_ERR("write kernel pointer", syscall(SYS_write, 1, KERNEL_PTR, 8), EFAULT);
    EXPECT_ERR("write non-canonical pointer", syscall(SYS_write, 1, NONCANON_PTR, 8), EFAULT);
    EXPECT_ERR("write unmapped pointer", syscall(SYS_write, 2, unmapped_ptr(), 8), EFAULT);
    EXPECT_TRUE("write 0 bytes", syscall(SYS_write, 1, NULL, 0) == 0);
    EXPECT_ERR("write to fd 1000", syscall(SYS_write, 1000, "x", 1), EBADF);
    EXPECT_ERR("write to fd -1", syscall(SYS_write, -1, "x", 1), EBADF);
}

int main(void) {
    startup_state();
    ids();
    system_info();
    clocks();
    vdso();
    randomness();
    memory();
    bad_numbers_and_pointers();
    return finish("startup");
}
