/* The system-call fuzzer (kernel-only: its output is not compared with
 * the host's). The parent forks worker processes; each makes random
 * system calls - random numbers below 460 from the calls that cannot block
 * for ever or end the machine, with arguments drawn from small integers,
 * flags-like values, huge values, pointers into its own buffers, the
 * kernel half, non-canonical and unmapped addresses - and exits. A worker
 * that kills itself (munmap of its own stack, a bad FS base) is fine: only
 * the kernel must survive. The parent reaps everything, checks that the
 * free memory the kernel reports came back to where it was (give or take
 * the slack of cached program pages), and prints one line per check.
 *
 *   fuzz [calls per worker] [workers] [seed]
 *
 * Deterministic for a seed (xorshift), so a crash is reproducible. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t state;

static uint64_t next(void) {
    /* The worker's own random calls may zero the page that holds `state`
     * (madvise MADV_DONTNEED on its .bss, a read into it): xorshift's one
     * fixed point is 0, and a worker stuck there picks SYS_read (forbidden)
     * for ever in user mode - the 4-CPU scenario timed out that way with
     * two CPUs spinning in this loop. Start again from another value. */
    if (state == 0) state = 0x9e3779b97f4a7c15ull;
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* Calls that may block for ever, end the machine or other processes, or
 * multiply processes: never made. Everything else (including numbers with
 * no call) is fair game. */
static int forbidden(long nr) {
    switch (nr) {
        case SYS_read: case SYS_readv: case SYS_pread64: case SYS_preadv: case SYS_preadv2:
        case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6: case SYS_epoll_wait:
        case SYS_epoll_pwait: case SYS_epoll_pwait2: case SYS_pause: case SYS_rt_sigsuspend:
        case SYS_rt_sigtimedwait: case SYS_nanosleep: case SYS_clock_nanosleep: case SYS_futex:
        case SYS_futex_waitv: case SYS_wait4: case SYS_waitid: case SYS_accept: case SYS_accept4:
        case SYS_recvfrom: case SYS_recvmsg: case SYS_recvmmsg: case SYS_msgrcv: case SYS_semop:
        case SYS_semtimedop: case SYS_flock: case SYS_fcntl: case SYS_io_getevents: case SYS_io_pgetevents:
        case SYS_mq_timedreceive: case SYS_mq_timedsend: case SYS_connect: case SYS_sendto: case SYS_sendmsg:
        case SYS_write: case SYS_writev: case SYS_pwrite64: case SYS_pwritev: case SYS_pwritev2:
        case SYS_sendfile: case SYS_splice: case SYS_tee: case SYS_vmsplice: case SYS_copy_file_range:
        case SYS_kill: case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo:
        case SYS_reboot: case SYS_exit: case SYS_exit_group: case SYS_fork: case SYS_vfork: case SYS_clone:
        case SYS_clone3: case SYS_execve: case SYS_execveat: case SYS_setitimer: case SYS_alarm:
        case SYS_timer_create: case SYS_ptrace: case SYS_setpgid: case SYS_setsid: case SYS_ioctl:
        case SYS_userfaultfd: case SYS_perf_event_open: case SYS_syslog: case SYS_rt_sigreturn:
        case SYS_sched_setaffinity: case SYS_setrlimit: case SYS_prlimit64: case SYS_mlockall:
        case SYS_swapon: case SYS_swapoff: case SYS_mount: case SYS_umount2: case SYS_pivot_root:
        case SYS_chroot: case SYS_unshare: case SYS_setns: case SYS_kexec_load: case SYS_kexec_file_load:
        case SYS_init_module: case SYS_finit_module: case SYS_delete_module: case SYS_iopl: case SYS_ioperm:
        case SYS_rt_sigaction: case SYS_rt_sigprocmask: case SYS_sigaltstack: case SYS_set_robust_list:
        case SYS_mknod: case SYS_mknodat: /* a FIFO would block its opener */
            return 1;
        default:
            return 0;
    }
}

static char buffer[3 * 4096] __attribute__((aligned(4096)));

static uint64_t argument(void) {
    switch (next() % 12) {
        case 0: return 0;
        case 1: return next() % 16;
        case 2: return next() % 4096;
        case 3: return 1ull << (next() % 64);
        case 4: return ~0ull - next() % 4;                                  /* -1, -2, ... */
        case 5: return (uint64_t)buffer + next() % sizeof buffer;           /* our own memory */
        case 6: return (uint64_t)buffer;
        case 7: return 0xffffffff80000000ull + (next() % 0x1000000) * 8;    /* the kernel's image */
        case 8: return 0xffff800000000000ull + (next() & 0xffffffffff);     /* the direct map */
        case 9: return 0x8000000000000000ull + next() % 4096;               /* non-canonical */
        case 10: return 0x7ffffffff000ull - next() % 8192;                  /* the top of user space */
        default: return next();
    }
}

static void worker(long calls, uint64_t seed) {
    state = seed | 1;
    for (long i = 0; i < calls; i++) {
        long nr;
        do nr = (long)(next() % 460);
        while (forbidden(nr));
        uint64_t a[6];
        for (int j = 0; j < 6; j++) a[j] = argument();
        /* Memory calls work on a scratch window most of the time, so the
         * worker lives long enough to make its calls. */
        if ((nr == SYS_munmap || nr == SYS_mprotect || nr == SYS_mremap || nr == SYS_madvise ||
             nr == SYS_mmap || nr == SYS_brk || nr == SYS_arch_prctl || nr == SYS_set_tid_address) &&
            next() % 8 != 0) {
            if (nr == SYS_arch_prctl || nr == SYS_set_tid_address || nr == SYS_brk) continue;
            a[0] = 0x500000000000ull + (next() % 256) * 4096;
            a[1] = (next() % 16) * 4096;
        }
        syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    _exit(0);
}

static unsigned long free_kib(void) {
    struct sysinfo si;
    if (sysinfo(&si) != 0) return 0;
    return (unsigned long)(si.freeram * si.mem_unit / 1024);
}

int main(int argc, char** argv) {
    long calls = argc > 1 ? atol(argv[1]) : 20000;
    int workers = argc > 2 ? atoi(argv[2]) : 4;
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 0x2545f4914f6cdd1dull;
    setvbuf(stdout, NULL, _IONBF, 0);

    /* Warm up: one worker whose pages the baseline then includes. */
    pid_t warm = fork();
    if (warm == 0) worker(100, seed ^ 0x1234);
    waitpid(warm, NULL, 0);
    unsigned long before = free_kib();

    for (int w = 0; w < workers; w++) {
        pid_t pid = fork();
        if (pid == 0) worker(calls, seed + (uint64_t)w * 0x9e3779b97f4a7c15ull);
        if (pid < 0) printf("fuzz: fork failed: %s\n", strerror(errno));
    }
    int exited = 0, killed = 0, status;
    pid_t pid;
    while ((pid = wait(&status)) > 0) {
        if (WIFEXITED(status))
            exited++;
        else
            killed++;
    }
    unsigned long after = free_kib();
    long change = (long)after - (long)before;
    printf("fuzz: %d workers x %ld calls (seed %#llx): %d finished, %d killed themselves\n", workers, calls,
           (unsigned long long)seed, exited, killed);
    printf("fuzz: free memory before %lu KiB, after %lu KiB\n", before, after);
    /* Cached program pages may stay; 1 MiB is far below a leak of a few
     * bytes per call over tens of thousands of calls. */
    int ok = change > -1024;
    printf("fuzz: memory back to baseline: %s\n", ok ? "yes" : "no");
    printf("fuzz: done\n");
    return ok && exited + killed == workers ? 0 : 1;
}
