/* execve from a process with threads (man 2 execve: "All threads other
 * than the calling thread are destroyed during an execve()"; issue 12).
 * Linux's de_thread: the others end as if killed, their robust futexes
 * released; the caller takes the thread-group leader's pid; the pending
 * signals private to the ended threads go, the caller's and the process's
 * stay; the new program runs alone. Reads /proc/self/status ("Threads:").
 * threads.c has the rest of threads. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sched.h>
#include <time.h>

#include "common.h"

/* include/uapi/linux/futex.h */
#define FUTEX_WAIT_PRIVATE 128

/* What the new program finds, as bits of its exit status (0: all as
 * Linux promises). */
enum {
    kWrongPid = 1,       /* getpid() is not the old process's pid */
    kWrongTid = 2,       /* gettid() != getpid(): not the group's leader */
    kNotAlone = 4,       /* /proc/self/status: Threads: is not 1 */
    kWrongParent = 8,    /* getppid() changed */
    kWrongPending = 16,  /* sigpending() is not what the old threads left */
    kWrongArgument = 32, /* argv is not one the old threads passed */
};

static const char* const kFindings[] = {"pid kept", "the caller is the leader", "alone (Threads: 1)",
                                        "parent kept", "pending signals as Linux leaves them",
                                        "the caller's argv"};

static int threads_in_status(void) {
    int fd = open("/proc/self/status", O_RDONLY);
    char buf[4096] = {0};
    if (fd >= 0) {
        (void)!read(fd, buf, sizeof buf - 1);
        close(fd);
    }
    const char* threads = strstr(buf, "Threads:");
    return threads ? atoi(threads + 8) : -1;
}

static long env_number(const char* name) {
    const char* value = getenv(name);
    return value ? strtol(value, NULL, 0) : -1;
}

/* The new program: argv[1] "after-exec", argv[2] names which thread
 * exec'd; UTEST_LEADER, UTEST_PARENT and UTEST_PENDING (a mask of
 * signal numbers expected pending, bit n for signal n) say what to find. */
static int after_exec(const char* who) {
    int findings = 0;
    if (env_number("UTEST_LEADER") != getpid()) findings |= kWrongPid;
    if (syscall(SYS_gettid) != getpid()) findings |= kWrongTid;
    if (threads_in_status() != 1) findings |= kNotAlone;
    if (env_number("UTEST_PARENT") != getppid()) findings |= kWrongParent;
    sigset_t pending;
    sigpending(&pending);
    long expected = env_number("UTEST_PENDING");
    for (int signal = 1; signal < 32; ++signal)
        if (!!sigismember(&pending, signal) != !!(expected & (1L << signal))) findings |= kWrongPending;
    if (strncmp(who, "thread", 6) != 0 && strcmp(who, "main") != 0) findings |= kWrongArgument;
    return findings;
}

/* ---- the old program's side */

static pid_t leader;
static volatile int ready;        /* threads about to block */
static volatile uint32_t never;   /* a futex word nobody wakes */
static int block_pipe[2];
static long pending_expected;

static void mark_ready(void) { __atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST); }

static void wait_ready(int count) {
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < count) sched_yield();
    /* Most likely asleep by now; if not, they end all the same. */
    struct timespec pause_a_little = {0, 20 * 1000 * 1000};
    nanosleep(&pause_a_little, NULL);
}

static void* in_futex(void* arg) {
    (void)arg;
    mark_ready();
    for (;;) syscall(SYS_futex, &never, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL;
}

static void* in_nanosleep(void* arg) {
    (void)arg;
    mark_ready();
    struct timespec long_time = {1000, 0};
    for (;;) nanosleep(&long_time, NULL);
    return NULL;
}

static void* in_pause(void* arg) {
    (void)arg;
    mark_ready();
    for (;;) pause();
    return NULL;
}

static void* in_read(void* arg) {
    (void)arg;
    mark_ready();
    char c;
    for (;;) (void)!read(block_pipe[0], &c, 1);
    return NULL;
}

static void* spinning(void* arg) {
    (void)arg;
    mark_ready();
    for (volatile unsigned long n = 0;; ++n) {
    }
    return NULL;
}

/* The program's own path, read at the start: once the leader has exited,
 * /proc/self (the leader's entry) no longer leads to it. */
static char self_path[4096];

static void exec_self(const char* who) {
    char* argv[] = {"threadexec", "after-exec", (char*)who, NULL};
    char leader_env[64], parent_env[64], pending_env[64];
    snprintf(leader_env, sizeof leader_env, "UTEST_LEADER=%d", leader);
    snprintf(parent_env, sizeof parent_env, "UTEST_PARENT=%d", getppid());
    snprintf(pending_env, sizeof pending_env, "UTEST_PENDING=%#lx", pending_expected);
    char* envp[] = {leader_env, parent_env, pending_env, NULL};
    execve(self_path, argv, envp);
    _exit(100);
}

static void start(void* (*fn)(void*)) {
    pthread_t t;
    if (pthread_create(&t, NULL, fn, NULL) != 0) _exit(101);
}

/* Every kind of sleeper, a spinner, then the exec. `settle`: the exec'ing
 * thread waits until the others are (most likely) asleep; without it the
 * exec races with them starting. */
static void* exec_after_the_others(void* arg) {
    int settle = arg != NULL;
    if (settle) wait_ready(5);
    /* Blocked everywhere (the mask came from the leader): a signal private
     * to the leader vanishes with it, the caller's own and the process's
     * stay pending across the exec. */
    syscall(SYS_tgkill, leader, leader, SIGUSR1);
    syscall(SYS_tgkill, leader, syscall(SYS_gettid), SIGUSR2);
    kill(leader, SIGTERM);
    pending_expected = (1L << SIGUSR2) | (1L << SIGTERM);
    exec_self("thread");
    return NULL;
}

static void blocked_mask(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
}

static void from_a_thread(int settle) {
    leader = getpid();
    blocked_mask();
    if (pipe(block_pipe) != 0) _exit(102);
    start(in_futex);
    start(in_nanosleep);
    start(in_pause);
    start(in_read);
    start(spinning);
    pthread_t t;
    if (pthread_create(&t, NULL, exec_after_the_others, settle ? &t : NULL) != 0) _exit(101);
    pthread_join(t, NULL); /* the leader sleeps in a futex wait too */
    _exit(103);
}

static void from_a_thread_settled(void) { from_a_thread(1); }
static void from_a_thread_racing(void) { from_a_thread(0); }

/* The leader execs: the others go, its own pending signal stays, one
 * private to a thread that ended does not. */
static pthread_t doomed;
static void from_the_leader(void) {
    leader = getpid();
    blocked_mask();
    start(in_futex);
    start(in_nanosleep);
    if (pthread_create(&doomed, NULL, in_pause, NULL) != 0) _exit(101);
    wait_ready(3);
    pthread_kill(doomed, SIGUSR1);
    syscall(SYS_tgkill, leader, leader, SIGUSR2);
    pending_expected = 1L << SIGUSR2;
    exec_self("main");
}

/* The leader has gone already (pthread_exit) - most likely: the outcome
 * is the same if it is still on its way out - and a thread's exec takes
 * its pid. */
static volatile int leader_leaving;
static void* exec_after_leader_exit(void* arg) {
    (void)arg;
    while (!__atomic_load_n(&leader_leaving, __ATOMIC_SEQ_CST)) sched_yield();
    struct timespec pause_a_little = {0, 50 * 1000 * 1000};
    nanosleep(&pause_a_little, NULL);
    pending_expected = 0;
    exec_self("thread");
    return NULL;
}

static void after_leader_exit(void) {
    leader = getpid();
    start(in_futex);
    start(exec_after_leader_exit);
    __atomic_store_n(&leader_leaving, 1, __ATOMIC_SEQ_CST);
    pthread_exit(NULL);
}

/* Two threads exec at once: one wins, the other ends with the rest. */
static void* exec_now(void* arg) {
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < 2) {
    }
    exec_self((const char*)arg);
    return NULL;
}

static void two_at_once(void) {
    leader = getpid();
    pending_expected = 0;
    pthread_t a, b;
    pthread_create(&a, NULL, exec_now, "thread-a");
    pthread_create(&b, NULL, exec_now, "thread-b");
    mark_ready();
    mark_ready();
    pthread_join(a, NULL);
    _exit(103);
}

static void report_findings(const char* what, int status) {
    if (!WIFEXITED(status) || WEXITSTATUS(status) >= 64) {
        say("%s: new program ran: no (status %#x)", what, status);
        CHECK(0);
        return;
    }
    int findings = WEXITSTATUS(status);
    for (size_t i = 0; i < sizeof kFindings / sizeof kFindings[0]; ++i) {
        char name[160];
        snprintf(name, sizeof name, "%s: %s", what, kFindings[i]);
        EXPECT_TRUE(name, !(findings & (1 << i)));
    }
}

/* A failed execve from a thread changes nothing: the threads go on. */
static void* failing_exec(void* arg) {
    (void)arg;
    char* argv[] = {"nothing", NULL};
    execve("/nonexistent/program", argv, argv + 1);
    return (void*)(long)errno;
}

static volatile pid_t sleeper_tid;
static void* sleep_with_tid(void* arg) {
    (void)arg;
    __atomic_store_n(&sleeper_tid, (pid_t)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
    for (;;) pause();
    return NULL;
}

static void failed_exec_keeps_threads(void) {
    pthread_t sleeper, t;
    pthread_create(&sleeper, NULL, sleep_with_tid, NULL);
    while (!__atomic_load_n(&sleeper_tid, __ATOMIC_SEQ_CST)) sched_yield();
    void* result = NULL;
    pthread_create(&t, NULL, failing_exec, NULL);
    pthread_join(t, &result);
    say("execve of a missing file from a thread: %s", errno_name((int)(long)result));
    CHECK((long)result == ENOENT);
    EXPECT_OK("the other thread goes on (tgkill 0)", syscall(SYS_tgkill, getpid(), sleeper_tid, 0));
    EXPECT_TRUE("still one process (getpid after)", getpid() > 0);
}

/* A robust mutex in memory shared with the parent, held by a thread the
 * exec ends: the kernel's walk of that thread's robust list marks it
 * FUTEX_OWNER_DIED, so the parent gets EOWNERDEAD (no hang). */
static pthread_mutex_t* shared_mutex;
static void* hold_and_sleep(void* arg) {
    (void)arg;
    pthread_mutex_lock(shared_mutex);
    mark_ready();
    for (;;) pause();
    return NULL;
}

static void* exec_while_held(void* arg) {
    (void)arg;
    wait_ready(1);
    pending_expected = 0;
    exec_self("thread");
    return NULL;
}

static void robust_mutex_of_a_thread_ended_by_exec(void) {
    shared_mutex = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(shared_mutex, &attr);
    pid_t child = fork();
    if (child == 0) {
        leader = getpid();
        ready = 0;
        start(hold_and_sleep);
        start(exec_while_held);
        for (;;) pause();
    }
    int status = 0;
    waitpid(child, &status, 0);
    report_findings("exec while another thread holds a robust mutex", status);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    int r = pthread_mutex_timedlock(shared_mutex, &deadline);
    say("the ended thread's robust mutex: %s", errno_name(r));
    CHECK(r == EOWNERDEAD);
    if (r == EOWNERDEAD) {
        pthread_mutex_consistent(shared_mutex);
        pthread_mutex_unlock(shared_mutex);
    }
}

static void in_fork(const char* what, void (*fn)(void)) {
    pid_t child = fork();
    if (child == 0) {
        ready = 0;
        fn();
        _exit(104);
    }
    int status = 0;
    waitpid(child, &status, 0);
    report_findings(what, status);
}

int main(int argc, char** argv) {
    if (argc == 3 && strcmp(argv[1], "after-exec") == 0) return after_exec(argv[2]);
    if (readlink("/proc/self/exe", self_path, sizeof self_path - 1) <= 0) {
        say("readlink /proc/self/exe: %s", errno_name(errno));
        return 1;
    }
    in_fork("exec from a thread, the others asleep", from_a_thread_settled);
    /* Again with the exec racing the other threads' start, a few times
     * (each must end whatever it was doing). */
    int all = 1;
    for (int i = 0; i < 8; ++i) {
        pid_t child = fork();
        if (child == 0) {
            ready = 0;
            from_a_thread_racing();
        }
        int status = 0;
        waitpid(child, &status, 0);
        all &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    EXPECT_TRUE("exec from a thread racing the others' start, 8 times: all as Linux", all);
    in_fork("exec from the leader", from_the_leader);
    in_fork("exec after the leader's pthread_exit", after_leader_exit);
    in_fork("two threads exec at once", two_at_once);
    failed_exec_keeps_threads();
    robust_mutex_of_a_thread_ended_by_exec();
    return finish("threadexec");
}
