/* Signals within one process: handlers with and without SA_SIGINFO, masks
 * and pending sets, nesting, the alternate stack, SIGSEGV, SIGFPE and
 * SIGILL from faults caught by handlers, longjmp out of a handler, the
 * registers (general and SSE) an interrupted program gets back, alarm and
 * setitimer, rt_sigsuspend, rt_sigtimedwait and sigqueue (man 7 signal, man 2
 * sigaction, sigprocmask, sigaltstack, rt_sigreturn, sigtimedwait; issue
 * 12). It needs no other process, so it runs as PID 1; a parent and its
 * children are sigchild.c's, interrupted calls sigprocs.c's. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/mman.h>
#include <time.h>

#include "common.h"

/* The kernel's sigset_t is 64 bits (man 2 rt_sigprocmask): what raw calls pass. */
#define KSIGSET_SIZE 8

static volatile sig_atomic_t hits, last_sig, last_code, last_value, last_pid_ok;
static char order[64];
static volatile sig_atomic_t order_len;

static void note(char c) {
    if (order_len < (int)sizeof order - 1) order[order_len++] = c;
}

static void plain_handler(int sig) {
    hits++;
    last_sig = sig;
}

static void info_handler(int sig, siginfo_t* info, void* context) {
    (void)context;
    hits++;
    last_sig = sig;
    last_code = info->si_code;
    last_value = info->si_value.sival_int;
    last_pid_ok = info->si_pid == getpid() && info->si_uid == getuid();
}

static void handle(int sig, void (*fn)(int), int flags) {
    struct sigaction sa = {.sa_handler = fn, .sa_flags = flags};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
}

static void handle_info(int sig, int flags) {
    struct sigaction sa = {.sa_sigaction = info_handler, .sa_flags = SA_SIGINFO | flags};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
}

static sigset_t blocked_now(void) {
    sigset_t set;
    sigprocmask(SIG_BLOCK, NULL, &set);
    return set;
}

static int is_blocked(int sig) {
    sigset_t set = blocked_now();
    return sigismember(&set, sig);
}

static void handlers(void) {
    handle(SIGUSR1, plain_handler, 0);
    hits = 0;
    kill(getpid(), SIGUSR1);
    /* A signal sent to oneself and not blocked is delivered before kill returns. */
    EXPECT_TRUE("plain handler ran once before kill returned", hits == 1 && last_sig == SIGUSR1);

    handle_info(SIGUSR2, 0);
    hits = 0;
    kill(getpid(), SIGUSR2);
    say("SA_SIGINFO kill: code=%s sender_ok=%d", last_code == SI_USER ? "SI_USER" : "other", last_pid_ok);
    CHECK(hits == 1 && last_code == SI_USER && last_pid_ok);

    union sigval value = {.sival_int = 42};
    EXPECT_OK("sigqueue", sigqueue(getpid(), SIGUSR2, value));
    say("sigqueue: code=%s value=%d", last_code == SI_QUEUE ? "SI_QUEUE" : "other", last_value);
    CHECK(last_code == SI_QUEUE && last_value == 42);
    EXPECT_OK("tgkill", syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2));
    say("tgkill: code=%s", last_code == SI_TKILL ? "SI_TKILL" : "other");
    CHECK(last_code == SI_TKILL);
    EXPECT_OK("raise", raise(SIGUSR2));

    /* SA_RESETHAND: the disposition goes back to SIG_DFL on delivery. */
    handle(SIGUSR1, plain_handler, SA_RESETHAND);
    kill(getpid(), SIGUSR1);
    struct sigaction now;
    sigaction(SIGUSR1, NULL, &now);
    EXPECT_TRUE("SA_RESETHAND: SIG_DFL after one delivery", now.sa_handler == SIG_DFL);

    struct sigaction sa = {.sa_handler = plain_handler};
    EXPECT_ERR("sigaction SIGKILL", syscall(SYS_rt_sigaction, SIGKILL, &sa, NULL, KSIGSET_SIZE), EINVAL);
    EXPECT_ERR("sigaction SIGSTOP", syscall(SYS_rt_sigaction, SIGSTOP, &sa, NULL, KSIGSET_SIZE), EINVAL);
    EXPECT_ERR("sigaction signal 0", syscall(SYS_rt_sigaction, 0, &sa, NULL, KSIGSET_SIZE), EINVAL);
    EXPECT_ERR("sigaction signal 65", syscall(SYS_rt_sigaction, 65, &sa, NULL, KSIGSET_SIZE), EINVAL);
    EXPECT_ERR("rt_sigaction sigsetsize 4", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &sa, 4), EINVAL);
    EXPECT_ERR("rt_sigaction act=kernel", syscall(SYS_rt_sigaction, SIGUSR1, KERNEL_PTR, NULL, KSIGSET_SIZE),
               EFAULT);
    EXPECT_ERR("rt_sigaction oldact=unmapped",
               syscall(SYS_rt_sigaction, SIGUSR1, NULL, unmapped_ptr(), KSIGSET_SIZE), EFAULT);
    EXPECT_OK("kill(self, 0)", kill(getpid(), 0));
    EXPECT_ERR("kill(no such pid, 0)", kill(0x3ffffff0, 0), ESRCH);
    EXPECT_ERR("kill signal 65", syscall(SYS_kill, getpid(), 65), EINVAL);
    EXPECT_ERR("tgkill wrong tgid", syscall(SYS_tgkill, 0x3ffffff0, syscall(SYS_gettid), 0), ESRCH);
}

static void masks(void) {
    handle(SIGUSR1, plain_handler, 0);
    sigset_t usr1, old, pending;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    CHECK(sigprocmask(SIG_BLOCK, &usr1, &old) == 0);
    hits = 0;
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    EXPECT_TRUE("blocked: not delivered", hits == 0);
    sigpending(&pending);
    EXPECT_TRUE("blocked: pending", sigismember(&pending, SIGUSR1));
    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
    EXPECT_TRUE("unblocked: a standard signal is delivered once", hits == 1);
    sigpending(&pending);
    EXPECT_TRUE("no longer pending", !sigismember(&pending, SIGUSR1));

    /* Real-time signals queue, in order (man 7 signal, "Real-time signals"). */
    int rt = SIGRTMIN + 2;
    handle_info(rt, 0);
    sigset_t rtset;
    sigemptyset(&rtset);
    sigaddset(&rtset, rt);
    sigprocmask(SIG_BLOCK, &rtset, NULL);
    for (int i = 1; i <= 3; i++) sigqueue(getpid(), rt, (union sigval){.sival_int = i});
    hits = 0;
    sigprocmask(SIG_UNBLOCK, &rtset, NULL);
    say("real-time signal queued 3, delivered %d, last value %d", (int)hits, (int)last_value);
    CHECK(hits == 3 && last_value == 3);

    /* SIGKILL and SIGSTOP cannot be blocked: silently left out. */
    sigset_t all, got;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
    got = blocked_now();
    sigprocmask(SIG_SETMASK, &old, NULL);
    EXPECT_TRUE("SIGKILL/SIGSTOP never blocked", !sigismember(&got, SIGKILL) && !sigismember(&got, SIGSTOP));
    EXPECT_ERR("rt_sigprocmask bad how", syscall(SYS_rt_sigprocmask, 99, &usr1, NULL, KSIGSET_SIZE), EINVAL);
    EXPECT_ERR("rt_sigprocmask set=kernel", syscall(SYS_rt_sigprocmask, SIG_BLOCK, KERNEL_PTR, NULL, KSIGSET_SIZE),
               EFAULT);
    EXPECT_ERR("rt_sigprocmask sigsetsize 16", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &usr1, NULL, 16), EINVAL);
    EXPECT_ERR("rt_sigpending kernel pointer", syscall(SYS_rt_sigpending, KERNEL_PTR, KSIGSET_SIZE), EFAULT);

    /* sigsuspend: the pending signal is delivered, then EINTR. */
    sigprocmask(SIG_BLOCK, &usr1, &old);
    kill(getpid(), SIGUSR1);
    hits = 0;
    sigset_t none;
    sigemptyset(&none);
    EXPECT_ERR("sigsuspend with a pending signal", sigsuspend(&none), EINTR);
    EXPECT_TRUE("...its handler ran, the old mask is back", hits == 1 && is_blocked(SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static volatile sig_atomic_t self_blocked, extra_blocked;

static void outer(int sig) {
    (void)sig;
    note('1');
    sigset_t in = blocked_now();
    self_blocked = sigismember(&in, SIGUSR1);
    extra_blocked = sigismember(&in, SIGTERM);
    kill(getpid(), SIGUSR2);
    note('3');
}

static void inner(int sig) {
    (void)sig;
    note('2');
}

static void nodefer(int sig) {
    (void)sig;
    sigset_t in = blocked_now();
    self_blocked = sigismember(&in, SIGUSR1);
}

static void nesting(void) {
    struct sigaction sa = {.sa_handler = outer};
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaction(SIGUSR1, &sa, NULL);
    handle(SIGUSR2, inner, 0);
    order_len = 0;
    kill(getpid(), SIGUSR1);
    order[order_len] = 0;
    say("nested handlers ran in order: %s", order);
    CHECK(strcmp(order, "123") == 0);
    EXPECT_TRUE("in a handler its signal and sa_mask are blocked", self_blocked && extra_blocked);
    EXPECT_TRUE("after the handler the mask is restored", !is_blocked(SIGTERM));
    handle(SIGUSR1, nodefer, SA_NODEFER);
    kill(getpid(), SIGUSR1);
    EXPECT_TRUE("SA_NODEFER: not blocked in its handler", !self_blocked);
}

static char* alt_base;
static volatile sig_atomic_t on_alt, alt_flag_seen;

static void alt_handler(int sig) {
    (void)sig;
    char local;
    on_alt = &local >= alt_base && &local < alt_base + 65536;
    stack_t now;
    sigaltstack(NULL, &now);
    alt_flag_seen = (now.ss_flags & SS_ONSTACK) != 0;
    stack_t other = {.ss_sp = alt_base, .ss_size = 65536};
    errno = 0;
    alt_flag_seen = alt_flag_seen && sigaltstack(&other, NULL) == -1 && errno == EPERM;
}

static void alternate_stack(void) {
    alt_base = malloc(65536);
    stack_t ss = {.ss_sp = alt_base, .ss_size = 65536}, old;
    EXPECT_OK("sigaltstack", sigaltstack(&ss, &old));
    handle(SIGUSR1, alt_handler, SA_ONSTACK);
    kill(getpid(), SIGUSR1);
    EXPECT_TRUE("SA_ONSTACK handler runs on the alternate stack", on_alt);
    EXPECT_TRUE("...sees SS_ONSTACK and cannot change it (EPERM)", alt_flag_seen);
    handle(SIGUSR1, alt_handler, 0);
    kill(getpid(), SIGUSR1);
    EXPECT_TRUE("without SA_ONSTACK it does not", !on_alt);
    stack_t tiny = {.ss_sp = alt_base, .ss_size = 512};
    EXPECT_ERR("sigaltstack smaller than MINSIGSTKSZ", syscall(SYS_sigaltstack, &tiny, NULL), ENOMEM);
    stack_t bad = {.ss_sp = alt_base, .ss_size = 65536, .ss_flags = 0x1234};
    EXPECT_ERR("sigaltstack bad flags", syscall(SYS_sigaltstack, &bad, NULL), EINVAL);
    EXPECT_ERR("sigaltstack kernel pointer", syscall(SYS_sigaltstack, KERNEL_PTR, NULL), EFAULT);
    stack_t off = {.ss_flags = SS_DISABLE};
    EXPECT_OK("sigaltstack SS_DISABLE", sigaltstack(&off, NULL));
}

static sigjmp_buf escape;
static volatile sig_atomic_t fault_code;
static void* volatile fault_addr;

static void on_fault(int sig, siginfo_t* info, void* context) {
    (void)context;
    fault_code = sig * 100 + info->si_code;
    fault_addr = info->si_addr;
    siglongjmp(escape, 1);
}

static volatile int zero_divisor;

static void faults(void) {
    struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    if (sigsetjmp(escape, 1) == 0) *(volatile int*)0 = 1;
    say("null write: %s si_addr=%s", fault_code == SIGSEGV * 100 + SEGV_MAPERR ? "SIGSEGV/SEGV_MAPERR" : "other",
        fault_addr == NULL ? "NULL" : "other");
    CHECK(fault_code == SIGSEGV * 100 + SEGV_MAPERR && fault_addr == NULL);
    EXPECT_TRUE("siglongjmp out of the handler restored the mask", !is_blocked(SIGSEGV));
    fault_code = 0;
    if (sigsetjmp(escape, 1) == 0) {
        volatile int x = 7 / zero_divisor;
        (void)x;
    }
    say("divide by zero: %s", fault_code == SIGFPE * 100 + FPE_INTDIV ? "SIGFPE/FPE_INTDIV" : "other");
    CHECK(fault_code == SIGFPE * 100 + FPE_INTDIV);
    signal(SIGSEGV, SIG_DFL);
    signal(SIGFPE, SIG_DFL);

}

/* SIGILL from UD2 and SIGSEGV/SEGV_ACCERR from a write to a read-only
 * page, each caught. */
static char* volatile readonly_page;

static void more_faults(void) {
    struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    fault_code = 0;
    if (sigsetjmp(escape, 1) == 0) __asm__ volatile("ud2");
    say("ud2: %s", fault_code == SIGILL * 100 + ILL_ILLOPN ? "SIGILL/ILL_ILLOPN" : "other");
    CHECK(fault_code == SIGILL * 100 + ILL_ILLOPN);
    readonly_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(readonly_page != MAP_FAILED);
    fault_code = 0;
    if (sigsetjmp(escape, 1) == 0) readonly_page[100] = 1;
    say("write to a read-only page: %s si_addr=%s",
        fault_code == SIGSEGV * 100 + SEGV_ACCERR ? "SIGSEGV/SEGV_ACCERR" : "other",
        fault_addr == readonly_page + 100 ? "the address written" : "other");
    CHECK(fault_code == SIGSEGV * 100 + SEGV_ACCERR && fault_addr == readonly_page + 100);
    munmap(readonly_page, 4096);
    signal(SIGILL, SIG_DFL);
    signal(SIGSEGV, SIG_DFL);
}

/* A handler that clobbers XMM7, R12 and RBX (an interrupted program must
 * get every register back, rt_sigreturn(2)). */
static void clobber(int sig) {
    (void)sig;
    __asm__ volatile("pcmpeqd %%xmm7, %%xmm7\n\tmovq $-1, %%r12\n\tmovq $-1, %%rbx" ::: "xmm7", "r12", "rbx");
}

static void registers(void) {
    handle(SIGUSR1, clobber, 0);
    uint64_t marker = 0x1122334455667788ULL, xmm_after = 0, r12_after = 0, rbx_after = 0;
    long nr = SYS_kill;
    __asm__ volatile(
        "movq %[m], %%xmm7\n\t"
        "movq %[m], %%r12\n\t"
        "movq %[m], %%rbx\n\t"
        "syscall\n\t"
        "movq %%xmm7, %[x]\n\t"
        "movq %%r12, %[r]\n\t"
        "movq %%rbx, %[b]"
        : [x] "=r"(xmm_after), [r] "=r"(r12_after), [b] "=r"(rbx_after), "+a"(nr)
        : [m] "r"(marker), "D"((long)getpid()), "S"((long)SIGUSR1)
        : "rcx", "r11", "r12", "rbx", "xmm7", "memory");
    EXPECT_TRUE("after a handler: XMM7, R12 and RBX as before the signal",
                xmm_after == marker && r12_after == marker && rbx_after == marker);
    say("kill to self with a handler returned %ld", nr);
    CHECK(nr == 0);
    signal(SIGUSR1, SIG_DFL);
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

static void waiting_for_signals(void) {
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 7});
    siginfo_t info;
    struct timespec ten_ms = {0, 10000000};
    int sig = sigtimedwait(&usr1, &info, &ten_ms);
    say("sigtimedwait: %s code=%s value=%d", sig == SIGUSR1 ? "SIGUSR1" : "other",
        info.si_code == SI_QUEUE ? "SI_QUEUE" : "other", info.si_value.sival_int);
    CHECK(sig == SIGUSR1 && info.si_code == SI_QUEUE && info.si_value.sival_int == 7);
    EXPECT_ERR("sigtimedwait nothing pending", syscall(SYS_rt_sigtimedwait, &usr1, &info, &ten_ms, KSIGSET_SIZE),
               EAGAIN);
    struct timespec bad = {0, 1000000000};
    EXPECT_ERR("sigtimedwait tv_nsec=1e9", syscall(SYS_rt_sigtimedwait, &usr1, &info, &bad, KSIGSET_SIZE), EINVAL);
    EXPECT_ERR("sigtimedwait set=kernel", syscall(SYS_rt_sigtimedwait, KERNEL_PTR, &info, &ten_ms, KSIGSET_SIZE),
               EFAULT);
    /* Only the kernel sends si_code >= 0 to another process (signal 0: a probe, nothing is sent). */
    EXPECT_ERR("rt_sigqueueinfo SI_KERNEL to another process",
               syscall(SYS_rt_sigqueueinfo, getppid(), 0, &(siginfo_t){.si_code = SI_KERNEL}), EPERM);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(void) {
    handlers();
    masks();
    nesting();
    alternate_stack();
    faults();
    more_faults();
    registers();
    timers();
    waiting_for_signals();
    return finish("signals");
}
