/* clone3(2) (syscall 435, struct clone_args of linux/sched.h): the
 * struct's versions and sizes, the flags and fields it refuses and with
 * which errno, exit_signal, a new stack (the child starts at stack +
 * stack_size), CLONE_SETTLS, CLONE_CLEAR_SIGHAND, threads, set_tid and
 * CLONE_INTO_CGROUP's errors (issue 12). Only what every Linux answers
 * alike: set_tid's success and EEXIST need privilege, so the program
 * says which it expected; a pidfd's success is not asked (the kernel
 * under test has no pidfds: docs/proc.md). */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "common.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* linux/sched.h */
struct clone_args_v2 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64
#define CLONE_ARGS_SIZE_VER1 80
#define CLONE_ARGS_SIZE_VER2 88
#define X_CLONE_VM 0x00000100ULL
#define X_CLONE_FS 0x00000200ULL
#define X_CLONE_FILES 0x00000400ULL
#define X_CLONE_SIGHAND 0x00000800ULL
#define X_CLONE_PIDFD 0x00001000ULL
#define X_CLONE_PARENT 0x00008000ULL
#define X_CLONE_THREAD 0x00010000ULL
#define X_CLONE_SYSVSEM 0x00040000ULL
#define X_CLONE_SETTLS 0x00080000ULL
#define X_CLONE_PARENT_SETTID 0x00100000ULL
#define X_CLONE_CHILD_CLEARTID 0x00200000ULL
#define X_CLONE_DETACHED 0x00400000ULL
#define X_CLONE_CLEAR_SIGHAND 0x100000000ULL
#define X_CLONE_INTO_CGROUP 0x200000000ULL
/* asm/prctl.h */
#define X_ARCH_GET_FS 0x1003
/* linux/futex.h */
#define X_FUTEX_WAIT 0

static long clone3(void* args, size_t size) { return syscall(SYS_clone3, args, size); }

/* A fork-like clone3 (no new stack): the child exits at once with 7. */
static struct clone_args_v2 forkish(void) {
    struct clone_args_v2 a;
    memset(&a, 0, sizeof a);
    a.exit_signal = SIGCHLD;
    return a;
}

/* clone3 with `args` of `size` bytes; a child (if any) exits with 7 and is
 * reaped here. Prints "what: ok" or the errno. */
static void try_fork(const char* what, void* args, size_t size, int expected_errno) {
    errno = 0;
    long pid = clone3(args, size);
    if (pid == 0) _exit(7);
    report(what, pid);
    if (pid > 0) {
        int status = 0;
        CHECK(waitpid((pid_t)pid, &status, __WALL) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
    }
    CHECK(expected_errno == 0 ? pid > 0 : (pid == -1 && errno == expected_errno));
}

static void sizes(void) {
    struct clone_args_v2 a = forkish();
    try_fork("size 0", &a, 0, EINVAL);
    try_fork("size VER0-1", &a, CLONE_ARGS_SIZE_VER0 - 1, EINVAL);
    try_fork("size VER0", &a, CLONE_ARGS_SIZE_VER0, 0);
    try_fork("size VER1", &a, CLONE_ARGS_SIZE_VER1, 0);
    try_fork("size VER2", &a, CLONE_ARGS_SIZE_VER2, 0);
    /* A bigger struct than the kernel knows: fine while the rest is zero. */
    static unsigned char page[4096 + 8] __attribute__((aligned(4096)));
    memset(page, 0, sizeof page);
    memcpy(page, &a, sizeof a);
    try_fork("size 96, zero past VER2", page, 96, 0);
    try_fork("size 4096, zero past VER2", page, 4096, 0);
    try_fork("size 4097", page, 4097, E2BIG);
    page[95] = 1;
    try_fork("size 96, a byte set past VER2", page, 96, E2BIG);
    page[95] = 0;
    page[4095] = 1;
    try_fork("size 4096, the last byte set", page, 4096, E2BIG);
    try_fork("args NULL", NULL, CLONE_ARGS_SIZE_VER0, EFAULT);
    try_fork("args unmapped", unmapped_ptr(), CLONE_ARGS_SIZE_VER0, EFAULT);
    try_fork("args in the kernel", KERNEL_PTR, CLONE_ARGS_SIZE_VER0, EFAULT);
    /* The struct ends the last readable page; the size says more. */
    unsigned char* two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(two + 4096, 4096);
    struct clone_args_v2* at_end = (struct clone_args_v2*)(two + 4096 - sizeof a);
    *at_end = a;
    try_fork("VER2 struct ending its page", at_end, CLONE_ARGS_SIZE_VER2, 0);
    try_fork("size past the end of the mapping", at_end, CLONE_ARGS_SIZE_VER2 + 8, EFAULT);
    munmap(two, 4096);
}

static void refused(void) {
    struct clone_args_v2 a = forkish();
    a.flags = 1ULL << 40;
    try_fork("unknown flag", &a, sizeof a, EINVAL);
    a.flags = SIGCHLD;
    try_fork("exit signal in flags", &a, sizeof a, EINVAL);
    a.flags = X_CLONE_DETACHED;
    try_fork("CLONE_DETACHED", &a, sizeof a, EINVAL);
    a.flags = X_CLONE_VM | X_CLONE_SIGHAND | X_CLONE_CLEAR_SIGHAND;
    try_fork("CLONE_SIGHAND with CLONE_CLEAR_SIGHAND", &a, sizeof a, EINVAL);
    a.flags = X_CLONE_VM | X_CLONE_SIGHAND | X_CLONE_THREAD;
    try_fork("CLONE_THREAD with an exit signal", &a, sizeof a, EINVAL);
    a.flags = X_CLONE_PARENT;
    try_fork("CLONE_PARENT with an exit signal", &a, sizeof a, EINVAL);
    a.flags = 0;
    a.exit_signal = 65;
    try_fork("exit_signal 65", &a, sizeof a, EINVAL);
    a.exit_signal = (1ULL << 32) | SIGCHLD;
    try_fork("exit_signal upper bits", &a, sizeof a, EINVAL);
    a.exit_signal = SIGCHLD;
    a.flags = X_CLONE_SIGHAND;
    try_fork("CLONE_SIGHAND without CLONE_VM", &a, sizeof a, EINVAL);
    a.flags = X_CLONE_VM | X_CLONE_THREAD;
    a.exit_signal = 0;
    try_fork("CLONE_THREAD without CLONE_SIGHAND", &a, sizeof a, EINVAL);
    /* Stacks: both or neither, inside user space. */
    a = forkish();
    a.stack_size = 4096;
    try_fork("stack_size without stack", &a, sizeof a, EINVAL);
    static char stack[4096];
    a.stack = (uint64_t)stack;
    a.stack_size = 0;
    try_fork("stack without stack_size", &a, sizeof a, EINVAL);
    a.stack = (uint64_t)KERNEL_PTR;
    a.stack_size = 4096;
    try_fork("stack in the kernel half", &a, sizeof a, EINVAL);
    a.stack = 1;
    a.stack_size = ~0ULL;
    try_fork("stack + size wrapping", &a, sizeof a, EINVAL);
    /* pidfds: refused when the pidfd would share parent_tid's word (with
     * CLONE_THREAD too before Linux 6.9, which allows it: not asked). */
    static int word;
    a = forkish();
    a.pidfd = (uint64_t)&word;
    a.flags = X_CLONE_PIDFD | X_CLONE_PARENT_SETTID;
    a.exit_signal = SIGCHLD;
    a.parent_tid = (uint64_t)&word;
    try_fork("CLONE_PIDFD and CLONE_PARENT_SETTID on one word", &a, sizeof a, EINVAL);
}

static void set_tid_unprivileged(void) {
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) _exit(2);
    struct clone_args_v2 a = forkish();
    pid_t tids[1] = {getpid() + 1};
    a.set_tid = (uint64_t)tids;
    a.set_tid_size = 1;
    long pid = clone3(&a, sizeof a);
    if (pid == 0) _exit(7);
    CHECK(pid == -1 && errno == EPERM);
}

/* set_tid: its shape is checked for everyone; a pid is taken only with
 * privilege (CAP_CHECKPOINT_RESTORE), EPERM otherwise. */
static void set_tid(void) {
    struct clone_args_v2 a = forkish();
    pid_t tids[2] = {0, 0};
    a.set_tid_size = 1;
    try_fork("set_tid_size without set_tid", &a, sizeof a, EINVAL);
    a.set_tid = (uint64_t)tids;
    a.set_tid_size = 0;
    try_fork("set_tid without set_tid_size", &a, sizeof a, EINVAL);
    a.set_tid_size = 33;
    try_fork("set_tid_size 33", &a, sizeof a, EINVAL);
    a.set_tid_size = 1;
    a.set_tid = (uint64_t)unmapped_ptr();
    try_fork("set_tid unmapped", &a, sizeof a, EFAULT);
    a.set_tid = (uint64_t)tids;
    try_fork("set_tid pid 0", &a, sizeof a, EINVAL);
    tids[0] = -1;
    try_fork("set_tid pid -1", &a, sizeof a, EINVAL);
    a.set_tid_size = 2;
    tids[0] = tids[1] = 0;
    try_fork("set_tid two levels of pid 0", &a, sizeof a, EINVAL);
    a.set_tid_size = 1;
    int privileged = geteuid() == 0;
    tids[0] = getpid();
    try_fork(privileged ? "set_tid of a pid in use (privileged)" : "set_tid of a pid in use (unprivileged)", &a,
             sizeof a, privileged ? EEXIST : EPERM);
    /* A pid just freed (pids are handed out upwards, so nobody takes it
     * again at once): the child gets exactly it. */
    pid_t freed = fork();
    if (freed == 0) _exit(0);
    waitpid(freed, NULL, 0);
    tids[0] = freed;
    errno = 0;
    long pid = clone3(&a, sizeof a);
    if (pid == 0) _exit(7);
    if (pid > 0) waitpid((pid_t)pid, NULL, 0);
    if (privileged) {
        EXPECT_TRUE("set_tid of a free pid (privileged): the child has it", pid == freed);
        /* The same without privilege, in a child that gave it up. */
        EXPECT_TRUE("set_tid after setresuid(65534): EPERM", in_child(set_tid_unprivileged) == 0);
    } else {
        say("set_tid of a free pid (unprivileged): %s", pid < 0 ? errno_name(errno) : "ok");
        CHECK(pid == -1 && errno == EPERM);
    }
}

/* CLONE_INTO_CGROUP: the descriptor must name a cgroup v2 directory. */
static void cgroup(void) {
    struct clone_args_v2 a = forkish();
    a.flags = X_CLONE_INTO_CGROUP;
    a.cgroup = 0x80000000ULL;
    try_fork("CLONE_INTO_CGROUP above INT_MAX", &a, sizeof a, EINVAL);
    int fds[2];
    CHECK(pipe(fds) == 0);
    a.cgroup = (uint64_t)fds[0];
    try_fork("CLONE_INTO_CGROUP in a VER1 struct", &a, CLONE_ARGS_SIZE_VER1, EINVAL);
    try_fork("CLONE_INTO_CGROUP of a pipe", &a, sizeof a, EBADF);
    close(fds[0]);
    close(fds[1]);
    try_fork("CLONE_INTO_CGROUP of a closed descriptor", &a, sizeof a, EBADF);
}

/* exit_signal: 0 is seen by __WALL/__WCLONE waits only; another signal is
 * what the parent gets at the child's exit. */
static void exit_signals(void) {
    struct clone_args_v2 a = forkish();
    a.exit_signal = 0;
    long pid = clone3(&a, sizeof a);
    if (pid == 0) _exit(3);
    int status = 0;
    EXPECT_ERR("exit_signal 0: waitpid without __WALL", waitpid((pid_t)pid, &status, 0), ECHILD);
    EXPECT_TRUE("exit_signal 0: waitpid __WCLONE", waitpid((pid_t)pid, &status, __WCLONE) == pid &&
                                                       WIFEXITED(status) && WEXITSTATUS(status) == 3);
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    a.exit_signal = SIGUSR1;
    pid = clone3(&a, sizeof a);
    if (pid == 0) _exit(5);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int signal = sigwaitinfo(&usr1, &info);
    EXPECT_TRUE("exit_signal SIGUSR1: the parent gets SIGUSR1", signal == SIGUSR1);
    EXPECT_TRUE("exit_signal SIGUSR1: si_code CLD_EXITED, si_status 5, si_pid the child",
                info.si_code == CLD_EXITED && info.si_status == 5 && info.si_pid == pid);
    EXPECT_TRUE("exit_signal SIGUSR1: waitpid __WALL", waitpid((pid_t)pid, &status, __WALL) == pid &&
                                                          WIFEXITED(status) && WEXITSTATUS(status) == 5);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* The child starts with RSP = stack + stack_size exactly: it exits 42 if
 * so, 43 if not, before touching its (unrelated) stack. */
static long clone3_on_stack(struct clone_args_v2* a, uint64_t expected_top) {
    register long rax __asm__("rax") = SYS_clone3;
    register void* rdi __asm__("rdi") = a;
    register size_t rsi __asm__("rsi") = sizeof *a;
    register uint64_t rdx __asm__("rdx") = expected_top;
    __asm__ volatile(
        "syscall\n\t"
        "test %%rax, %%rax\n\t"
        "jnz 1f\n\t"
        "mov $43, %%edi\n\t"
        "mov $42, %%esi\n\t"
        "cmp %%rsp, %%rdx\n\t"
        "cmove %%esi, %%edi\n\t"
        "mov $231, %%eax\n\t" /* exit_group */
        "syscall\n\t"
        "hlt\n"
        "1:\n\t"
        : "+r"(rax)
        : "r"(rdi), "r"(rsi), "r"(rdx)
        : "rcx", "r11", "memory");
    return rax;
}

static void new_stack(void) {
    static char stack[16384] __attribute__((aligned(16)));
    struct clone_args_v2 a = forkish();
    a.stack = (uint64_t)stack;
    a.stack_size = 8192 + 8; /* not rounded: the top is where it says */
    long pid = clone3_on_stack(&a, a.stack + a.stack_size);
    int status = 0;
    CHECK(pid > 0);
    waitpid((pid_t)pid, &status, 0);
    EXPECT_TRUE("stack: the child starts at stack + stack_size", WIFEXITED(status) && WEXITSTATUS(status) == 42);
}

/* CLONE_SETTLS: the child's FS base is tls. The block looks enough like a
 * TLS block for the C library's syscall path (self pointer, canary). */
static uint64_t tls_block[64] __attribute__((aligned(64)));
static void settls(void) {
    uint64_t fs = 0;
    syscall(SYS_arch_prctl, X_ARCH_GET_FS, &fs);
    memcpy(tls_block, (void*)fs, sizeof tls_block);
    tls_block[0] = (uint64_t)tls_block;
    tls_block[2] = (uint64_t)tls_block;
    struct clone_args_v2 a = forkish();
    a.flags = X_CLONE_SETTLS;
    a.tls = (uint64_t)tls_block;
    long pid = clone3(&a, sizeof a);
    if (pid == 0) {
        uint64_t mine = 0;
        syscall(SYS_arch_prctl, X_ARCH_GET_FS, &mine);
        syscall(SYS_exit_group, mine == (uint64_t)tls_block ? 9 : 10);
    }
    int status = 0;
    waitpid((pid_t)pid, &status, 0);
    EXPECT_TRUE("CLONE_SETTLS: the child's FS base is tls", WIFEXITED(status) && WEXITSTATUS(status) == 9);
    a.tls = (uint64_t)KERNEL_PTR;
    try_fork("CLONE_SETTLS with a kernel address", &a, sizeof a, EPERM);
}

/* CLONE_CLEAR_SIGHAND: caught signals are SIG_DFL in the child, ignored
 * ones stay ignored (as after exec). */
static void on_usr1(int signal) { (void)signal; }
static void clear_sighand(void) {
    struct sigaction sa, old1, old2;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, &old1);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGUSR2, &sa, &old2);
    struct clone_args_v2 a = forkish();
    a.flags = X_CLONE_CLEAR_SIGHAND;
    long pid = clone3(&a, sizeof a);
    if (pid == 0) {
        struct sigaction now1, now2;
        sigaction(SIGUSR1, NULL, &now1);
        sigaction(SIGUSR2, NULL, &now2);
        _exit((now1.sa_handler == SIG_DFL ? 0 : 1) | (now2.sa_handler == SIG_IGN ? 0 : 2));
    }
    int status = 0;
    waitpid((pid_t)pid, &status, 0);
    EXPECT_TRUE("CLONE_CLEAR_SIGHAND: caught back to SIG_DFL, ignored stays",
                WIFEXITED(status) && WEXITSTATUS(status) == 0);
    a.flags = 0;
    pid = clone3(&a, sizeof a);
    if (pid == 0) {
        struct sigaction now1;
        sigaction(SIGUSR1, NULL, &now1);
        _exit(now1.sa_handler == on_usr1 ? 0 : 1);
    }
    waitpid((pid_t)pid, &status, 0);
    EXPECT_TRUE("without it: the handler is the child's too", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    sigaction(SIGUSR1, &old1, NULL);
    sigaction(SIGUSR2, &old2, NULL);
}

/* A thread: the child exits (SYS_exit) at once on its own stack; the
 * parent learns its tid (CLONE_PARENT_SETTID) and waits for the
 * CLONE_CHILD_CLEARTID word to become 0. */
static volatile int32_t thread_tid;
static void thread_by_clone3(void) {
    static char stack[16384] __attribute__((aligned(16)));
    int32_t parent_word = 0;
    thread_tid = 0;
    struct clone_args_v2 a;
    memset(&a, 0, sizeof a);
    a.flags = X_CLONE_VM | X_CLONE_FS | X_CLONE_FILES | X_CLONE_SIGHAND | X_CLONE_THREAD | X_CLONE_SYSVSEM |
              X_CLONE_PARENT_SETTID | X_CLONE_CHILD_CLEARTID;
    a.parent_tid = (uint64_t)&parent_word;
    a.child_tid = (uint64_t)&thread_tid;
    a.stack = (uint64_t)stack;
    a.stack_size = sizeof stack;
    thread_tid = -1; /* cleared by the kernel when the thread ends */
    register long rax __asm__("rax") = SYS_clone3;
    register void* rdi __asm__("rdi") = &a;
    register size_t rsi __asm__("rsi") = sizeof a;
    __asm__ volatile(
        "syscall\n\t"
        "test %%rax, %%rax\n\t"
        "jnz 1f\n\t"
        "xor %%edi, %%edi\n\t"
        "mov $60, %%eax\n\t" /* exit: this thread only */
        "syscall\n\t"
        "hlt\n"
        "1:\n\t"
        : "+r"(rax)
        : "r"(rdi), "r"(rsi)
        : "rcx", "r11", "memory");
    long tid = rax;
    EXPECT_TRUE("CLONE_THREAD: a tid, not the pid", tid > 0 && tid != getpid());
    EXPECT_TRUE("CLONE_PARENT_SETTID: the tid", parent_word == tid);
    int32_t seen;
    while ((seen = __atomic_load_n(&thread_tid, __ATOMIC_SEQ_CST)) != 0)
        syscall(SYS_futex, &thread_tid, X_FUTEX_WAIT, seen, NULL, NULL, 0);
    EXPECT_TRUE("CLONE_CHILD_CLEARTID: cleared at the thread's exit", thread_tid == 0);
}

static void* add_one(void* arg) { return (void*)((long)arg + 1); }
static void pthreads(void) {
    /* glibc's pthread_create makes its threads with clone3 (musl: clone). */
    pthread_t t;
    void* result = NULL;
    int made = pthread_create(&t, NULL, add_one, (void*)41);
    EXPECT_TRUE("pthread_create and join", made == 0 && pthread_join(t, &result) == 0 && (long)result == 42);
}

int main(void) {
    sizes();
    refused();
    set_tid();
    cgroup();
    exit_signals();
    new_stack();
    settls();
    clear_sighand();
    thread_by_clone3();
    pthreads();
    return finish("clone3");
}
