/* execve from a thread: the other threads are destroyed and the program
 * runs alone, with the thread-group leader's pid (man 2 execve; issue 12).
 * It reads /proc/self/status. threads.c has the rest of threads. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common.h"

static pid_t leader;

static void* exec_from_thread(void* arg) {
    (void)arg;
    char* argv[] = {"threadexec", "after-exec", NULL};
    char pid_env[64];
    snprintf(pid_env, sizeof pid_env, "UTEST_LEADER=%d", leader);
    char* envp[] = {pid_env, NULL};
    execve("/proc/self/exe", argv, envp);
    _exit(100);
}

static void* sleeper(void* arg) {
    (void)arg;
    for (;;) pause();
    return NULL;
}

/* After execve from a thread the program runs alone, as the thread-group
 * leader's pid (man 2 execve, "All threads other than the calling thread
 * are destroyed"). */
static int after_exec(void) {
    const char* env = getenv("UTEST_LEADER");
    int same_pid = env && atoi(env) == getpid() && syscall(SYS_gettid) == getpid();
    int fd = open("/proc/self/status", O_RDONLY);
    char buf[4096] = {0};
    if (fd >= 0) read(fd, buf, sizeof buf - 1);
    const char* threads = strstr(buf, "Threads:");
    int alone = threads && atoi(threads + 8) == 1;
    return same_pid && alone ? 30 : 1;
}

static void exec_in_thread(void) {
    pid_t child = fork();
    if (child == 0) {
        leader = getpid();
        pthread_t t;
        pthread_create(&t, NULL, sleeper, NULL);
        pthread_create(&t, NULL, exec_from_thread, NULL);
        for (;;) pause();
    }
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE("execve from a thread: alone afterwards, with the leader's pid",
                WIFEXITED(status) && WEXITSTATUS(status) == 30);
}

int main(int argc, char** argv) {
    if (argc == 2 && strcmp(argv[1], "after-exec") == 0) return after_exec();
    exec_in_thread();
    return finish("threadexec");
}
