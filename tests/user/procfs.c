/* /proc as programs read it (man 5 proc; issue 13): the layouts of
 * /proc/self/{stat,status,cmdline,comm,maps,mountinfo}, task/<tid>/ of a
 * process with two threads, per-thread names and /proc/<tid> of a thread
 * that is not the leader, its links (exe, cwd, fd/N),
 * the machine-wide files ps, free, top and uptime parse, /proc/sys/kernel,
 * the directory of live pids, errno for writes and missing processes, and
 * mount(2)/umount2(2) of a second proc. Only structure and relations are
 * printed, never values: this runs on the host, in Linux 6.1 and in
 * cxxkernel (as PID 1 there), and the outputs must be equal. */
#include "common.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>

#define PROC_SUPER_MAGIC 0x9fa0

static char text[65536];

/* The whole of a file into `text` (NUL-terminated); its length or -1. */
static long slurp(const char* path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    long total = 0;
    for (;;) {
        ssize_t n = read(fd, text + total, sizeof text - 1 - total);
        if (n <= 0) break;
        total += n;
    }
    close(fd);
    text[total] = 0;
    return total;
}

/* The line of `text` starting with `prefix`, or NULL. */
static const char* line_of(const char* prefix) {
    size_t n = strlen(prefix);
    for (const char* p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, prefix, n) == 0) return p;
    return NULL;
}

static int count_lines_starting(const char* prefix) {
    int count = 0;
    size_t n = strlen(prefix);
    for (const char* p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, prefix, n) == 0) count++;
    return count;
}

static void self_stat(void) {
    long n = slurp("/proc/self/stat");
    EXPECT_TRUE("/proc/self/stat readable, one line", n > 0 && text[n - 1] == '\n' && strchr(text, '\n') == text + n - 1);
    /* comm may hold spaces and parentheses: the fields after it start after
     * the last ')'. */
    char* open_paren = strchr(text, '(');
    char* close_paren = strrchr(text, ')');
    EXPECT_TRUE("stat: pid then (comm)", open_paren && close_paren && open_paren == strchr(text, ' ') + 1);
    if (!open_paren || !close_paren) return;
    *close_paren = 0;
    say("stat: comm: %s", open_paren + 1);
    EXPECT_TRUE("stat: field 1 is the pid", atol(text) == getpid());
    long fields[64];
    int count = 2;
    char state = 0;
    char* rest = close_paren + 2;
    char* save = NULL;
    for (char* field = strtok_r(rest, " \n", &save); field; field = strtok_r(NULL, " \n", &save)) {
        if (count == 2) state = field[0];
        else if (count < 64) fields[count] = atol(field);
        count++;
    }
    say("stat: fields: %d", count);
    EXPECT_TRUE("stat: state is R (the reader runs)", state == 'R');
    EXPECT_TRUE("stat: ppid pgrp session", fields[3] == getppid() && fields[4] == getpgrp() && fields[5] == getsid(0));
    EXPECT_TRUE("stat: num_threads 1", fields[19] == 1);
    double up = 0;
    long m = slurp("/proc/uptime");
    if (m > 0) up = strtod(text, NULL);
    EXPECT_TRUE("stat: starttime (ticks) not after the uptime", fields[21] <= (long)(up * sysconf(_SC_CLK_TCK)) + 1);
}

static void self_status(void) {
    long n = slurp("/proc/self/status");
    EXPECT_TRUE("/proc/self/status readable", n > 0);
    const char* name = line_of("Name:\t");
    EXPECT_TRUE("status: Name: is the comm", name && strncmp(name + 6, "procfs\n", 7) == 0);
    const char* state = line_of("State:\t");
    EXPECT_TRUE("status: State: R (running)", state && strncmp(state + 7, "R (running)\n", 12) == 0);
    const char* pid = line_of("Pid:\t");
    const char* ppid = line_of("PPid:\t");
    const char* tgid = line_of("Tgid:\t");
    EXPECT_TRUE("status: Pid, Tgid, PPid", pid && atol(pid + 5) == getpid() && tgid && atol(tgid + 6) == getpid() &&
                                               ppid && atol(ppid + 6) == getppid());
    const char* uid = line_of("Uid:\t");
    unsigned u[4] = {~0u, ~0u, ~0u, ~0u};
    if (uid) sscanf(uid, "Uid:\t%u\t%u\t%u\t%u", &u[0], &u[1], &u[2], &u[3]);
    EXPECT_TRUE("status: Uid: real effective saved fs", u[0] == getuid() && u[1] == geteuid() && u[3] == geteuid());
    const char* threads = line_of("Threads:\t");
    EXPECT_TRUE("status: Threads: 1", threads && atol(threads + 9) == 1);
    const char* rss = line_of("VmRSS:");
    unsigned long kb = 0;
    char unit[8] = {0};
    EXPECT_TRUE("status: VmRSS: <n> kB", rss && sscanf(rss, "VmRSS: %lu %7s", &kb, unit) == 2 && kb > 0 &&
                                             strcmp(unit, "kB") == 0);
    const char* blocked = line_of("SigBlk:\t");
    EXPECT_TRUE("status: SigBlk: 16 hex digits", blocked && strspn(blocked + 8, "0123456789abcdef") == 16);
}

/* The child's side of the cmdline check: run as `procfs cmdline-child a "b c" ""`. */
static int cmdline_child(int argc, char** argv) {
    char expected[4096];
    size_t length = 0;
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;
        memcpy(expected + length, argv[i], n);
        length += n;
    }
    long n = slurp("/proc/self/cmdline");
    return n == (long)length && memcmp(text, expected, length) == 0 ? 0 : 1;
}

static void self_cmdline_and_exe(char** argv) {
    long n = slurp("/proc/self/cmdline");
    EXPECT_TRUE("/proc/self/cmdline: argv[0] and a NUL", n == (long)strlen(argv[0]) + 1 && strcmp(text, argv[0]) == 0);
    pid_t child = fork();
    if (child == 0) {
        char* args[] = {argv[0], "cmdline-child", "a", "b c", "", NULL};
        execv("/proc/self/exe", args);
        _exit(2);
    }
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE("exec of /proc/self/exe: its cmdline is argv joined by NULs", WIFEXITED(status) && WEXITSTATUS(status) == 0);

    char exe[4096] = {0};
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    EXPECT_TRUE("readlink /proc/self/exe: absolute, ends in /procfs", n > 7 && exe[0] == '/' && strcmp(exe + n - 7, "/procfs") == 0);
    struct stat by_link, by_name;
    EXPECT_TRUE("/proc/self/exe is the file its link names",
                stat("/proc/self/exe", &by_link) == 0 && stat(exe, &by_name) == 0 && by_link.st_ino == by_name.st_ino &&
                    by_link.st_dev == by_name.st_dev);
    struct stat link;
    EXPECT_TRUE("lstat /proc/self/exe: a symlink", lstat("/proc/self/exe", &link) == 0 && S_ISLNK(link.st_mode));
    n = slurp("/proc/self/comm");
    say("/proc/self/comm: %s", n > 0 ? strtok(text, "\n") : "(none)");
}

static void self_cwd_and_fds(void) {
    char target[4096] = {0}, expected[64];
    EXPECT_OK("chdir /", chdir("/"));
    ssize_t n = readlink("/proc/self/cwd", target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    say("readlink /proc/self/cwd after chdir /: %s", target);
    EXPECT_OK("chdir /proc/self", chdir("/proc/self"));
    char cwd[4096] = {0};
    snprintf(expected, sizeof expected, "/proc/%d", getpid());
    EXPECT_TRUE("getcwd in /proc/self is /proc/<pid>", getcwd(cwd, sizeof cwd) && strcmp(cwd, expected) == 0);
    EXPECT_TRUE("stat . there is a directory", access("stat", R_OK) == 0);
    EXPECT_OK("chdir /", chdir("/"));

    char self[64];
    n = readlink("/proc/self", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    EXPECT_TRUE("readlink /proc/self is the pid", n > 0 && atol(self) == getpid() && (size_t)n == strspn(self, "0123456789"));

    int fd = open("/proc/version", O_RDONLY);
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    EXPECT_TRUE("/proc/self/fd/N names the file opened", strcmp(target, "/proc/version") == 0);
    struct stat a, b;
    int again = open(link, O_RDONLY);
    EXPECT_TRUE("opening /proc/self/fd/N opens that file", again >= 0 && fstat(again, &a) == 0 && fstat(fd, &b) == 0 &&
                                                               a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    close(again);
    struct stat ls;
    EXPECT_TRUE("lstat /proc/self/fd/N: a symlink, readable by the owner",
                lstat(link, &ls) == 0 && S_ISLNK(ls.st_mode) && (ls.st_mode & 0400));

    int null_fd = open("/dev/null", O_WRONLY);
    snprintf(link, sizeof link, "/proc/self/fd/%d", null_fd);
    n = readlink(link, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    EXPECT_TRUE("/proc/self/fd/N of /dev/null", strcmp(target, "/dev/null") == 0);
    EXPECT_TRUE("lstat of a write-only descriptor's link: l-wx------",
                lstat(link, &ls) == 0 && (ls.st_mode & 0777) == 0300);

    DIR* dir = opendir("/proc/self/fd");
    int found_fd = 0, found_null = 0, others = 0;
    struct dirent* entry;
    while (dir && (entry = readdir(dir))) {
        if (entry->d_name[0] == '.') continue;
        int number = atoi(entry->d_name);
        if (number == fd) found_fd = 1;
        else if (number == null_fd) found_null = 1;
        if (entry->d_type != DT_LNK) others++;
    }
    if (dir) closedir(dir);
    EXPECT_TRUE("/proc/self/fd lists the open descriptors as links", found_fd && found_null && others == 0);
    close(null_fd);
    close(fd);
    EXPECT_ERR("readlink /proc/self/fd/<closed>", readlink(link, target, sizeof target), ENOENT);
}

static void self_statm_and_environ(char** envp) {
    long n = slurp("/proc/self/statm");
    unsigned long v[7];
    char tail;
    EXPECT_TRUE("statm: 7 numbers, size >= resident >= shared",
                n > 0 && sscanf(text, "%lu %lu %lu %lu %lu %lu %lu%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &tail) == 8 &&
                    tail == '\n' && v[0] >= v[1] && v[1] >= v[2]);
    char expected[8192];
    size_t length = 0;
    for (char** e = envp; *e && length + strlen(*e) + 1 < sizeof expected; e++) {
        memcpy(expected + length, *e, strlen(*e) + 1);
        length += strlen(*e) + 1;
    }
    n = slurp("/proc/self/environ");
    EXPECT_TRUE("/proc/self/environ: envp joined by NULs", n == (long)length && memcmp(text, expected, length) == 0);
    struct stat st;
    EXPECT_TRUE("environ is 0400", stat("/proc/self/environ", &st) == 0 && (st.st_mode & 0777) == 0400);
}

static void self_maps(void) {
    long n = slurp("/proc/self/maps");
    EXPECT_TRUE("/proc/self/maps readable", n > 0);
    int lines = 0, well_formed = 0, stack = 0, executable = 0;
    for (char* line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long start, end, offset, inode;
        unsigned major, minor;
        char perms[8];
        lines++;
        if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &start, &end, perms, &offset, &major, &minor, &inode) == 7 &&
            start < end && strlen(perms) == 4 && strchr("r-", perms[0]) && strchr("w-", perms[1]) &&
            strchr("x-", perms[2]) && strchr("ps", perms[3]))
            well_formed++;
        if (strstr(line, " [stack]")) stack++;
        if (perms[2] == 'x') executable++;
    }
    EXPECT_TRUE("maps: every line 'start-end perms offset dev inode'", lines > 0 && well_formed == lines);
    EXPECT_TRUE("maps: one [stack], some executable region", stack == 1 && executable > 0);
}

/* The maps line of the region holding `address` into `line` (or "" ). */
static void maps_line_of(const void* address, char* line, size_t size) {
    slurp("/proc/self/maps");
    line[0] = 0;
    for (char* l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
        unsigned long start, end;
        if (sscanf(l, "%lx-%lx", &start, &end) == 2 && (unsigned long)address >= start && (unsigned long)address < end) {
            snprintf(line, size, "%s", l);
            return;
        }
    }
}

/* The name column of a maps line (after the inode, padded), or "". */
static const char* maps_name(const char* line) {
    const char* p = line;
    for (int field = 0; field < 5 && p; field++) {
        p = strchr(p, ' ');
        while (p && *p == ' ') p++;
    }
    return p ? p : "";
}

static void self_maps_names(void) {
    long n = slurp("/proc/self/maps");
    int vdso = 0, vvar = 0, vdso_private = 1;
    for (char* line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        const char* name = maps_name(line);
        char perms[8] = {0};
        sscanf(line, "%*x-%*x %7s", perms);
        if (strcmp(name, "[vdso]") == 0) vdso++, vdso_private &= perms[2] == 'x' && perms[3] == 'p';
        if (strcmp(name, "[vvar]") == 0) vvar++, vdso_private &= perms[2] == '-' && perms[3] == 'p';
    }
    EXPECT_TRUE("maps: one [vdso] (r-xp) and one [vvar] (r--p)", n > 0 && vdso == 1 && vvar == 1 && vdso_private);

    /* The program's own file: its text is a mapping named by its path. */
    char exe[4096] = {0}, line[4096];
    readlink("/proc/self/exe", exe, sizeof exe - 1);
    maps_line_of((const void*)self_maps_names, line, sizeof line);
    EXPECT_TRUE("maps: the code's region is named by /proc/self/exe's path",
                strcmp(maps_name(line), exe) == 0);

    /* A file mapped at an offset: its path, the offset, p or s. */
    char path[300], real[4096];
    snprintf(path, sizeof path, "%s/mapped", scratch_dir());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    EXPECT_OK("ftruncate the file to map", ftruncate(fd, 3 * 4096));
    char* shared = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
    char* private = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 2 * 4096);
    if (!realpath(path, real)) real[0] = 0;
    maps_line_of(shared, line, sizeof line);
    unsigned long offset = ~0ul;
    char perms[8] = {0};
    sscanf(line, "%*x-%*x %7s %lx", perms, &offset);
    EXPECT_TRUE("maps: a shared file mapping: rw-s, its offset, the file's path",
                strcmp(perms, "rw-s") == 0 && offset == 4096 && strcmp(maps_name(line), real) == 0);
    maps_line_of(private, line, sizeof line);
    sscanf(line, "%*x-%*x %7s %lx", perms, &offset);
    EXPECT_TRUE("maps: a private one: r--p, its offset, the path",
                strcmp(perms, "r--p") == 0 && offset == 2 * 4096 && strcmp(maps_name(line), real) == 0);
    char* anonymous = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    maps_line_of(anonymous, line, sizeof line);
    unsigned major = 1, minor = 1;
    unsigned long inode = 1;
    sscanf(line, "%*x-%*x %*s %*x %x:%x %lu", &major, &minor, &inode);
    EXPECT_TRUE("maps: anonymous memory: 00:00 0 and no name", major == 0 && minor == 0 && inode == 0 &&
                                                                    maps_name(line)[0] == 0);
    munmap(anonymous, 4096);
    munmap(shared, 2 * 4096);
    munmap(private, 4096);
    close(fd);
    unlink(path);
}

/* task/: a second thread blocked in read(2) on a pipe. */
static int thread_pipe[2];
static volatile pid_t thread_tid;

static void* blocked_thread(void* unused) {
    (void)unused;
    thread_tid = (pid_t)syscall(SYS_gettid);
    char c;
    read(thread_pipe[0], &c, 1);
    return NULL;
}

/* The entries of a task/ directory: count, whether `a` and `b` are among them, all directories. */
static int task_entries(const char* dir, pid_t a, pid_t b, int* found_a, int* found_b) {
    DIR* d = opendir(dir);
    int count = 0, odd = 0;
    *found_a = *found_b = 0;
    struct dirent* entry;
    while (d && (entry = readdir(d))) {
        if (entry->d_name[0] == '.') continue;
        count++;
        if (entry->d_type != DT_DIR || strspn(entry->d_name, "0123456789") != strlen(entry->d_name)) odd++;
        if (atol(entry->d_name) == a) *found_a = 1;
        if (atol(entry->d_name) == b) *found_b = 1;
    }
    if (d) closedir(d);
    return odd ? -1 : count;
}

static void tasks(void) {
    int found_main, found_thread;
    EXPECT_TRUE("task/ of a single-threaded process: its pid only",
                task_entries("/proc/self/task", getpid(), -1, &found_main, &found_thread) == 1 && found_main);
    pipe(thread_pipe);
    pthread_t thread;
    pthread_create(&thread, NULL, blocked_thread, NULL);
    while (!thread_tid) sched_yield();
    pid_t tid = thread_tid;
    EXPECT_TRUE("task/ with a second thread: both ids, directories",
                task_entries("/proc/self/task", getpid(), tid, &found_main, &found_thread) == 2 && found_main &&
                    found_thread);
    char path[128];
    snprintf(path, sizeof path, "/proc/%d/task", getpid());
    EXPECT_TRUE("/proc/<pid>/task lists the same",
                task_entries(path, getpid(), tid, &found_main, &found_thread) == 2 && found_main && found_thread);

    /* The thread's stat: its tid, its state once blocked, num_threads 2. */
    char state = 0;
    long fields[64] = {0}, shown = 0;
    int count = 0;
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    for (int tries = 0; tries < 2000 && state != 'S'; tries++) {
        long n = slurp(path);
        char* paren = strrchr(text, ')');
        if (n <= 0 || !paren) break;
        shown = atol(text);
        count = 2;
        char* save = NULL;
        for (char* field = strtok_r(paren + 2, " \n", &save); field; field = strtok_r(NULL, " \n", &save), count++) {
            if (count == 2) state = field[0];
            else if (count < 64) fields[count] = atol(field);
        }
        if (state != 'S') usleep(1000);
    }
    EXPECT_TRUE("task/<tid>/stat: 52 fields, the tid, S while blocked, num_threads 2",
                count == 52 && shown == tid && state == 'S' && fields[19] == 2);
    snprintf(path, sizeof path, "/proc/self/task/%d/status", tid);
    slurp(path);
    const char* pid_line = line_of("Pid:\t");
    const char* tgid_line = line_of("Tgid:\t");
    const char* threads = line_of("Threads:\t");
    const char* status_state = line_of("State:\t");
    EXPECT_TRUE("task/<tid>/status: Pid is the tid, Tgid the pid, Threads 2, S (sleeping)",
                pid_line && atol(pid_line + 5) == tid && tgid_line && atol(tgid_line + 6) == getpid() && threads &&
                    atol(threads + 9) == 2 && status_state && strncmp(status_state + 7, "S (sleeping)", 12) == 0);
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", getpid());
    long n = slurp(path);
    EXPECT_TRUE("task/<pid>/stat: the main thread's, R (it reads)", n > 0 && atol(text) == getpid() &&
                                                                      strstr(text, ") R ") != NULL);
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", tid);
    n = slurp(path);
    EXPECT_TRUE("task/<tid>/comm: the thread's name (the program's)", n > 0 && strcmp(text, "procfs\n") == 0);
    snprintf(path, sizeof path, "/proc/self/task/%d", getpid() + 1000000);
    EXPECT_ERR("task/<no such tid>", access(path, F_OK), ENOENT);

    write(thread_pipe[1], "x", 1);
    pthread_join(thread, NULL);
    close(thread_pipe[0]);
    close(thread_pipe[1]);
    snprintf(path, sizeof path, "/proc/self/task/%d", tid);
    for (int tries = 0; tries < 5000 && access(path, F_OK) == 0; tries++) usleep(1000); /* as in thread_names */
    EXPECT_ERR("task/<ended thread>", access(path, F_OK), ENOENT);
    EXPECT_TRUE("task/ after the join: the pid only",
                task_entries("/proc/self/task", getpid(), tid, &found_main, &found_thread) == 1 && found_main &&
                    !found_thread);
}

/* Per-thread names (man 2 prctl PR_SET_NAME, man 5 proc "comm",
 * pthread_setname_np): each thread has its own comm; /proc/<pid>/comm and
 * stat show the leader's; task/<tid>/ the thread's; a fork from a named
 * thread carries its name; /proc/<tid> of a thread that is not the leader
 * opens (as the thread) though /proc does not list it. */
static int named_pipe[2], named_go[2];
static volatile pid_t named_tid;
static volatile int named_fork_ok, named_after_write_ok, named_self_comm_ok;

static void* named_thread(void* unused) {
    (void)unused;
    prctl(PR_SET_NAME, "worker-one");
    /* A fork from this thread: the child's comm is the thread's. */
    pid_t child = fork();
    if (child == 0) {
        char name[17] = {0};
        prctl(PR_GET_NAME, name);
        long n = slurp("/proc/self/comm");
        _exit(strcmp(name, "worker-one") == 0 && n > 0 && strcmp(text, "worker-one\n") == 0 ? 0 : 1);
    }
    int status = -1;
    waitpid(child, &status, 0);
    named_fork_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    named_tid = (pid_t)syscall(SYS_gettid);
    char c;
    read(named_go[0], &c, 1); /* the main thread renamed us */
    char name[17] = {0};
    prctl(PR_GET_NAME, name);
    named_after_write_ok = strcmp(name, "renamed-by-main") == 0;
    /* /proc/self/comm from this thread: the leader's comm changes, not ours. */
    int fd = open("/proc/self/comm", O_WRONLY);
    named_self_comm_ok = fd >= 0 && write(fd, "new-leader", 10) == 10;
    if (fd >= 0) close(fd);
    memset(name, 0, sizeof name);
    prctl(PR_GET_NAME, name);
    named_self_comm_ok = named_self_comm_ok && strcmp(name, "renamed-by-main") == 0;
    write(named_pipe[1], "d", 1);
    read(named_go[0], &c, 1); /* until the main thread has looked at /proc/<tid> */
    return NULL;
}

/* Whether the text holds "<pid> (<comm>) " at its start. */
static int stat_names(pid_t pid, const char* comm) {
    char head[64];
    snprintf(head, sizeof head, "%d (%s) ", (int)pid, comm);
    return strncmp(text, head, strlen(head)) == 0;
}

/* Whether directory `dir` shows thread `tid` named `comm`: its stat's
 * "<tid> (<comm>)", status's Pid/Tgid/Name, comm's "<comm>\n". */
static int thread_view(const char* dir, pid_t tid, const char* comm) {
    char path[160], line[32];
    snprintf(path, sizeof path, "%s/stat", dir);
    int ok = slurp(path) > 0 && stat_names(tid, comm);
    snprintf(path, sizeof path, "%s/status", dir);
    slurp(path);
    const char* pid_line = line_of("Pid:\t");
    const char* tgid_line = line_of("Tgid:\t");
    const char* name_line = line_of("Name:\t");
    snprintf(line, sizeof line, "%s\n", comm);
    ok = ok && pid_line && atol(pid_line + 5) == tid && tgid_line && atol(tgid_line + 6) == getpid() && name_line &&
         strncmp(name_line + 6, line, strlen(line)) == 0;
    snprintf(path, sizeof path, "%s/comm", dir);
    return ok && slurp(path) > 0 && strcmp(text, line) == 0;
}

static void thread_names(void) {
    CHECK(pipe(named_pipe) == 0 && pipe(named_go) == 0);
    named_tid = 0;
    pthread_t thread;
    pthread_create(&thread, NULL, named_thread, NULL);
    while (!named_tid) sched_yield();
    pid_t tid = named_tid, pid = getpid();
    EXPECT_TRUE("fork from a named thread: the child's comm is the thread's", named_fork_ok);
    char name[17] = {0}, path[128];
    prctl(PR_GET_NAME, name);
    EXPECT_TRUE("PR_SET_NAME in a thread leaves the main thread's name", strcmp(name, "procfs") == 0);
    long n = slurp("/proc/self/comm");
    EXPECT_TRUE("/proc/self/comm: the leader's", n > 0 && strcmp(text, "procfs\n") == 0);
    snprintf(path, sizeof path, "/proc/self/task/%d", tid);
    EXPECT_TRUE("task/<tid>/{stat,status,comm}: the thread's PR_SET_NAME", thread_view(path, tid, "worker-one"));
    n = slurp("/proc/self/stat");
    EXPECT_TRUE("/proc/self/stat: (the leader's name)", n > 0 && stat_names(pid, "procfs"));

    /* pthread_getname_np / pthread_setname_np of another thread go through
     * task/<tid>/comm in both glibc and musl. */
    char got[32] = {0};
    EXPECT_TRUE("pthread_getname_np of the thread", pthread_getname_np(thread, got, sizeof got) == 0 &&
                                                        strcmp(got, "worker-one") == 0);
    EXPECT_TRUE("pthread_setname_np of the thread", pthread_setname_np(thread, "renamed-by-main") == 0);
    write(named_go[1], "g", 1);
    char c;
    read(named_pipe[0], &c, 1);
    EXPECT_TRUE("the thread's PR_GET_NAME after the write to its comm", named_after_write_ok);
    EXPECT_TRUE("a thread's write to /proc/self/comm names the leader, not itself", named_self_comm_ok);
    memset(name, 0, sizeof name);
    prctl(PR_GET_NAME, name);
    EXPECT_TRUE("the leader's PR_GET_NAME after it", strcmp(name, "new-leader") == 0);
    prctl(PR_SET_NAME, "procfs");

    /* /proc/<tid>: not listed, but there, and it is the thread's view. */
    DIR* dir = opendir("/proc");
    int listed = 0;
    struct dirent* entry;
    while (dir && (entry = readdir(dir)))
        if (atol(entry->d_name) == tid) listed = 1;
    if (dir) closedir(dir);
    EXPECT_TRUE("/proc does not list a thread's id", !listed);
    snprintf(path, sizeof path, "/proc/%d", tid);
    struct stat st;
    EXPECT_TRUE("/proc/<tid> of a thread: a directory", stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    EXPECT_TRUE("/proc/<tid>/{stat,status,comm}: the thread's id and name", thread_view(path, tid, "renamed-by-main"));
    int found_main, found_thread;
    snprintf(path, sizeof path, "/proc/%d/task", tid);
    EXPECT_TRUE("/proc/<tid>/task: the process's threads",
                task_entries(path, pid, tid, &found_main, &found_thread) == 2 && found_main && found_thread);
    snprintf(path, sizeof path, "/proc/%d/cmdline", tid);
    EXPECT_TRUE("/proc/<tid>/cmdline: the process's", slurp(path) > 0 && strstr(text, "procfs") != NULL);

    write(named_go[1], "g", 1);
    pthread_join(thread, NULL);
    /* The join returns once the thread's tid word is cleared, which Linux
     * does a little before the thread is gone from /proc. */
    snprintf(path, sizeof path, "/proc/%d", tid);
    for (int tries = 0; tries < 5000 && access(path, F_OK) == 0; tries++) usleep(1000);
    EXPECT_ERR("/proc/<ended thread>", access(path, F_OK), ENOENT);
    close(named_pipe[0]), close(named_pipe[1]), close(named_go[0]), close(named_go[1]);
}

/* mountinfo: "id parent major:minor root point options [tags] - type source super", one line per /proc/mounts line. */
static int mountinfo_line(char* line, int* id, int* parent, char* point, char* type) {
    unsigned major, minor;
    char root[256], options[256];
    int used = 0;
    if (sscanf(line, "%d %d %u:%u %255s %255s %255s %n", id, parent, &major, &minor, root, point, options, &used) < 7 ||
        !used)
        return 0;
    char* dash = strstr(line + used - 1, " - ");
    if (!dash) return 0;
    char source[256], super[256];
    return sscanf(dash + 3, "%63s %255s %255s", type, source, super) == 3 && root[0] == '/' && point[0] == '/' &&
           (strncmp(options, "rw", 2) == 0 || strncmp(options, "ro", 2) == 0);
}

static int mountinfo_has(const char* where, const char* want_type, int* proc_parent_listed) {
    slurp("/proc/self/mountinfo");
    int ids[512], count = 0, found = 0, proc_parent = -1;
    for (char* line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        int id, parent;
        char point[256], type[64];
        if (!mountinfo_line(line, &id, &parent, point, type)) return -1;
        if (count < 512) ids[count++] = id;
        if (strcmp(point, where) == 0 && strcmp(type, want_type) == 0) found = 1;
        if (strcmp(point, "/proc") == 0 && strcmp(type, "proc") == 0) proc_parent = parent;
    }
    *proc_parent_listed = 0;
    for (int i = 0; i < count; i++) {
        for (int j = 0; j < i; j++)
            if (ids[i] == ids[j]) return -1;
        if (ids[i] == proc_parent) *proc_parent_listed = 1;
    }
    return found;
}

static void mountinfo(void) {
    long n = slurp("/proc/mounts");
    int mounts = n > 0 ? count_lines_starting("") : 0;
    n = slurp("/proc/self/mountinfo");
    int lines = n > 0 ? count_lines_starting("") : -1;
    EXPECT_TRUE("mountinfo: a line per /proc/mounts line", lines == mounts && lines > 0);
    int parent_listed = 0;
    EXPECT_TRUE("mountinfo: every line well formed, ids unique, /proc's proc listed",
                mountinfo_has("/proc", "proc", &parent_listed) == 1);
    EXPECT_TRUE("mountinfo: /proc's parent is a listed mount", parent_listed);
    char path[128];
    snprintf(path, sizeof path, "/proc/%d/mountinfo", getpid());
    EXPECT_TRUE("/proc/<pid>/mountinfo readable", slurp(path) == n);
}

static void memory_and_time(void) {
    long n = slurp("/proc/meminfo");
    const char* labels[] = {"MemTotal:", "MemFree:", "MemAvailable:"};
    unsigned long values[3] = {0};
    for (int i = 0; i < 3; i++) {
        const char* line = line_of(labels[i]);
        char unit[8] = {0};
        char format[32];
        snprintf(format, sizeof format, "%s %%lu %%7s", labels[i]);
        int ok = n > 0 && line && sscanf(line, format, &values[i], unit) == 2 && strcmp(unit, "kB") == 0;
        say("meminfo: %s <n> kB: %s", labels[i], ok ? "yes" : "no");
        CHECK(ok);
    }
    EXPECT_TRUE("meminfo: 0 < MemFree <= MemTotal", values[1] > 0 && values[1] <= values[0]);
    EXPECT_TRUE("meminfo: SwapTotal: line", line_of("SwapTotal:") != NULL);

    n = slurp("/proc/uptime");
    unsigned long up_s, up_cs, idle_s, idle_cs;
    char tail;
    EXPECT_TRUE("uptime: two numbers with two decimals",
                n > 0 && sscanf(text, "%lu.%2lu %lu.%2lu%c", &up_s, &up_cs, &idle_s, &idle_cs, &tail) == 5 && tail == '\n' &&
                    strlen(text) == (size_t)n);

    n = slurp("/proc/loadavg");
    unsigned a[6];
    int running, total, last, used = 0;
    EXPECT_TRUE("loadavg: three averages 'n.nn', running/total, last pid, a newline",
                n > 0 &&
                    sscanf(text, "%u.%2u %u.%2u %u.%2u %d/%d %d%n", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &running,
                           &total, &last, &used) == 9 &&
                    used == n - 1 && text[n - 1] == '\n' && running >= 1 && total >= running && last > 0);
    int decimals = 1;
    for (char* p = text; *p && p < text + used; p++)
        if (*p == '.') decimals &= p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' && p[3] == ' ';
    EXPECT_TRUE("loadavg: two decimals each", decimals);
    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, NULL, 0);
    n = slurp("/proc/loadavg");
    last = 0;
    sscanf(text, "%*s %*s %*s %*s %d", &last);
    EXPECT_TRUE("loadavg: the last pid is at least a child's just made", last >= child || last < getpid());

    n = slurp("/proc/stat");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    EXPECT_TRUE("stat: a cpu line with 10 numbers", n > 0 && strncmp(text, "cpu  ", 5) == 0);
    int cpu_lines = 0;
    for (int i = 0; i < cpus; i++) {
        char prefix[16];
        snprintf(prefix, sizeof prefix, "cpu%d ", i);
        cpu_lines += line_of(prefix) != NULL;
    }
    EXPECT_TRUE("stat: a cpuN line per online CPU", cpu_lines == cpus);
    const char* btime = line_of("btime ");
    long boot = btime ? atol(btime + 6) : 0;
    EXPECT_TRUE("stat: btime is the boot time (within a day)", boot > 0 && labs((long)time(NULL) - (long)up_s - boot) < 86400);
    const char* processes = line_of("processes ");
    const char* procs_running = line_of("procs_running ");
    EXPECT_TRUE("stat: processes >= 1, procs_running >= 1",
                processes && atol(processes + 10) >= 1 && procs_running && atol(procs_running + 14) >= 1);
    EXPECT_TRUE("stat: ctxt, procs_blocked lines", line_of("ctxt ") && line_of("procs_blocked "));

    n = slurp("/proc/cpuinfo");
    EXPECT_TRUE("cpuinfo: a processor block per online CPU", n > 0 && count_lines_starting("processor\t: ") == cpus);
    EXPECT_TRUE("cpuinfo: model name and flags per CPU",
                count_lines_starting("model name\t: ") == cpus && count_lines_starting("flags\t\t: ") == cpus);
}

static void system_files(void) {
    struct utsname u;
    uname(&u);
    char expected[256];
    long n = slurp("/proc/version");
    snprintf(expected, sizeof expected, "Linux version %s ", u.release);
    EXPECT_TRUE("version: 'Linux version <release> ...'", n > 0 && strncmp(text, expected, strlen(expected)) == 0);
    n = slurp("/proc/sys/kernel/ostype");
    say("sys/kernel/ostype: %s", n > 0 ? strtok(text, "\n") : "(none)");
    n = slurp("/proc/sys/kernel/osrelease");
    snprintf(expected, sizeof expected, "%s\n", u.release);
    EXPECT_TRUE("sys/kernel/osrelease is uname's release", n > 0 && strcmp(text, expected) == 0);
    n = slurp("/proc/sys/kernel/hostname");
    snprintf(expected, sizeof expected, "%s\n", u.nodename);
    EXPECT_TRUE("sys/kernel/hostname is uname's nodename", n > 0 && strcmp(text, expected) == 0);
    n = slurp("/proc/filesystems");
    EXPECT_TRUE("filesystems: nodev proc and tmpfs", n > 0 && strstr(text, "nodev\tproc\n") && strstr(text, "nodev\ttmpfs\n"));
    n = slurp("/proc/mounts");
    int proc_line = 0;
    for (char* line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char source[256], point[256], type[64], options[256];
        int dump, pass;
        if (sscanf(line, "%255s %255s %63s %255s %d %d", source, point, type, options, &dump, &pass) == 6 &&
            strcmp(point, "/proc") == 0 && strcmp(type, "proc") == 0 && (strncmp(options, "rw", 2) == 0))
            proc_line = 1;
    }
    EXPECT_TRUE("mounts: 'source /proc proc rw... 0 0'", proc_line);
}

static void pid_directories(void) {
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    DIR* dir = opendir("/proc");
    int self = 0, mine = 0, theirs = 0, odd = 0;
    struct dirent* entry;
    while (dir && (entry = readdir(dir))) {
        if (strcmp(entry->d_name, "self") == 0) self = entry->d_type == DT_LNK;
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        if (strspn(entry->d_name, "0123456789") != strlen(entry->d_name) || entry->d_type != DT_DIR) odd++;
        if (atol(entry->d_name) == getpid()) mine = 1;
        if (atol(entry->d_name) == child) theirs = 1;
    }
    if (dir) closedir(dir);
    EXPECT_TRUE("/proc lists self (a link), this pid and a child's (directories)", self && mine && theirs && !odd);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", child);
    long n = slurp(path);
    char* paren = strrchr(text, ')');
    EXPECT_TRUE("/proc/<child>/stat: its pid, ppid is this process",
                n > 0 && atol(text) == child && paren && atol(strchr(paren + 3, ' ') + 1) == getpid());
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    snprintf(path, sizeof path, "/proc/%d", child);
    EXPECT_ERR("stat /proc/<reaped child>", access(path, F_OK), ENOENT);
    snprintf(path, sizeof path, "/proc/%d/stat", child);
    EXPECT_ERR("open /proc/<reaped child>/stat", open(path, O_RDONLY), ENOENT);
    EXPECT_ERR("open /proc/self/nothing", open("/proc/self/nothing", O_RDONLY), ENOENT);
    EXPECT_ERR("mkdir /proc/x", mkdir("/proc/x", 0755), ENOENT);
}

static void no_write_as_nobody(void) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    errno = 0;
    int fd = open("/proc/meminfo", O_WRONLY);
    _exit(fd < 0 && errno == EACCES ? 0 : 1);
}

static void writes(void) {
    int fd = open("/proc/meminfo", O_WRONLY);
    report("open /proc/meminfo O_WRONLY as root", fd);
    EXPECT_ERR("write /proc/meminfo", write(fd, "x", 1), EIO);
    close(fd);
    fd = open("/proc/self/stat", O_WRONLY);
    report("open /proc/self/stat O_WRONLY as root", fd);
    EXPECT_ERR("write /proc/self/stat", write(fd, "x", 1), EINVAL);
    close(fd);
    EXPECT_ERR("open /proc/sys/kernel/ostype O_WRONLY", open("/proc/sys/kernel/ostype", O_WRONLY), EACCES);
    int status = in_child(no_write_as_nobody);
    EXPECT_TRUE("open /proc/meminfo O_WRONLY as nobody: EACCES", WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* comm: the bytes written, newline included, at most 15; only one's own. */
    fd = open("/proc/self/comm", O_WRONLY);
    EXPECT_TRUE("write /proc/self/comm: all 8 bytes taken", write(fd, "renamed\n", 8) == 8);
    char name[17] = {0};
    prctl(PR_GET_NAME, name);
    EXPECT_TRUE("PR_GET_NAME: the bytes written, newline kept", strcmp(name, "renamed\n") == 0);
    EXPECT_TRUE("write 20 bytes to comm: all taken", write(fd, "0123456789abcdefghij", 20) == 20);
    prctl(PR_GET_NAME, name);
    EXPECT_TRUE("PR_GET_NAME: the first 15", strcmp(name, "0123456789abcde") == 0);
    close(fd);
    prctl(PR_SET_NAME, "procfs");
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", child);
    fd = open(path, O_WRONLY);
    EXPECT_ERR("write another process's comm", write(fd, "x", 1), EINVAL);
    close(fd);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);

    fd = open("/proc/version", O_RDONLY);
    char first[16] = {0}, again[16] = {0};
    read(fd, first, sizeof first - 1);
    EXPECT_OK("lseek /proc/version 0 SEEK_SET", lseek(fd, 0, SEEK_SET));
    read(fd, again, sizeof again - 1);
    EXPECT_TRUE("re-read from 0: the same bytes", strcmp(first, again) == 0);
    EXPECT_ERR("lseek /proc/version SEEK_END", lseek(fd, 0, SEEK_END), EINVAL);
    close(fd);
}

static void second_mount(void) {
    char where[256];
    snprintf(where, sizeof where, "%s/proc", scratch_dir());
    mkdir(where, 0755);
    EXPECT_OK("mount -t proc proc <dir>", mount("proc", where, "proc", 0, NULL));
    char real[4096];
    int parent_listed;
    EXPECT_TRUE("mountinfo shows the new proc mount",
                realpath(where, real) && mountinfo_has(real, "proc", &parent_listed) == 1);
    char path[300];
    snprintf(path, sizeof path, "%s/self/stat", where);
    long n = slurp(path);
    EXPECT_TRUE("<dir>/self/stat is this process's", n > 0 && atol(text) == getpid());
    struct statfs s;
    EXPECT_TRUE("statfs: PROC_SUPER_MAGIC", statfs(where, &s) == 0 && s.f_type == PROC_SUPER_MAGIC);
    EXPECT_OK("umount2 <dir>", umount2(where, 0));
    EXPECT_TRUE("mountinfo after umount2: gone", mountinfo_has(real, "proc", &parent_listed) == 0);
    snprintf(path, sizeof path, "%s/self", where);
    EXPECT_ERR("<dir>/self after umount2", access(path, F_OK), ENOENT);
    EXPECT_ERR("mount -t nosuchfs", mount("x", where, "nosuchfs", 0, NULL), ENODEV);
    EXPECT_ERR("umount2 of a directory that is no mount", umount2(where, 0), EINVAL);
    EXPECT_ERR("umount2 with unknown flags", umount2(where, 0x100), EINVAL);
    rmdir(where);
}

int main(int argc, char** argv, char** envp) {
    if (argc > 1 && strcmp(argv[1], "cmdline-child") == 0) return cmdline_child(argc, argv);
    self_stat();
    self_status();
    self_cmdline_and_exe(argv);
    self_cwd_and_fds();
    self_maps();
    self_maps_names();
    tasks();
    thread_names();
    mountinfo();
    self_statm_and_environ(envp);
    memory_and_time();
    system_files();
    pid_directories();
    writes();
    second_mount();
    return finish("procfs");
}
