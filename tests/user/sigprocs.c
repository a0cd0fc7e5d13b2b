/* Signals between processes: SA_RESTART against EINTR for a pipe read and
 * nanosleep interrupted by another process's kill, SIGCHLD and wait
 * statuses for exit/kill/stop/continue, the default actions of SIGSEGV
 * and SIGFPE, a forged rt_sigreturn frame killing only its program, alarm
 * and setitimer (man 7 signal, man 2 sigaction, wait, setitimer, alarm;
 * issue 12). signals.c has what one process does alone. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "common.h"

static volatile sig_atomic_t hits, last_sig;

static void plain_handler(int sig) {
    hits++;
    last_sig = sig;
}

static void handle(int sig, void (*fn)(int), int flags) {
    struct sigaction sa = {.sa_handler = fn, .sa_flags = flags};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
}

/* True once `pid` sleeps in the kernel (field 3 of /proc/<pid>/stat). */
static int sleeping(pid_t pid) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    char* end = strrchr(buf, ')');
    return end && end[1] == ' ' && end[2] == 'S';
}

/* A child that signals us once we block, then (after a pause) writes a byte. */
static pid_t interrupter(int sig, int write_fd) {
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        while (!sleeping(parent)) usleep(1000);
        kill(parent, sig);
        usleep(20000);
        if (write_fd >= 0) write(write_fd, "x", 1);
        _exit(0);
    }
    return child;
}

static void restart_or_eintr(void) {
    for (int restart = 0; restart <= 1; restart++) {
        handle(SIGUSR1, plain_handler, restart ? SA_RESTART : 0);
        int p[2];
        CHECK(pipe(p) == 0);
        hits = 0;
        pid_t child = interrupter(SIGUSR1, p[1]);
        char c;
        errno = 0;
        long r = read(p[0], &c, 1);
        say("pipe read interrupted, %s: %s, handler ran %d", restart ? "SA_RESTART" : "no SA_RESTART",
            r == 1 ? "restarted and read the byte" : errno_name(errno), (int)hits);
        CHECK(hits == 1 && (restart ? r == 1 : (r == -1 && errno == EINTR)));
        waitpid(child, NULL, 0);
        close(p[0]), close(p[1]);
    }
    /* nanosleep is never restarted; it reports the time left (man 7 signal). */
    handle(SIGUSR1, plain_handler, SA_RESTART);
    pid_t child = interrupter(SIGUSR1, -1);
    struct timespec req = {30, 0}, rem = {0, 0};
    errno = 0;
    long r = nanosleep(&req, &rem);
    say("nanosleep interrupted under SA_RESTART: %s", r == -1 ? errno_name(errno) : "returned 0");
    CHECK(r == -1 && errno == EINTR);
    EXPECT_TRUE("nanosleep: 0 < remaining <= 30 s", (rem.tv_sec > 0 || rem.tv_nsec > 0) && rem.tv_sec <= 30);
    waitpid(child, NULL, 0);
}

static char chld_codes[16];
static volatile sig_atomic_t chld_count;

static void on_chld(int sig, siginfo_t* info, void* context) {
    (void)sig, (void)context;
    char c = '?';
    switch (info->si_code) {
        case CLD_EXITED: c = 'E'; break;
        case CLD_KILLED: c = 'K'; break;
        case CLD_DUMPED: c = 'D'; break;
        case CLD_STOPPED: c = 'S'; break;
        case CLD_CONTINUED: c = 'C'; break;
    }
    if (chld_count < (int)sizeof chld_codes - 1) chld_codes[chld_count++] = c;
}

/* SIGCHLD is a standard signal: two notifications pending at once merge
 * into one, so each step waits for its own (for at most ~5 s). */
static void await_chld(int count) {
    for (int tries = 0; tries < 5000 && chld_count < count; tries++) usleep(1000);
}

static void children(void) {
    struct sigaction sa = {.sa_sigaction = on_chld, .sa_flags = SA_SIGINFO | SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    chld_count = 0;
    pid_t child = fork();
    if (child == 0) {
        for (;;) pause();
    }
    int status;
    kill(child, SIGSTOP);
    CHECK(waitpid(child, &status, WUNTRACED) == child);
    say("stopped: WIFSTOPPED=%d sig=%s", WIFSTOPPED(status), WSTOPSIG(status) == SIGSTOP ? "SIGSTOP" : "other");
    CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
    await_chld(1);
    kill(child, SIGCONT);
    CHECK(waitpid(child, &status, WCONTINUED) == child);
    EXPECT_TRUE("continued: WIFCONTINUED", WIFCONTINUED(status));
    await_chld(2);
    kill(child, SIGTERM);
    CHECK(waitpid(child, &status, 0) == child);
    say("terminated: WIFSIGNALED=%d sig=%s", WIFSIGNALED(status), WTERMSIG(status) == SIGTERM ? "SIGTERM" : "other");
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    await_chld(3);
    child = fork();
    if (child == 0) _exit(9);
    CHECK(waitpid(child, &status, 0) == child);
    await_chld(4);
    chld_codes[chld_count] = 0;
    say("SIGCHLD si_codes in order: %s", chld_codes);
    CHECK(strcmp(chld_codes, "SCKE") == 0);

    sa.sa_flags |= SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    chld_count = 0;
    child = fork();
    if (child == 0) {
        for (;;) pause();
    }
    kill(child, SIGSTOP);
    waitpid(child, &status, WUNTRACED);
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    await_chld(1);
    chld_codes[chld_count] = 0;
    say("SA_NOCLDSTOP: si_codes %s", chld_codes);
    CHECK(strcmp(chld_codes, "K") == 0);
    signal(SIGCHLD, SIG_DFL);
}

static void no_core(void) {
    struct rlimit zero = {0, 0};
    setrlimit(RLIMIT_CORE, &zero);
}

static void null_write_default(void) {
    no_core();
    *(volatile int*)0 = 1;
}

static volatile int zero_divisor;

static void divide_default(void) {
    no_core();
    volatile int x = 7 / zero_divisor; /* not 1/x: gcc computes that without a division */
    (void)x;
}

/* rt_sigreturn with a forged, all-zero frame: RIP 0 after the "return". */
static void forged_sigreturn(void) {
    no_core();
    static char frame[4096] __attribute__((aligned(16)));
    __asm__ volatile("mov %0, %%rsp\n\tmov %1, %%eax\n\tsyscall" ::"r"(frame + 64), "i"(SYS_rt_sigreturn)
                     : "memory");
}

static void default_actions(void) {
    int status = in_child(null_write_default);
    say("null write, default action: signaled=%d sig=%s core=%d", WIFSIGNALED(status),
        WTERMSIG(status) == SIGSEGV ? "SIGSEGV" : "other", WCOREDUMP(status) ? 1 : 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    status = in_child(divide_default);
    say("divide by zero, default action: sig=%s", WTERMSIG(status) == SIGFPE ? "SIGFPE" : "other");
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGFPE);
    status = in_child(forged_sigreturn);
    say("forged rt_sigreturn frame: only the program dies, by %s",
        WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV ? "SIGSEGV" : "other");
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
}

static void timers(void) {
    handle(SIGALRM, plain_handler, 0);
    alarm(5);
    EXPECT_TRUE("alarm returns the seconds left of the previous alarm", alarm(0) == 5);
    hits = 0;
    alarm(1);
    while (!hits) pause();
    EXPECT_TRUE("alarm(1) delivered SIGALRM", hits == 1 && last_sig == SIGALRM);

    struct itimerval every = {{0, 20000}, {0, 20000}}, got;
    hits = 0;
    EXPECT_OK("setitimer REAL 20 ms interval", setitimer(ITIMER_REAL, &every, NULL));
    while (hits < 3) pause();
    EXPECT_OK("getitimer", getitimer(ITIMER_REAL, &got));
    EXPECT_TRUE("getitimer: the interval as set", got.it_interval.tv_sec == 0 && got.it_interval.tv_usec == 20000);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    EXPECT_TRUE("three periods delivered three signals", hits >= 3);
    EXPECT_ERR("setitimer bad which", syscall(SYS_setitimer, 7, &every, NULL), EINVAL);
    struct itimerval bad = {{0, 0}, {0, 1000000}};
    EXPECT_ERR("setitimer usec=1e6", syscall(SYS_setitimer, ITIMER_REAL, &bad, NULL), EINVAL);
    EXPECT_ERR("getitimer kernel pointer", syscall(SYS_getitimer, ITIMER_REAL, KERNEL_PTR), EFAULT);
    signal(SIGALRM, SIG_DFL);
}

int main(void) {
    restart_or_eintr();
    children();
    default_actions();
    timers();
    return finish("sigprocs");
}
