/* Signals between a parent and its children: SIGCHLD and wait statuses
 * for exit/kill/stop/continue, SA_NOCLDSTOP, the default actions of
 * SIGSEGV and SIGFPE, a forged rt_sigreturn frame killing only its
 * program (man 7 signal, man 2 sigaction, wait; issue 12). signals.c has
 * what one process does alone, sigprocs.c restarts and timers. */
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

int main(void) {
    children();
    default_actions();
    return finish("sigchild");
}
