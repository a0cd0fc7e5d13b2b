/* /proc under churn (kernel-only: what it checks is that the kernel stays
 * up and frees what it made): worker processes fork and reap children that
 * exec nothing, change directory, open and close files and exit, while
 * readers walk /proc - every pid directory's stat, status, cmdline,
 * environ, statm, maps, its exe, cwd, root and fd/ links - the whole time.
 * Processes end between a lookup and an open, descriptors close between
 * getdents64 and readlink, cwd changes while another process reads it:
 * every answer must be data or ENOENT/ESRCH/EBADF, never a crash.
 * Runs as init=; "procstress: ok" at the end.
 *   procstress [seconds] [workers] */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static long free_kb(void) {
    int fd = open("/proc/meminfo", O_RDONLY);
    char buf[4096] = {0};
    if (fd < 0) return -1;
    read(fd, buf, sizeof buf - 1);
    close(fd);
    const char* line = strstr(buf, "MemFree:");
    return line ? atol(line + 8) : -1;
}

static void churn(double until) {
    const char* dirs[] = {"/", "/proc", "/etc", "/dev", "/proc/self"};
    int n = 0;
    while (now() < until) {
        pid_t child = fork();
        if (child == 0) {
            chdir(dirs[n % 5]);
            int fd = open("/etc/passwd", O_RDONLY);
            int fd2 = open("/proc/self/stat", O_RDONLY);
            char buf[256];
            if (fd2 >= 0) read(fd2, buf, sizeof buf);
            close(fd);
            _exit(0);
        }
        if (child > 0) waitpid(child, NULL, 0);
        chdir(dirs[n % 5]);
        n++;
    }
}

static long reads, errors;

static void read_file(const char* path) {
    char buf[8192];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        if (errno != ENOENT && errno != ESRCH && errno != EACCES) errors++;
        return;
    }
    while (read(fd, buf, sizeof buf) > 0) {
    }
    close(fd);
    reads++;
}

static void read_link(const char* path) {
    char buf[4096];
    if (readlink(path, buf, sizeof buf) >= 0) reads++;
    else if (errno != ENOENT && errno != ESRCH && errno != EBADF) errors++;
    struct stat st;
    stat(path, &st);
}

static void walk(double until) {
    const char* files[] = {"stat", "status", "cmdline", "environ", "statm", "maps", "comm"};
    const char* links[] = {"exe", "cwd", "root"};
    char path[1024];
    while (now() < until) {
        DIR* proc = opendir("/proc");
        struct dirent* e;
        while (proc && (e = readdir(proc))) {
            if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
            for (int i = 0; i < 7; i++) {
                snprintf(path, sizeof path, "/proc/%s/%s", e->d_name, files[i]);
                read_file(path);
            }
            for (int i = 0; i < 3; i++) {
                snprintf(path, sizeof path, "/proc/%s/%s", e->d_name, links[i]);
                read_link(path);
            }
            snprintf(path, sizeof path, "/proc/%s/fd", e->d_name);
            DIR* fds = opendir(path);
            struct dirent* f;
            while (fds && (f = readdir(fds))) {
                if (f->d_name[0] == '.') continue;
                snprintf(path, sizeof path, "/proc/%s/fd/%s", e->d_name, f->d_name);
                read_link(path);
            }
            if (fds) closedir(fds);
        }
        if (proc) closedir(proc);
        read_file("/proc/meminfo");
        read_file("/proc/stat");
        read_file("/proc/loadavg");
        read_file("/proc/mounts");
    }
}

int main(int argc, char** argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    double seconds = argc > 1 ? atof(argv[1]) : 5;
    int workers = argc > 2 ? atoi(argv[2]) : 4;
    /* A warm-up round so the baseline has what the first use allocates. */
    walk(now() + 0.2);
    long before = free_kb();
    double until = now() + seconds;
    pid_t pids[64];
    int failed = 0;
    for (int i = 0; i < workers && i < 64; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            if (i % 2) churn(until);
            else walk(until);
            _exit(errors ? 1 : 0);
        }
    }
    for (int i = 0; i < workers && i < 64; i++) {
        int status = 0;
        waitpid(pids[i], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
    }
    printf("procstress: %d workers for %.0f s, %d failed\n", workers, seconds, failed);
    /* Everything /proc made is gone again: free memory back near the
     * baseline (a little slack for what the kernel keeps meanwhile). */
    long after = free_kb();
    int back = after >= before - 256;
    printf("procstress: memory back to baseline: %s (%ld kB before, %ld kB after)\n", back ? "yes" : "no", before, after);
    if (!failed && back) printf("procstress: ok\n");
    return failed || !back;
}
