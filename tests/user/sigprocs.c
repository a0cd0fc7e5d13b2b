/* Interrupted system calls: SA_RESTART against EINTR for a pipe read and
 * nanosleep interrupted by another process's kill, the child waiting for
 * the parent to sleep through /proc (man 7 signal, man 2 sigaction; issue
 * 12). signals.c has what one process does alone, sigchild.c what a
 * parent sees of its children. */
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
    if (read_text(path, buf, sizeof buf) <= 0) return 0;
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

int main(void) {
    restart_or_eintr();
    return finish("sigprocs");
}
