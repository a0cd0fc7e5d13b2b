/* Processes coming and going, without files or signal handlers: fork, vfork,
 * clone (the process forms and their tid words), copy-on-write after fork,
 * exit statuses and deaths by fault as wait4/waitid report them, WNOHANG,
 * WNOWAIT, ECHILD, execve of the program itself (argv and envp arriving
 * intact, /proc/self/exe) and its errno, nanosleep and clock_nanosleep
 * (lower bounds only), sched_yield. It runs as PID 1 in cxxkernel before
 * the VFS exists, so it never opens a file; children report through their
 * exit status. */
#include "common.h"

#include <sched.h>
#include <stdint.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static const char* self_path;
static int shared_global = 10;

/* ---- the re-executed program: checks its argv/envp, exits with a code */
static int exec_child(int argc, char** argv) {
    if (argc != 4) return 10;
    if (strcmp(argv[2], "second arg") != 0 || strcmp(argv[3], "") != 0) return 11;
    const char* v = getenv("LIFECYCLE_VALUE");
    if (!v || strcmp(v, "42") != 0) return 12;
    if (getenv("HOME") != NULL) return 13; /* the new environment only */
    return 7;
}

static int wait_for(pid_t pid) {
    int status = -1;
    if (waitpid(pid, &status, 0) != pid) {
        say("FAIL: waitpid(%d): %s", (int)pid, errno_name(errno));
        checks_failed++;
    }
    return status;
}

static void describe(const char* what, int status) {
    if (WIFEXITED(status))
        say("%s: exited %d", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        say("%s: killed by signal %d", what, WTERMSIG(status));
    else
        say("%s: status 0x%x", what, status);
}

static void forks_and_statuses(void) {
    pid_t me = getpid();
    pid_t pid = fork();
    if (pid == 0) _exit(getppid() == me ? 3 : 4);
    EXPECT_TRUE("fork returns a pid", pid > 0);
    describe("child sees its parent, exits 3", wait_for(pid));

    pid = fork();
    if (pid == 0) exit(256 + 9); /* only the low byte counts */
    describe("exit(265)", wait_for(pid));

    /* Copy-on-write: the child's write stays in the child. */
    shared_global = 10;
    pid = fork();
    if (pid == 0) {
        shared_global = 99;
        _exit(shared_global == 99 ? 0 : 1);
    }
    describe("child wrote its copy", wait_for(pid));
    EXPECT_TRUE("parent's copy unchanged", shared_global == 10);

    /* Memory mapped before the fork is copied too; pages the child never
     * touched stay shared until written. */
    char* area = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(area, 'p', 1 << 20);
    pid = fork();
    if (pid == 0) {
        int ok = area[0] == 'p' && area[(1 << 20) - 1] == 'p';
        memset(area, 'c', 4096);
        _exit(ok && area[0] == 'c' ? 0 : 1);
    }
    describe("child reads and writes the copied mapping", wait_for(pid));
    EXPECT_TRUE("parent's mapping unchanged", area[0] == 'p');
    munmap(area, 1 << 20);

    /* Deaths by fault: the wait status names the signal. */
    pid = fork();
    if (pid == 0) {
        volatile uintptr_t address = 8;
        *(volatile int*)address = 1;
        _exit(0);
    }
    describe("child writing to address 8", wait_for(pid));
    pid = fork();
    if (pid == 0) {
        __asm__ volatile("ud2");
        _exit(0);
    }
    describe("child executing ud2", wait_for(pid));
    pid = fork();
    if (pid == 0) {
        volatile int zero = 0;
        _exit(10 / zero);
    }
    describe("child dividing by zero", wait_for(pid));
    pid = fork();
    if (pid == 0) {
        /* Write to a read-only page: SEGV_ACCERR rather than MAPERR. */
        char* ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ro[0] = 1;
        _exit(0);
    }
    describe("child writing a read-only page", wait_for(pid));
}

/* clone with a new stack: the child runs on it at once, so it cannot
 * return through C; it exits with status 8 right after the instruction. */
static long clone_on_stack(unsigned long flags, void* stack_top) {
    long ret;
    register long r10 __asm__("r10") = 0;
    register long r8 __asm__("r8") = 0;
    __asm__ volatile(
        "syscall\n\t"
        "test %%rax, %%rax\n\t"
        "jnz 1f\n\t"
        "mov $60, %%eax\n\t" /* exit(8) */
        "mov $8, %%edi\n\t"
        "syscall\n\t"
        "1:"
        : "=a"(ret)
        : "0"((long)SYS_clone), "D"(flags), "S"(stack_top), "d"(0L), "r"(r10), "r"(r8)
        : "rcx", "r11", "memory");
    return ret;
}

static void vfork_and_clone(void) {
    int before = shared_global;
    pid_t pid = vfork();
    if (pid == 0) _exit(5);
    describe("vfork child exits 5", wait_for(pid));
    EXPECT_TRUE("vfork parent resumes after the child", shared_global == before);

    /* glibc's fork(): clone(CHILD_SETTID|CHILD_CLEARTID|SIGCHLD); raw here. */
    static volatile pid_t child_tid_word = -1, parent_tid_word = -1;
    long r = syscall(SYS_clone, CLONE_CHILD_SETTID | CLONE_PARENT_SETTID | SIGCHLD, 0, &parent_tid_word,
                     &child_tid_word, 0);
    if (r == 0) _exit(child_tid_word == getpid() ? 0 : 1);
    EXPECT_TRUE("clone returns a pid", r > 0);
    describe("child found its tid at CLONE_CHILD_SETTID's address", wait_for((pid_t)r));
    EXPECT_TRUE("CLONE_PARENT_SETTID wrote the tid in the parent", parent_tid_word == r);
    EXPECT_TRUE("CLONE_CHILD_SETTID did not write in the parent", child_tid_word == -1);

    /* A clone with another exit signal is a "clone child": wait4 needs
     * __WCLONE or __WALL for it. */
    r = syscall(SYS_clone, 0 /* no exit signal */, 0, NULL, NULL, 0);
    if (r == 0) _exit(6);
    int status = 0;
    EXPECT_ERR("wait4 without __WCLONE skips a clone child", syscall(SYS_wait4, (pid_t)r, &status, 0, NULL), ECHILD);
    EXPECT_TRUE("wait4 __WALL takes it", syscall(SYS_wait4, (pid_t)r, &status, __WALL, NULL) == r);
    describe("clone child with no exit signal", status);

    /* A new stack for the child (posix_spawn's way). */
    char* stack = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    pid = fork();
    if (pid == 0) {
        r = clone_on_stack(CLONE_VM | CLONE_VFORK | SIGCHLD, stack + 65536);
        int st = 0;
        _exit(r > 0 && waitpid((pid_t)r, &st, 0) == r && WIFEXITED(st) && WEXITSTATUS(st) == 8 ? 0 : 1);
    }
    describe("clone(CLONE_VM|CLONE_VFORK) on a new stack", wait_for(pid));
    munmap(stack, 65536);

    EXPECT_ERR("clone CLONE_SIGHAND without CLONE_VM", syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, 0, NULL, NULL, 0),
               EINVAL);
    EXPECT_ERR("clone CLONE_THREAD without CLONE_SIGHAND",
               syscall(SYS_clone, CLONE_THREAD | CLONE_VM | SIGCHLD, 0, NULL, NULL, 0), EINVAL);
    EXPECT_ERR("clone CLONE_SETTLS with a kernel address",
               syscall(SYS_clone, CLONE_SETTLS | SIGCHLD, 0, NULL, NULL, KERNEL_PTR), EPERM);
}

static void waits(void) {
    EXPECT_ERR("wait4 with no children", syscall(SYS_wait4, -1, NULL, 0, NULL), ECHILD);
    EXPECT_ERR("wait4 bad options", syscall(SYS_wait4, -1, NULL, 0x1000, NULL), EINVAL);
    EXPECT_ERR("wait4 a pid that is no child", syscall(SYS_wait4, 0x7ffffff0, NULL, 0, NULL), ECHILD);

    struct timespec pause = {0, 20 * 1000 * 1000};
    pid_t pid = fork();
    if (pid == 0) {
        nanosleep(&pause, NULL);
        _exit(2);
    }
    int status = 0;
    EXPECT_TRUE("WNOHANG while the child runs", syscall(SYS_wait4, pid, &status, WNOHANG, NULL) == 0);
    siginfo_t info;
    memset(&info, 0xff, sizeof info);
    EXPECT_OK("waitid WEXITED|WNOWAIT", syscall(SYS_waitid, P_PID, pid, &info, WEXITED | WNOWAIT, NULL));
    say("waitid si_signo=%s si_code=%s si_status=%d", info.si_signo == SIGCHLD ? "SIGCHLD" : "other",
        info.si_code == CLD_EXITED ? "CLD_EXITED" : "other", info.si_status);
    EXPECT_TRUE("waitid si_pid", info.si_pid == pid);
    EXPECT_TRUE("WNOWAIT left it to reap", syscall(SYS_wait4, pid, &status, 0, NULL) == pid);
    describe("the waited child", status);
    EXPECT_ERR("reaped once only", syscall(SYS_wait4, pid, &status, 0, NULL), ECHILD);

    pid = fork();
    if (pid == 0) _exit(0);
    memset(&info, 0, sizeof info);
    EXPECT_OK("waitid P_ALL WEXITED", syscall(SYS_waitid, P_ALL, 0, &info, WEXITED, NULL));
    EXPECT_TRUE("waitid reaped it", info.si_pid == pid && info.si_code == CLD_EXITED && info.si_status == 0);
    memset(&info, 0xff, sizeof info);
    EXPECT_ERR("waitid no children", syscall(SYS_waitid, P_ALL, 0, &info, WEXITED, NULL), ECHILD);
    EXPECT_ERR("waitid without WEXITED/WSTOPPED/WCONTINUED", syscall(SYS_waitid, P_ALL, 0, &info, WNOHANG, NULL),
               EINVAL);
    EXPECT_ERR("waitid bad id type", syscall(SYS_waitid, 77, 0, &info, WEXITED, NULL), EINVAL);

    /* The status pointer is checked when there is something to write. */
    pid = fork();
    if (pid == 0) _exit(0);
    EXPECT_ERR("wait4 with a kernel status pointer", syscall(SYS_wait4, pid, KERNEL_PTR, 0, NULL), EFAULT);
    EXPECT_ERR("and the child was reaped anyway", syscall(SYS_wait4, pid, NULL, 0, NULL), ECHILD);

    /* Several children, any order. */
    for (int i = 0; i < 5; i++)
        if (fork() == 0) _exit(20 + i);
    int sum = 0;
    for (int i = 0; i < 5; i++) {
        status = 0;
        if (wait(&status) > 0 && WIFEXITED(status)) sum += WEXITSTATUS(status);
    }
    say("five children's statuses add up to %d", sum);
}

static void execs(void) {
    pid_t pid = fork();
    if (pid == 0) {
        char* argv[] = {"renamed", "--exec-child", "second arg", "", NULL};
        char* envp[] = {"LIFECYCLE_VALUE=42", NULL};
        execve(self_path, argv, envp);
        _exit(100 + errno);
    }
    describe("execve of the program itself", wait_for(pid));

    pid = fork();
    if (pid == 0) {
        char* argv[] = {"self", "--exec-child", "second arg", "", NULL};
        char* envp[] = {"LIFECYCLE_VALUE=42", NULL};
        execve("/proc/self/exe", argv, envp);
        _exit(100 + errno);
    }
    describe("execve of /proc/self/exe", wait_for(pid));

    pid = vfork();
    if (pid == 0) {
        char* argv[] = {"vforked", "--exec-child", "second arg", "", NULL};
        char* envp[] = {"LIFECYCLE_VALUE=42", NULL};
        execve(self_path, argv, envp);
        _exit(100 + errno);
    }
    describe("vfork + execve", wait_for(pid));

    char* argv[] = {"x", NULL};
    EXPECT_ERR("execve of a missing file", syscall(SYS_execve, "/no/such/program", argv, NULL), ENOENT);
    EXPECT_ERR("execve of an empty path", syscall(SYS_execve, "", argv, NULL), ENOENT);
    EXPECT_ERR("execve with a kernel path pointer", syscall(SYS_execve, KERNEL_PTR, argv, NULL), EFAULT);
    EXPECT_ERR("execve with a kernel argv", syscall(SYS_execve, self_path, KERNEL_PTR, NULL), EFAULT);
    char* bad_argv[] = {"x", (char*)KERNEL_PTR, NULL};
    EXPECT_ERR("execve with a kernel string in argv", syscall(SYS_execve, self_path, bad_argv, NULL), EFAULT);
    static char long_path[5000];
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[0] = '/';
    EXPECT_ERR("execve of a path longer than PATH_MAX", syscall(SYS_execve, long_path, argv, NULL), ENAMETOOLONG);
    /* More than a quarter of the 8 MiB stack limit in strings. */
    size_t big = 3u << 20;
    char* huge = malloc(big);
    memset(huge, 'z', big - 1);
    huge[big - 1] = 0;
    char* huge_argv[] = {"x", huge, NULL};
    EXPECT_ERR("execve with 3 MiB of arguments", syscall(SYS_execve, self_path, huge_argv, NULL), E2BIG);
    free(huge);
}

static long elapsed_ns(const struct timespec* a, const struct timespec* b) {
    return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

static void sleeps(void) {
    struct timespec start, end, d = {0, 15 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    EXPECT_OK("nanosleep 15 ms", nanosleep(&d, NULL));
    clock_gettime(CLOCK_MONOTONIC, &end);
    EXPECT_TRUE("slept at least 15 ms", elapsed_ns(&start, &end) >= 15 * 1000 * 1000);

    struct timespec until = end;
    until.tv_nsec += 10 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000) until.tv_sec++, until.tv_nsec -= 1000000000;
    EXPECT_OK("clock_nanosleep TIMER_ABSTIME",
              syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL));
    clock_gettime(CLOCK_MONOTONIC, &end);
    EXPECT_TRUE("woke at or after the deadline", elapsed_ns(&until, &end) >= 0);
    struct timespec past = {0, 1};
    EXPECT_OK("clock_nanosleep to a past deadline", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME,
                                                             &past, NULL));
    struct timespec bad = {0, 1000000000};
    EXPECT_ERR("nanosleep tv_nsec = 1e9", syscall(SYS_nanosleep, &bad, NULL), EINVAL);
    struct timespec negative = {-1, 0};
    EXPECT_ERR("nanosleep negative", syscall(SYS_nanosleep, &negative, NULL), EINVAL);
    EXPECT_ERR("nanosleep kernel pointer", syscall(SYS_nanosleep, KERNEL_PTR, NULL), EFAULT);
    EXPECT_ERR("clock_nanosleep bad clock", syscall(SYS_clock_nanosleep, 77, 0, &d, NULL), EINVAL);
    struct timespec zero = {0, 0};
    EXPECT_OK("nanosleep 0", nanosleep(&zero, NULL));
    EXPECT_OK("sched_yield", sched_yield());
    // It takes no arguments: whatever the six argument registers hold, 0.
    EXPECT_TRUE("sched_yield ignores its argument registers",
                syscall(SYS_sched_yield, -1L, KERNEL_PTR, 7L, -1L, 0L, 1L) == 0);
}

int main(int argc, char** argv) {
    if (argc >= 2 && strcmp(argv[1], "--exec-child") == 0) return exec_child(argc, argv);
    self_path = argv[0];
    if (self_path[0] != '/') {
        say("FAIL: run me by an absolute path (for execve)");
        return 1;
    }
    forks_and_statuses();
    vfork_and_clone();
    waits();
    execs();
    sleeps();
    return finish("lifecycle");
}
