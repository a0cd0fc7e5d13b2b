/* ubench: guest instructions per operation of a kernel, seen from user space.
 *
 * One static glibc binary, run unchanged on Debian's Linux and on ours in
 * the same QEMU (tools/linux_reference.py, docs/benchmarks.md). Under QEMU
 * -icount shift=0,align=off,sleep=off the TSC advances by one per guest
 * instruction executed on any CPU (plus jumps over time when every CPU is
 * idle), so a TSC difference is an instruction count. Each figure is the
 * median over several runs of (TSC after - TSC before) / iterations.
 *
 * Output, one line per benchmark (machine-parseable):
 *   ubench <name> <per-op> runs=<r> iters=<n> min=<per-op> max=<per-op>
 *   ubench <name> skipped reason=<word>
 * framed by "ubench begin cpus=<n>" and "ubench end status=<0|1>".
 *
 * Usage: ubench [--dir <tmpfs dir>] [--runs <r>] [--only <name>[,<name>...]]
 *        ubench --tsc    (prints the TSC, no newline: for a shell prompt)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static const char* dir = "/tmp";
static const char* self;
static int runs = 5;
static const char* only;

static inline uint64_t tsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

static void die(const char* what) {
    printf("ubench error: %s: %s\n", what, strerror(errno));
    printf("ubench end status=1\n");
    exit(1);
}

static int cmp_u64(const void* a, const void* b) {
    uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
    return x < y ? -1 : x > y;
}

static int wanted(const char* name) {
    if (!only) return 1;
    size_t len = strlen(name);
    for (const char* p = only; (p = strstr(p, name)); p += len)
        if ((p == only || p[-1] == ',') && (p[len] == 0 || p[len] == ',')) return 1;
    return 0;
}

/* Runs body(iters) once to warm up, then `runs` times; body returns the
 * TSC ticks it measured. Prints the median per operation. */
static void measure(const char* name, long iters, uint64_t (*body)(long)) {
    if (!wanted(name)) return;
    uint64_t per_op[64];
    body(iters);
    for (int r = 0; r < runs; r++) per_op[r] = body(iters) / iters;
    qsort(per_op, runs, sizeof per_op[0], cmp_u64);
    printf("ubench %s %llu runs=%d iters=%ld min=%llu max=%llu\n", name, (unsigned long long)per_op[runs / 2], runs,
           iters, (unsigned long long)per_op[0], (unsigned long long)per_op[runs - 1]);
    fflush(stdout);
}

static void skipped(const char* name, const char* reason) {
    if (wanted(name)) printf("ubench %s skipped reason=%s\n", name, reason);
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) die("sched_setaffinity");
}

static void unpin(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int i = 0; i < 64; i++) CPU_SET(i, &set);
    sched_setaffinity(0, sizeof set, &set);
}

/* ---- system calls and memory ---- */

static uint64_t null_syscall(long n) {
    uint64_t t0 = tsc();
    for (long i = 0; i < n; i++) {
        long ret;
        __asm__ volatile("syscall" : "=a"(ret) : "a"(SYS_getppid) : "rcx", "r11", "memory");
    }
    return tsc() - t0;
}

static uint64_t page_fault(long pages) {
    char* p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    uint64_t t0 = tsc();
    for (long i = 0; i < pages; i++) ((volatile char*)p)[i * PAGE] = 1;
    uint64_t t = tsc() - t0;
    munmap(p, pages * PAGE);
    return t;
}

static uint64_t mmap_munmap(long n) {
    uint64_t t0 = tsc();
    for (long i = 0; i < n; i++) {
        void* p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) die("mmap");
        munmap(p, PAGE);
    }
    return tsc() - t0;
}

static uint64_t clock_vdso(long n) {
    struct timespec ts;
    uint64_t t0 = tsc();
    for (long i = 0; i < n; i++) clock_gettime(CLOCK_MONOTONIC, &ts);
    return tsc() - t0;
}

/* ---- processes ---- */

static uint64_t fork_exit_wait(long n) {
    uint64_t t0 = tsc();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) _exit(0);
        if (pid < 0 || waitpid(pid, NULL, 0) != pid) die("fork/wait");
    }
    return tsc() - t0;
}

static uint64_t fork_execve(long n) {
    char* argv[] = {(char*)self, "--exit", NULL};
    char* envp[] = {NULL};
    uint64_t t0 = tsc();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            execve(self, argv, envp);
            _exit(127);
        }
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0) die("fork/execve");
    }
    return tsc() - t0;
}

static volatile sig_atomic_t caught;
static void on_usr1(int sig) { caught += sig; }

static uint64_t signal_round_trip(long n) {
    struct sigaction sa = {.sa_handler = on_usr1};
    sigaction(SIGUSR1, &sa, NULL);
    pid_t me = getpid();
    uint64_t t0 = tsc();
    for (long i = 0; i < n; i++) syscall(SYS_kill, me, SIGUSR1);
    uint64_t t = tsc() - t0;
    if (caught == 0) die("no signal delivered");
    return t;
}

/* Two processes pinned to CPU 0 yield to each other: per yield (= one
 * switch to the other process). The window is the 2n calls and little
 * else: it opens just before the one-byte write that lets the child go
 * (that write and the child's read return are in it) and closes at the
 * later of the two loops' ends — each
 * side reads the TSC after its own last call, the child into a shared
 * page — so neither the child's exit nor the parent's wait is counted
 * (as pipe_round_trip leaves them out too). */
static uint64_t yield_pingpong(long n) {
    int go[2];
    if (pipe(go) != 0) die("pipe");
    volatile uint64_t* child_end =
        mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (child_end == MAP_FAILED) die("mmap");
    pin(0);
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        char c;
        if (read(go[0], &c, 1) != 1) _exit(1);
        for (long i = 0; i < n; i++) sched_yield();
        *child_end = tsc();
        _exit(0);
    }
    uint64_t t0 = tsc();
    if (write(go[1], "g", 1) != 1) die("write");
    for (long i = 0; i < n; i++) sched_yield();
    uint64_t parent_end = tsc();
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) die("yield child");
    uint64_t end = *child_end > parent_end ? *child_end : parent_end;
    munmap((void*)child_end, PAGE);
    close(go[0]), close(go[1]);
    unpin();
    return (end - t0) / 2;
}

/* One byte back and forth between two processes: per round trip. */
static uint64_t pipe_round_trip(long n) {
    int ab[2], ba[2];
    if (pipe(ab) != 0 || pipe(ba) != 0) die("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        for (long i = 0; i < n; i++)
            if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1) _exit(1);
        _exit(0);
    }
    char c = 'x';
    uint64_t t0 = tsc();
    for (long i = 0; i < n; i++)
        if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1) die("pipe round trip");
    uint64_t t = tsc() - t0;
    waitpid(pid, NULL, 0);
    close(ab[0]), close(ab[1]), close(ba[0]), close(ba[1]);
    return t;
}

/* ---- threads ---- */

static long rounds;
static void (*partner_loop)(int me);

static void* partner(void* arg) {
    (void)arg;
    pin(1);
    partner_loop(1);
    return NULL;
}

/* Runs loop(0) on CPU 0 and loop(1) in a thread on CPU 1, n rounds each:
 * the ticks until both are done, per half round (one wake of the other). */
static uint64_t on_two_cpus(void (*loop)(int me), long n) {
    pthread_t t;
    rounds = n;
    partner_loop = loop;
    pin(0);
    if (pthread_create(&t, NULL, partner, NULL) != 0) die("pthread_create");
    uint64_t t0 = tsc();
    loop(0);
    pthread_join(t, NULL);
    uint64_t ticks = tsc() - t0;
    unpin();
    return ticks / 2;
}

static volatile int futex_word;

static long futex(volatile int* addr, int op, int val) {
    return syscall(SYS_futex, addr, op | 128 /* FUTEX_PRIVATE_FLAG */, val, NULL, NULL, 0);
}

/* CPU 0 stores 1 and wakes, CPU 1 waits for 1, stores 0 and wakes. */
static void futex_loop(int me) {
    int mine = me == 0 ? 0 : 1, theirs = !mine;
    for (long i = 0; i < rounds; i++) {
        if (me == 0) {
            __atomic_store_n(&futex_word, 1, __ATOMIC_RELEASE);
            futex(&futex_word, 1 /* WAKE */, 1);
        }
        while (__atomic_load_n(&futex_word, __ATOMIC_ACQUIRE) != mine) futex(&futex_word, 0 /* WAIT */, theirs);
        if (me == 1) {
            __atomic_store_n(&futex_word, 0, __ATOMIC_RELEASE);
            futex(&futex_word, 1 /* WAKE */, 1);
        }
    }
}

/* A thread on CPU 0 and one on CPU 1 wake each other through a futex: per
 * wake (half a round trip). */
static uint64_t futex_cross_cpu(long n) {
    futex_word = 0;
    return on_two_cpus(futex_loop, n);
}

static pthread_mutex_t baton = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed[2] = {PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER};
static int turn;

static void handoff_loop(int me) {
    for (long i = 0; i < rounds; i++) {
        pthread_mutex_lock(&baton);
        while (turn != me) pthread_cond_wait(&turn_changed[me], &baton);
        turn = !me;
        pthread_cond_signal(&turn_changed[!me]);
        pthread_mutex_unlock(&baton);
    }
}

/* Two threads on two CPUs pass a pthread mutex back and forth in strict
 * turns (each waits on its condition variable until it is its turn, so every
 * pass wakes the other CPU and the mutex is contended): per hand-off. */
static uint64_t mutex_handoff(long n) {
    turn = 0;
    return on_two_cpus(handoff_loop, n);
}

/* ---- files (in a tmpfs directory) ---- */

static char file_path[512], big_path[512], many_path[512];
static char* big_buffer;

static void make_files(void) {
    snprintf(file_path, sizeof file_path, "%s/ubench-file", dir);
    snprintf(big_path, sizeof big_path, "%s/ubench-1mib", dir);
    snprintf(many_path, sizeof many_path, "%s/ubench-dir", dir);
    int fd = open(file_path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "x", 1) != 1) die(file_path);
    close(fd);
    big_buffer = malloc(1 << 20);
    memset(big_buffer, 7, 1 << 20);
    fd = open(big_path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0 || write(fd, big_buffer, 1 << 20) != 1 << 20) die(big_path);
    close(fd);
    if (mkdir(many_path, 0755) != 0 && errno != EEXIST) die(many_path);
    for (int i = 0; i < 1000; i++) {
        char name[600];
        snprintf(name, sizeof name, "%s/entry-%04d", many_path, i);
        fd = open(name, O_CREAT | O_WRONLY, 0644);
        if (fd < 0) die(name);
        close(fd);
    }
}

static void remove_files(void) {
    for (int i = 0; i < 1000; i++) {
        char name[600];
        snprintf(name, sizeof name, "%s/entry-%04d", many_path, i);
        unlink(name);
    }
    rmdir(many_path);
    unlink(file_path);
    unlink(big_path);
    free(big_buffer);
}

static uint64_t open_close(long n) {
    uint64_t t0 = tsc();
    for (long i = 0; i < n; i++) {
        int fd = open(file_path, O_RDONLY);
        if (fd < 0) die("open");
        close(fd);
    }
    return tsc() - t0;
}

static uint64_t stat_file(long n) {
    struct stat st;
    uint64_t t0 = tsc();
    for (long i = 0; i < n; i++)
        if (stat(file_path, &st) != 0) die("stat");
    return tsc() - t0;
}

static uint64_t read_1mib(long n) {
    int fd = open(big_path, O_RDONLY);
    if (fd < 0) die("open");
    uint64_t t0 = tsc();
    for (long i = 0; i < n; i++)
        if (pread(fd, big_buffer, 1 << 20, 0) != 1 << 20) die("pread");
    uint64_t t = tsc() - t0;
    close(fd);
    return t;
}

/* open, getdents64 until the end, close: per listing of 1000 entries. */
static uint64_t getdents_1000(long n) {
    static char buf[32768];
    uint64_t t0 = tsc();
    for (long i = 0; i < n; i++) {
        int fd = open(many_path, O_RDONLY | O_DIRECTORY);
        if (fd < 0) die("open dir");
        long got, entries = 0;
        while ((got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
            for (long off = 0; off < got; entries++) off += *(unsigned short*)(buf + off + 16); /* d_reclen */
        close(fd);
        if (entries != 1002) die("getdents64: not 1000 entries plus . and ..");
    }
    return tsc() - t0;
}

int main(int argc, char** argv) {
    if (argc >= 2 && strcmp(argv[1], "--exit") == 0) return 0; /* fork_execve's child */
    if (argc >= 2 && strcmp(argv[1], "--tsc") == 0) {           /* the shell prompt's probe */
        printf("%llu", (unsigned long long)tsc());
        return 0;
    }
    self = "/proc/self/exe";
    char exe[512];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) exe[len] = 0, self = exe;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
        else if (strcmp(argv[i], "--runs") == 0)
            runs = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--only") == 0)
            only = argv[i + 1];
    }
    if (runs < 1 || runs > 64) runs = 5;
    setvbuf(stdout, NULL, _IOLBF, 0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    printf("ubench begin cpus=%ld\n", cpus);

    measure("null_syscall", 10000, null_syscall);
    measure("page_fault", 256, page_fault);
    measure("fork_exit_wait", 40, fork_exit_wait);
    measure("fork_execve", 20, fork_execve);
    measure("mmap_munmap", 1000, mmap_munmap);
    measure("clock_gettime", 10000, clock_vdso);
    measure("signal_round_trip", 1000, signal_round_trip);
    if (cpus >= 2) {
        measure("futex_wake_cross_cpu", 500, futex_cross_cpu);
        measure("mutex_handoff", 500, mutex_handoff);
    } else {
        skipped("futex_wake_cross_cpu", "one_cpu");
        skipped("mutex_handoff", "one_cpu");
    }
    measure("sched_yield", 1000, yield_pingpong);
    measure("pipe_round_trip", 1000, pipe_round_trip);
    /* The files only when a file operation is asked for (a kernel
     * without files still runs the rest). */
    if (wanted("open_close") || wanted("stat") || wanted("read_1mib") || wanted("getdents64_1000")) {
        make_files();
        measure("open_close", 1000, open_close);
        measure("stat", 1000, stat_file);
        measure("read_1mib", 10, read_1mib);
        measure("getdents64_1000", 20, getdents_1000);
        remove_files();
    }
    printf("ubench end status=0\n");
    return 0;
}
