/* Pipes and readiness: pipe2 flags, PIPE_BUF atomicity, EOF, EPIPE and
 * SIGPIPE, F_SETPIPE_SZ, poll/ppoll/select/pselect6, epoll and eventfd
 * (man 7 pipe, man 2 pipe, poll, select, epoll_ctl, epoll_wait, eventfd;
 * issue 13). */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>

#include "common.h"

static void pipe_basics(void) {
    int p[2];
    EXPECT_OK("pipe2 O_CLOEXEC|O_NONBLOCK", pipe2(p, O_CLOEXEC | O_NONBLOCK));
    EXPECT_TRUE("both ends FD_CLOEXEC", fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC);
    EXPECT_TRUE("both ends O_NONBLOCK", (fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK));
    EXPECT_TRUE("read end O_RDONLY, write end O_WRONLY",
                (fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY && (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
    char c;
    EXPECT_ERR("non-blocking read of an empty pipe", read(p[0], &c, 1), EAGAIN);
    EXPECT_ERR("write to the read end", write(p[0], "x", 1), EBADF);
    EXPECT_ERR("lseek on a pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
    EXPECT_ERR("pread on a pipe", pread(p[0], &c, 1, 0), ESPIPE);
    long size = fcntl(p[1], F_GETPIPE_SZ);
    EXPECT_TRUE("F_GETPIPE_SZ default is 64 KiB", size == 65536);
    /* Fill it: a non-blocking writer stops at the capacity. */
    static char block[65536 * 2];
    long written = write(p[1], block, sizeof block);
    EXPECT_TRUE("a non-blocking write fills exactly the capacity", written == size);
    EXPECT_ERR("then EAGAIN", write(p[1], "x", 1), EAGAIN);
    long drained = 0, r;
    while ((r = read(p[0], block, sizeof block)) > 0) drained += r;
    EXPECT_TRUE("reads return it all", drained == size);
    EXPECT_TRUE("F_SETPIPE_SZ 4096", fcntl(p[1], F_SETPIPE_SZ, 4096) == 4096 && fcntl(p[0], F_GETPIPE_SZ) == 4096);
    EXPECT_TRUE("F_SETPIPE_SZ rounds up to a power of two pages", fcntl(p[1], F_SETPIPE_SZ, 3 * 4096 + 1) == 16384);
    EXPECT_ERR("F_GETPIPE_SZ on a regular file", fcntl(open("/dev/null", O_RDONLY), F_GETPIPE_SZ), EBADF);
    EXPECT_ERR("pipe2 bad flags", syscall(SYS_pipe2, p, 0x1), EINVAL);
    EXPECT_ERR("pipe2 into a kernel address", syscall(SYS_pipe2, KERNEL_PTR, 0), EFAULT);
    close(p[0]), close(p[1]);

    CHECK(pipe(p) == 0);
    write(p[1], "ab", 2);
    close(p[1]);
    char buf[8];
    EXPECT_TRUE("data, then EOF once the writer is gone", read(p[0], buf, 8) == 2 && read(p[0], buf, 8) == 0);
    close(p[0]);

    signal(SIGPIPE, SIG_IGN);
    CHECK(pipe(p) == 0);
    close(p[0]);
    EXPECT_ERR("write with no reader (SIGPIPE ignored)", write(p[1], "x", 1), EPIPE);
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);
    CHECK(pipe(p) == 0);
    close(p[0]); /* before the fork: no reader anywhere */
    pid_t child = fork();
    if (child == 0) {
        write(p[1], "x", 1);
        _exit(0);
    }
    close(p[1]);
    int status;
    waitpid(child, &status, 0);
    EXPECT_TRUE("write with no reader: killed by SIGPIPE", WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE);
}

/* Four writers each write 200 blocks of PIPE_BUF bytes filled with their
 * own letter: no block may be torn (man 7 pipe, "PIPE_BUF"). */
static void atomicity(void) {
    int p[2];
    CHECK(pipe(p) == 0);
    for (int w = 0; w < 4; w++) {
        if (fork() == 0) {
            char block[PIPE_BUF];
            memset(block, 'A' + w, sizeof block);
            for (int i = 0; i < 200; i++)
                if (write(p[1], block, sizeof block) != sizeof block) _exit(1);
            _exit(0);
        }
    }
    close(p[1]);
    static char block[PIPE_BUF];
    int torn = 0, blocks = 0;
    for (;;) {
        size_t got = 0;
        long r = 0;
        while (got < sizeof block && (r = read(p[0], block + got, sizeof block - got)) > 0) got += r;
        if (got == 0) break;
        blocks++;
        for (size_t i = 1; i < got; i++) torn |= block[i] != block[0];
        torn |= got != sizeof block;
    }
    close(p[0]);
    for (int w = 0; w < 4; w++) wait(NULL);
    say("PIPE_BUF=%d: %d blocks from 4 writers, torn: %s", PIPE_BUF, blocks, torn ? "yes" : "no");
    CHECK(blocks == 800 && !torn);
}

static void polling(void) {
    int p[2];
    CHECK(pipe(p) == 0);
    struct pollfd fds[2] = {{.fd = p[0], .events = POLLIN}, {.fd = p[1], .events = POLLOUT}};
    EXPECT_TRUE("poll: empty pipe, writer ready only", poll(fds, 2, 0) == 1 && fds[0].revents == 0 &&
                                                             fds[1].revents == POLLOUT);
    write(p[1], "x", 1);
    EXPECT_TRUE("poll: POLLIN after a write", poll(fds, 2, 0) == 2 && fds[0].revents == POLLIN);
    struct pollfd bad = {.fd = 999, .events = POLLIN};
    EXPECT_TRUE("poll: POLLNVAL for a closed fd", poll(&bad, 1, 0) == 1 && bad.revents == POLLNVAL);
    struct pollfd neg = {.fd = -1, .events = POLLIN, .revents = 7};
    EXPECT_TRUE("poll: a negative fd is ignored, revents 0", poll(&neg, 1, 0) == 0 && neg.revents == 0);
    EXPECT_ERR("poll fds=kernel", syscall(SYS_poll, KERNEL_PTR, 1, 0), EFAULT);
    EXPECT_ERR("poll nfds over RLIMIT_NOFILE", syscall(SYS_poll, fds, 1 << 30, 0), EINVAL);
    long long start = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct pollfd only_read = {.fd = p[0], .events = POLLIN};
    char c;
    read(p[0], &c, 1);
    EXPECT_TRUE("poll times out after >= 20 ms with nothing ready", poll(&only_read, 1, 20) == 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    start = (t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec - t0.tv_nsec;
    CHECK(start >= 20000000);
    struct timespec zero = {0, 0};
    sigset_t mask;
    sigemptyset(&mask);
    EXPECT_TRUE("ppoll with a zero timeout and a mask", ppoll(&only_read, 1, &zero, &mask) == 0);
    struct timespec bad_ts = {0, 1000000000};
    EXPECT_ERR("ppoll tv_nsec=1e9", syscall(SYS_ppoll, &only_read, 1, &bad_ts, NULL, 8), EINVAL);

    close(p[1]);
    fds[0].revents = 0;
    EXPECT_TRUE("poll: POLLHUP once the writer is gone", poll(fds, 1, 0) == 1 && (fds[0].revents & POLLHUP));

    CHECK(pipe(p) == 0);
    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(p[0], &rd);
    FD_SET(p[1], &wr);
    struct timeval tv = {0, 0};
    EXPECT_TRUE("select: only the write end ready",
                select(p[1] + 1, &rd, &wr, NULL, &tv) == 1 && !FD_ISSET(p[0], &rd) && FD_ISSET(p[1], &wr));
    write(p[1], "x", 1);
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    EXPECT_TRUE("pselect: the read end ready", pselect(p[0] + 1, &rd, NULL, NULL, &zero, &mask) == 1);
    FD_ZERO(&rd);
    FD_SET(50, &rd);
    tv = (struct timeval){0, 0};
    EXPECT_ERR("select on a closed fd", select(51, &rd, NULL, NULL, &tv), EBADF);
    EXPECT_ERR("select negative nfds", syscall(SYS_select, -1, NULL, NULL, NULL, &tv), EINVAL);
    struct timeval bad_tv = {0, -1};
    EXPECT_ERR("select negative timeout", syscall(SYS_select, 0, NULL, NULL, NULL, &bad_tv), EINVAL);
    EXPECT_ERR("select readfds=kernel", syscall(SYS_select, 1, KERNEL_PTR, NULL, NULL, &tv), EFAULT);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    EXPECT_TRUE("epoll_create1 EPOLL_CLOEXEC", ep >= 0 && fcntl(ep, F_GETFD) == FD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1234};
    EXPECT_OK("epoll_ctl ADD", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    EXPECT_ERR("epoll_ctl ADD twice", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
    EXPECT_ERR("epoll_ctl MOD of an unwatched fd", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT);
    EXPECT_ERR("epoll_ctl on itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
    EXPECT_ERR("epoll_ctl bad op", epoll_ctl(ep, 99, p[0], &ev), EINVAL);
    int file = open("/dev/null", O_RDONLY);
    EXPECT_ERR("epoll_ctl on a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, open("/proc/self/exe", O_RDONLY), &ev),
               EPERM);
    close(file);
    struct epoll_event out[4];
    int n = epoll_wait(ep, out, 4, 0);
    EXPECT_TRUE("epoll_wait: the pipe is readable, data returned", n == 1 && out[0].data.u64 == 0x1234 &&
                                                                      (out[0].events & EPOLLIN));
    read(p[0], &c, 1);
    EXPECT_TRUE("epoll_wait: nothing once drained", epoll_wait(ep, out, 4, 0) == 0);
    ev.events = EPOLLIN | EPOLLET;
    EXPECT_OK("epoll_ctl MOD edge-triggered", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    write(p[1], "ab", 2);
    EXPECT_TRUE("EPOLLET: one event per edge", epoll_wait(ep, out, 4, 0) == 1 && epoll_wait(ep, out, 4, 0) == 0);
    EXPECT_TRUE("epoll_pwait with a mask", epoll_pwait(ep, out, 4, 0, &mask) == 0);
    EXPECT_ERR("epoll_wait maxevents 0", epoll_wait(ep, out, 0, 0), EINVAL);
    EXPECT_ERR("epoll_wait events=kernel", syscall(SYS_epoll_wait, ep, KERNEL_PTR, 4, 0), EFAULT);
    EXPECT_ERR("epoll_wait on a pipe", epoll_wait(p[0], out, 4, 0), EINVAL);
    EXPECT_OK("epoll_ctl DEL", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    EXPECT_ERR("epoll_create1 bad flags", epoll_create1(0x1), EINVAL);
    close(ep), close(p[0]), close(p[1]);
}

static void eventfds(void) {
    int e = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
    EXPECT_TRUE("eventfd", e >= 0);
    uint64_t v = 0;
    EXPECT_TRUE("read returns the counter and resets it", read(e, &v, 8) == 8 && v == 3);
    EXPECT_ERR("read at 0 (non-blocking)", read(e, &v, 8), EAGAIN);
    v = 5;
    write(e, &v, 8);
    write(e, &v, 8);
    EXPECT_TRUE("writes add up", read(e, &v, 8) == 8 && v == 10);
    EXPECT_ERR("read of 4 bytes", read(e, &v, 4), EINVAL);
    v = UINT64_MAX;
    EXPECT_ERR("write of 2^64-1", write(e, &v, 8), EINVAL);
    struct pollfd pfd = {.fd = e, .events = POLLIN | POLLOUT};
    EXPECT_TRUE("poll: writable, not readable at 0", poll(&pfd, 1, 0) == 1 && pfd.revents == POLLOUT);
    close(e);
    int s = eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK);
    v = 2;
    write(s, &v, 8);
    EXPECT_TRUE("EFD_SEMAPHORE: reads return 1 each", read(s, &v, 8) == 8 && v == 1 && read(s, &v, 8) == 8 && v == 1);
    EXPECT_ERR("EFD_SEMAPHORE: then EAGAIN", read(s, &v, 8), EAGAIN);
    close(s);
    EXPECT_ERR("eventfd bad flags", syscall(SYS_eventfd2, 0, 0x2), EINVAL);
}

int main(void) {
    pipe_basics();
    atomicity();
    polling();
    eventfds();
    return finish("pipes");
}
