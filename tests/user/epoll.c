/* epoll beyond pipes.c's first look (man 7 epoll, man 2 epoll_create,
 * epoll_ctl, epoll_wait; issue 13): the errno of every call, data passed
 * back, level/edge/one-shot, EPOLLHUP/EPOLLERR always reported and
 * EPOLLRDHUP only where a file has it, items keyed by open file description
 * and descriptor (dup, close), eventfds, nested instances and ELOOP, poll(2)
 * of an instance, blocking waits woken by another process, timeouts, a
 * signal ending the wait with EINTR even under SA_RESTART, epoll_pwait's
 * mask, epoll_pwait2's timespec, EPOLLEXCLUSIVE's wake-up count. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "common.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int ctl(int ep, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, op, fd, &ev);
}

static void creation_and_errors(void) {
    EXPECT_ERR("epoll_create(0)", syscall(SYS_epoll_create, 0), EINVAL);
    EXPECT_ERR("epoll_create(-1)", syscall(SYS_epoll_create, -1), EINVAL);
    int old = syscall(SYS_epoll_create, 1);
    EXPECT_TRUE("epoll_create(1): no FD_CLOEXEC", old >= 0 && fcntl(old, F_GETFD) == 0);
    close(old);
    EXPECT_ERR("epoll_create1(O_NONBLOCK)", epoll_create1(O_NONBLOCK), EINVAL);
    int ep = epoll_create1(0);
    EXPECT_TRUE("epoll_create1(0): no FD_CLOEXEC, O_RDWR",
                ep >= 0 && fcntl(ep, F_GETFD) == 0 && (fcntl(ep, F_GETFL) & O_ACCMODE) == O_RDWR);
    char c;
    EXPECT_ERR("read of an epoll fd", read(ep, &c, 1), EINVAL);
    EXPECT_ERR("write of an epoll fd", write(ep, "x", 1), EINVAL);

    int p[2];
    CHECK(pipe(p) == 0);
    struct epoll_event ev = {.events = EPOLLIN};
    EXPECT_ERR("epoll_ctl bad epfd", epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev), EBADF);
    EXPECT_ERR("epoll_ctl bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
    EXPECT_ERR("epoll_ctl event=kernel (checked before the fds)",
               syscall(SYS_epoll_ctl, 999, EPOLL_CTL_ADD, p[0], KERNEL_PTR), EFAULT);
    EXPECT_ERR("epoll_ctl bad op, event=kernel", syscall(SYS_epoll_ctl, ep, 77, p[0], KERNEL_PTR), EFAULT);
    EXPECT_ERR("epoll_ctl epfd a pipe", epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev), EINVAL);
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    EXPECT_ERR("epoll_ctl on a directory", epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev), EPERM);
    int null = open("/dev/null", O_RDWR);
    EXPECT_ERR("epoll_ctl on /dev/null", epoll_ctl(ep, EPOLL_CTL_ADD, null, &ev), EPERM);
    EXPECT_ERR("epoll_ctl bad op on /dev/null", epoll_ctl(ep, 77, null, &ev), EPERM);
    int path = open("/", O_PATH);
    EXPECT_ERR("epoll_ctl on an O_PATH fd", epoll_ctl(ep, EPOLL_CTL_ADD, path, &ev), EBADF);
    close(dir), close(null), close(path);
    EXPECT_ERR("epoll_ctl DEL of an unwatched fd", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
    EXPECT_OK("epoll_ctl ADD", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1));
    EXPECT_OK("epoll_ctl DEL with event=NULL", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL));
    CHECK(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1) == 0);
    EXPECT_OK("epoll_ctl DEL with event=kernel (not read)", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], KERNEL_PTR));
    EXPECT_ERR("EPOLLEXCLUSIVE with MOD", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLEXCLUSIVE, 0), EINVAL);
    EXPECT_ERR("EPOLLEXCLUSIVE with EPOLLPRI", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLPRI | EPOLLEXCLUSIVE, 0), EINVAL);
    EXPECT_OK("EPOLLEXCLUSIVE ADD", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE, 0));
    EXPECT_ERR("MOD of an EPOLLEXCLUSIVE item", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 0), EINVAL);
    EXPECT_OK("DEL of an EPOLLEXCLUSIVE item", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));

    struct epoll_event out[4];
    EXPECT_ERR("epoll_wait maxevents -1", syscall(SYS_epoll_wait, ep, out, -1, 0), EINVAL);
    EXPECT_ERR("epoll_wait maxevents INT_MAX/12+1",
               syscall(SYS_epoll_wait, ep, out, INT_MAX / (int)sizeof(struct epoll_event) + 1, 0), EINVAL);
    /* (At a low address, so that the whole array would fit below the top
     * of user space: only the range is checked, not the memory.) */
    EXPECT_TRUE("epoll_wait maxevents INT_MAX/12, nothing ready: 0",
                syscall(SYS_epoll_wait, ep, (void*)0x10000, INT_MAX / (int)sizeof(struct epoll_event), 0) == 0);
    EXPECT_ERR("epoll_wait bad epfd", epoll_wait(999, out, 4, 0), EBADF);
    EXPECT_ERR("epoll_wait events=non-canonical", syscall(SYS_epoll_wait, ep, NONCANON_PTR, 1, 0), EFAULT);
    EXPECT_TRUE("epoll_wait events=NULL, nothing ready: 0", syscall(SYS_epoll_wait, ep, NULL, 1, 0) == 0);
    EXPECT_OK("ADD the write end", ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 2));
    EXPECT_ERR("epoll_wait events=NULL with an event ready", syscall(SYS_epoll_wait, ep, NULL, 1, 0), EFAULT);
    int n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("the event is still there after the fault", n == 1 && out[0].data.u64 == 2);
    close(ep), close(p[0]), close(p[1]);
}

static void triggering(void) {
    int p[2];
    CHECK(pipe2(p, O_NONBLOCK) == 0);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event out[4];
    char buf[16];
    CHECK(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLRDHUP, 0xfeedfacecafebeefULL) == 0);
    CHECK(ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 42) == 0);
    int n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("only the write end ready, data 42", n == 1 && out[0].events == EPOLLOUT && out[0].data.u64 == 42);
    CHECK(ctl(ep, EPOLL_CTL_MOD, p[1], EPOLLOUT | EPOLLONESHOT, 43) == 0);
    n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("one-shot: reported once with the new data", n == 1 && out[0].data.u64 == 43);
    EXPECT_TRUE("one-shot: then disarmed", epoll_wait(ep, out, 4, 0) == 0);
    EXPECT_OK("one-shot: MOD re-arms", ctl(ep, EPOLL_CTL_MOD, p[1], EPOLLOUT | EPOLLONESHOT, 44));
    n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("one-shot: reported again", n == 1 && out[0].data.u64 == 44);
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL) == 0);

    write(p[1], "abc", 3);
    n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("level: readable, all 64 data bits back",
                n == 1 && out[0].events == EPOLLIN && out[0].data.u64 == 0xfeedfacecafebeefULL);
    EXPECT_TRUE("level: again while unread", epoll_wait(ep, out, 4, 0) == 1);
    read(p[0], buf, 1);
    EXPECT_TRUE("level: again after a partial read", epoll_wait(ep, out, 4, 0) == 1);
    CHECK(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET, 7) == 0);
    EXPECT_TRUE("edge: MOD reports what is ready now", epoll_wait(ep, out, 4, 0) == 1);
    EXPECT_TRUE("edge: not again without a change", epoll_wait(ep, out, 4, 0) == 0);
    read(p[0], buf, 1);
    EXPECT_TRUE("edge: a read is no new EPOLLIN edge", epoll_wait(ep, out, 4, 0) == 0);
    write(p[1], "d", 1);
    EXPECT_TRUE("edge: a new write is", epoll_wait(ep, out, 4, 0) == 1);
    close(p[1]);
    n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("the writer gone: EPOLLIN|EPOLLHUP (a pipe has no EPOLLRDHUP)",
                n == 1 && out[0].events == (EPOLLIN | EPOLLHUP));
    while (read(p[0], buf, sizeof buf) > 0) {
    }
    CHECK(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 8) == 0);
    n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("drained and no writer: EPOLLHUP though not asked for", n == 1 && out[0].events == EPOLLHUP);
    close(p[0]);
    EXPECT_TRUE("closing the only descriptor drops the item", epoll_wait(ep, out, 4, 0) == 0);

    CHECK(pipe(p) == 0);
    CHECK(ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 9) == 0);
    close(p[0]);
    n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("the reader gone: EPOLLOUT|EPOLLERR", n == 1 && out[0].events == (EPOLLOUT | EPOLLERR));
    close(p[1]);

    int e = eventfd(0, EFD_NONBLOCK);
    CHECK(ctl(ep, EPOLL_CTL_ADD, e, EPOLLIN | EPOLLOUT | EPOLLET, 10) == 0);
    n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("eventfd at 0: EPOLLOUT only", n == 1 && out[0].events == EPOLLOUT);
    uint64_t v = 1;
    write(e, &v, 8);
    n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("eventfd written: EPOLLIN|EPOLLOUT", n == 1 && out[0].events == (EPOLLIN | EPOLLOUT));
    close(e);
    close(ep);
}

/* Items belong to (open file description, descriptor). */
static void descriptions(void) {
    int p[2];
    CHECK(pipe(p) == 0);
    int ep = epoll_create1(0);
    struct epoll_event out[4];
    write(p[1], "x", 1);
    CHECK(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 100) == 0);
    int d = dup(p[0]);
    EXPECT_OK("the same description under another number: another item", ctl(ep, EPOLL_CTL_ADD, d, EPOLLIN, 101));
    EXPECT_TRUE("both reported", epoll_wait(ep, out, 4, 0) == 2);
    close(p[0]);
    int n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("a closed number's item stays while the description lives", n == 2);
    EXPECT_ERR("but epoll_ctl can no longer name it", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF);
    int again = dup2(d, p[0]);
    EXPECT_ERR("the number back on the same description: the item is found",
               ctl(ep, EPOLL_CTL_ADD, again, EPOLLIN, 102), EEXIST);
    close(again);
    EXPECT_OK("DEL of the dup's item", epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL));
    n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("the first item still reported, with its data", n == 1 && out[0].data.u64 == 100);
    close(d);
    EXPECT_TRUE("the last descriptor closed: nothing left", epoll_wait(ep, out, 4, 0) == 0);

    /* A fork shares the instance: the child's ADD is seen by the parent. */
    CHECK(pipe(p) == 0);
    pid_t child = fork();
    if (child == 0) _exit(ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 200) == 0 ? 0 : 1);
    int status;
    waitpid(child, &status, 0);
    n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("an item added by a child after fork", WIFEXITED(status) && WEXITSTATUS(status) == 0 && n == 1 &&
                                                           out[0].data.u64 == 200);
    close(p[0]), close(p[1]), close(ep);
}

static void nesting(void) {
    int p[2];
    CHECK(pipe(p) == 0);
    int inner = epoll_create1(0), outer = epoll_create1(0);
    struct epoll_event out[4];
    CHECK(ctl(inner, EPOLL_CTL_ADD, p[0], EPOLLIN, 1) == 0);
    EXPECT_OK("an instance in another", ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN, 2));
    EXPECT_ERR("and back: ELOOP", ctl(inner, EPOLL_CTL_ADD, outer, EPOLLIN, 3), ELOOP);
    int third = epoll_create1(0);
    CHECK(ctl(third, EPOLL_CTL_ADD, outer, EPOLLIN, 4) == 0);
    EXPECT_ERR("a longer loop: ELOOP", ctl(inner, EPOLL_CTL_ADD, third, EPOLLIN, 5), ELOOP);
    struct pollfd pfd = {.fd = inner, .events = POLLIN | POLLOUT};
    EXPECT_TRUE("poll of an instance with nothing ready: 0", poll(&pfd, 1, 0) == 0);
    EXPECT_TRUE("the outer instance: nothing", epoll_wait(outer, out, 4, 0) == 0);
    write(p[1], "x", 1);
    EXPECT_TRUE("poll of an instance with an event: POLLIN", poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN);
    int n = epoll_wait(outer, out, 4, 0);
    EXPECT_TRUE("the outer instance reports the inner one", n == 1 && out[0].events == EPOLLIN &&
                                                               out[0].data.u64 == 2);
    n = epoll_wait(third, out, 4, 0);
    EXPECT_TRUE("two levels up too", n == 1 && out[0].data.u64 == 4);
    char c;
    read(p[0], &c, 1);
    EXPECT_TRUE("drained: the outer instance has nothing", epoll_wait(outer, out, 4, 0) == 0);
    close(third), close(outer), close(inner), close(p[0]), close(p[1]);
}

static volatile sig_atomic_t got_signal;
static void on_signal(int sig) { got_signal = sig; }

static void waiting(void) {
    int p[2];
    CHECK(pipe(p) == 0);
    int ep = epoll_create1(0);
    struct epoll_event out[4];
    CHECK(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1) == 0);
    long long start = now_ns();
    EXPECT_TRUE("a 20 ms timeout with nothing ready: 0", epoll_wait(ep, out, 4, 20) == 0);
    CHECK(now_ns() - start >= 20000000LL);
    struct timespec ts = {0, 20000000};
    start = now_ns();
    EXPECT_TRUE("epoll_pwait2 with 20 ms: 0", syscall(SYS_epoll_pwait2, ep, out, 4, &ts, NULL, 8) == 0);
    CHECK(now_ns() - start >= 20000000LL);
    struct timespec zero = {0, 0}, bad = {0, 1000000000};
    EXPECT_TRUE("epoll_pwait2 with a zero timespec: 0", syscall(SYS_epoll_pwait2, ep, out, 4, &zero, NULL, 8) == 0);
    EXPECT_ERR("epoll_pwait2 tv_nsec=1e9", syscall(SYS_epoll_pwait2, ep, out, 4, &bad, NULL, 8), EINVAL);
    EXPECT_ERR("epoll_pwait2 timeout=kernel", syscall(SYS_epoll_pwait2, ep, out, 4, KERNEL_PTR, NULL, 8), EFAULT);
    sigset_t none;
    sigemptyset(&none);
    EXPECT_ERR("epoll_pwait sigsetsize 4", syscall(SYS_epoll_pwait, ep, out, 4, 0, &none, 4), EINVAL);
    EXPECT_ERR("epoll_pwait's mask read before the descriptor",
               syscall(SYS_epoll_pwait, 999, out, 4, 0, KERNEL_PTR, 8), EFAULT);
    EXPECT_ERR("epoll_pwait mask=kernel", syscall(SYS_epoll_pwait, ep, out, 4, 0, KERNEL_PTR, 8), EFAULT);

    /* Woken by another process's write. */
    pid_t child = fork();
    if (child == 0) {
        struct timespec d = {0, 30000000};
        nanosleep(&d, NULL);
        write(p[1], "w", 1);
        _exit(0);
    }
    int n = epoll_wait(ep, out, 4, -1);
    EXPECT_TRUE("a blocked epoll_wait woken by a child's write", n == 1 && out[0].data.u64 == 1);
    waitpid(child, NULL, 0);
    char c;
    read(p[0], &c, 1);

    /* A signal ends the wait with EINTR, even with SA_RESTART (a timer
     * every 20 ms: one that fired before the call is not the last). */
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval timer = {.it_interval = {0, 20000}, .it_value = {0, 20000}}, off = {{0, 0}, {0, 0}};
    got_signal = 0;
    setitimer(ITIMER_REAL, &timer, NULL);
    EXPECT_ERR("epoll_wait interrupted by a SA_RESTART handler", epoll_wait(ep, out, 4, -1), EINTR);
    setitimer(ITIMER_REAL, &off, NULL);
    CHECK(got_signal == SIGALRM);

    /* epoll_pwait: SIGUSR1 blocked but let in by the call's mask; the
     * handler runs, EINTR, and the old mask is back. */
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    pid_t parent = getpid();
    child = fork();
    if (child == 0) {
        struct timespec d = {0, 20000000};
        nanosleep(&d, NULL);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    got_signal = 0;
    EXPECT_ERR("epoll_pwait with SIGUSR1 let in: EINTR", epoll_pwait(ep, out, 4, -1, &none), EINTR);
    waitpid(child, NULL, 0);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    EXPECT_TRUE("the handler ran and SIGUSR1 is blocked again", got_signal == SIGUSR1 && sigismember(&now, SIGUSR1));
    /* Blocked by the call's mask: the wait times out, the signal stays pending. */
    kill(getpid(), SIGUSR1);
    got_signal = 0;
    EXPECT_TRUE("epoll_pwait with SIGUSR1 blocked: times out", epoll_pwait(ep, out, 4, 10, &usr1) == 0);
    sigset_t pending;
    sigpending(&pending);
    EXPECT_TRUE("SIGUSR1 still pending", sigismember(&pending, SIGUSR1) && got_signal == 0);
    sigprocmask(SIG_SETMASK, &old, NULL);
    EXPECT_TRUE("delivered once unblocked", got_signal == SIGUSR1);
    close(ep), close(p[0]), close(p[1]);
}

/* EPOLLEXCLUSIVE (man 2 epoll_ctl): when a file has several epoll
 * instances attached, a wake-up reaches every non-exclusive one but only
 * "one or more" of the exclusive ones. Linux is exact about it (6.1,
 * 6.18): the file's exclusive entries are asked in the order they were
 * added and the wake-up stops at the first whose instance has a thread in
 * epoll_wait; an instance nobody waits in still gets the event on its
 * ready list but does not count. So with every child blocked, one write
 * reaches every plain instance, this process's exclusive one (added first,
 * nobody waiting) and exactly one child's exclusive one; the other
 * exclusive children see only the later quit eventfd (not exclusive). */
static char stat_state(pid_t pid) {
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (read_text(path, line, sizeof line) <= 0) return '?';
    char* end = strrchr(line, ')');
    return end && end[1] == ' ' ? end[2] : '?';
}

/* A child with an instance of its own: the pipe (exclusive or not) and the
 * quit eventfd. It says it is ready, blocks in one epoll_wait (nothing
 * else can block after the ready byte) and exits 1 if that returned the
 * pipe, 0 if only the quit, 2 on a failure. */
static pid_t exclusive_child(int pipe_read, int quit, int ready, int exclusive) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    int ep = epoll_create1(0);
    if (ep < 0 || ctl(ep, EPOLL_CTL_ADD, pipe_read, EPOLLIN | (exclusive ? EPOLLEXCLUSIVE : 0), 1) != 0 ||
        ctl(ep, EPOLL_CTL_ADD, quit, EPOLLIN, 2) != 0 || write(ready, "r", 1) != 1)
        _exit(2);
    struct epoll_event out[2];
    int n = epoll_wait(ep, out, 2, -1);
    if (n < 1) _exit(2);
    for (int i = 0; i < n; ++i)
        if (out[i].data.u64 == 1) _exit(1);
    _exit(0);
}

static void exclusive_wakeups(void) {
    enum { kPlain = 2, kExclusive = 4, kChildren = kPlain + kExclusive };
    int p[2], ready[2];
    CHECK(pipe(p) == 0 && pipe(ready) == 0);
    int quit = eventfd(0, 0);
    int mine = epoll_create1(0);
    CHECK(quit >= 0 && mine >= 0 && ctl(mine, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE, 1) == 0);
    pid_t child[kChildren];
    int exclusive[kChildren], status[kChildren];
    for (int i = 0; i < kChildren; ++i) {
        exclusive[i] = i % 3 != 0; /* plain ones among the exclusive ones: 0 and 3 */
        status[i] = -1;
        child[i] = exclusive_child(p[0], quit, ready[1], exclusive[i]);
        CHECK(child[i] > 0);
    }
    char c;
    for (int i = 0; i < kChildren; ++i) CHECK(read(ready[0], &c, 1) == 1);
    /* Every child asleep in its epoll_wait: 'S' twice, 10 ms apart (a
     * bound of 20 s against a hang). */
    struct timespec tick = {0, 10000000};
    for (int round = 0, asleep = 0; round < 2000 && asleep < 2; ++round) {
        int all = 1;
        for (int i = 0; i < kChildren; ++i) all &= stat_state(child[i]) == 'S';
        asleep = all ? asleep + 1 : 0;
        nanosleep(&tick, NULL);
    }
    CHECK(write(p[1], "x", 1) == 1);
    /* The woken ones exit; wait for plain + 1 of them (20 s at most), then
     * 100 ms more for any the write woke beyond those, then quit. */
    int exited = 0;
    for (int round = 0; round < 2000 && exited < kPlain + 1; ++round) {
        int st;
        pid_t pid = waitpid(-1, &st, WNOHANG);
        for (int i = 0; i < kChildren && pid > 0; ++i)
            if (child[i] == pid) status[i] = WIFEXITED(st) ? WEXITSTATUS(st) : 3, ++exited;
        if (pid <= 0) nanosleep(&tick, NULL);
    }
    struct timespec settle = {0, 100000000};
    nanosleep(&settle, NULL);
    uint64_t one = 1;
    CHECK(write(quit, &one, sizeof one) == sizeof one);
    int plain_woken = 0, exclusive_woken = 0, failed = 0;
    for (int i = 0; i < kChildren; ++i) {
        int st;
        if (status[i] < 0) {
            CHECK(waitpid(child[i], &st, 0) == child[i]);
            status[i] = WIFEXITED(st) ? WEXITSTATUS(st) : 3;
        }
        if (status[i] == 1) exclusive[i] ? ++exclusive_woken : ++plain_woken;
        failed += status[i] > 1;
    }
    CHECK(failed == 0);
    say("EPOLLEXCLUSIVE: plain instances woken by one write: %d of %d", plain_woken, kPlain);
    say("EPOLLEXCLUSIVE: exclusive instances woken by one write: %d of %d", exclusive_woken, kExclusive);
    CHECK(plain_woken == kPlain && exclusive_woken == 1);
    struct epoll_event out[2];
    EXPECT_TRUE("EPOLLEXCLUSIVE: an instance nobody waited in still has the event",
                epoll_wait(mine, out, 2, 0) == 1 && out[0].data.u64 == 1);
    close(mine), close(quit), close(p[0]), close(p[1]), close(ready[0]), close(ready[1]);
}

int main(void) {
    creation_and_errors();
    triggering();
    descriptions();
    nesting();
    waiting();
    exclusive_wakeups();
    return finish("epoll");
}
