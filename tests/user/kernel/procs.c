/* Process-tree rules only PID 1 can see (kernel-only: on the host this
 * program is not init): orphans are adopted by PID 1, also when they are
 * zombies already, and RLIMIT_NPROC stops a fork bomb of a non-root user
 * with EAGAIN. Runs as init=; prints one line per check and "procs: ok". */
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

    printf("procs: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
