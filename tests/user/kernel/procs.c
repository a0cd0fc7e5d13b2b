/* Process-tree rules only PID 1 can see (kernel-only: on the host this
 * program is not init): PID 1 starts in session 0 and process group 0 and
 * leads neither, so its setsid() succeeds (docs/proc.md); orphans are
 * adopted by PID 1, also when they are zombies already, and RLIMIT_NPROC
 * stops a fork bomb of a non-root user with EAGAIN. Runs as init=; prints
 * one line per check and "procs: ok". tools/linux_reference_test.py runs it
 * as Linux 6.1's rdinit= too: every check holds there. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(const char* what, int ok) {
    printf("procs: %s: %s\n", what, ok ? "yes" : "no");
    if (!ok) failures++;
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    check("I am pid 1", getpid() == 1);
    /* Linux's init inherits init_task's session and group: 0, 0. */
    check("in session 0 and process group 0", getsid(0) == 0 && getpgrp() == 0 && getpgid(0) == 0);
    check("getsid(1) and getpgid(1) say so too", getsid(1) == 0 && getpgid(1) == 0);

    /* A running orphan: its parent exits, it finds PID 1 as its parent. */
    pid_t child = fork();
    if (child == 0) {
        pid_t grandchild = fork();
        if (grandchild == 0) {
            for (int i = 0; i < 200 && getppid() != 1; i++) sleep_ms(5);
            _exit(getppid() == 1 ? 42 : 1);
        }
        _exit(0);
    }
    int status = 0;
    check("the middle process exits", waitpid(child, &status, 0) == child && WIFEXITED(status));
    pid_t pid = wait(&status);
    check("the orphan is pid 1's child now, and says so", pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 42);

    /* A zombie orphan: reaped by PID 1 after its parent goes. */
    child = fork();
    if (child == 0) {
        if (fork() == 0) _exit(7);
        sleep_ms(30); /* the grandchild is a zombie by now */
        _exit(0);
    }
    waitpid(child, &status, 0);
    pid = wait(&status);
    check("a zombie orphan is reaped by pid 1", pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 7);
    check("then no children are left", wait(&status) == -1 && errno == ECHILD);

    /* RLIMIT_NPROC for a non-root user: a fork bomb gets EAGAIN. */
    child = fork();
    if (child == 0) {
        struct rlimit limit = {8, 8};
        if (setrlimit(RLIMIT_NPROC, &limit) != 0 || setuid(1000) != 0) _exit(2);
        int made = 0, eagain = 0;
        for (int i = 0; i < 50; i++) {
            pid_t p = fork();
            if (p == 0) {
                sleep_ms(200);
                _exit(0);
            }
            if (p > 0) made++;
            else if (errno == EAGAIN) {
                eagain = 1;
                break;
            }
        }
        while (wait(NULL) > 0) {
        }
        _exit(eagain && made < 8 ? 0 : 3);
    }
    waitpid(child, &status, 0);
    check("RLIMIT_NPROC stops a non-root fork bomb with EAGAIN", WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* A thousand short processes one after another: all reaped. */
    int reaped = 0;
    for (int i = 0; i < 1000; i++) {
        pid_t p = fork();
        if (p == 0) _exit(i & 0x7f);
        if (p > 0 && waitpid(p, &status, 0) == p && WEXITSTATUS(status) == (i & 0x7f)) reaped++;
    }
    check("1000 fork/exit/wait in a row", reaped == 1000);

    /* A child inherits session 0 and group 0; PID 1, no group's leader,
     * makes its own session in place (busybox's `setsid` forks only when
     * this fails: an /init script's `exec setsid sh` keeps PID 1). */
    child = fork();
    if (child == 0) _exit(getsid(0) == 0 && getpgrp() == 0 ? 0 : 1);
    check("a child of pid 1 is in session 0 and group 0",
          waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    check("setsid() as pid 1 returns 1", setsid() == 1);
    check("then pid 1 leads session 1 and group 1", getsid(0) == 1 && getpgrp() == 1);
    errno = 0;
    check("a second setsid() is EPERM", setsid() == -1 && errno == EPERM);

    printf("procs: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
