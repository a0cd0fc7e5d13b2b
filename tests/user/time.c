/* Time: clock_gettime on every clock (through the vDSO where libc uses it,
 * and as a real system call), clock_getres, gettimeofday, time, nanosleep
 * and clock_nanosleep, relative and absolute (man 2 clock_gettime,
 * nanosleep, clock_nanosleep, gettimeofday, time; issue 11). Only lower
 * bounds on sleeps: a busy machine may oversleep, never undersleep. */
#include <string.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

#include "common.h"

static const struct {
    clockid_t id;
    const char* name;
} clocks[] = {
    {CLOCK_REALTIME, "REALTIME"},
    {CLOCK_MONOTONIC, "MONOTONIC"},
    {CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID"},
    {CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME_ID"},
    {CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW"},
    {CLOCK_REALTIME_COARSE, "REALTIME_COARSE"},
    {CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE"},
    {CLOCK_BOOTTIME, "BOOTTIME"},
};

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long now(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return ns(t);
}

static int valid(struct timespec t) { return t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000; }

static void every_clock(void) {
    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        struct timespec libc, sys, libc2, res;
        char what[96];
        int a = clock_gettime(clocks[i].id, &libc);
        long b = syscall(SYS_clock_gettime, clocks[i].id, &sys);
        int c = clock_gettime(clocks[i].id, &libc2);
        snprintf(what, sizeof what, "clock_gettime %s: libc (vDSO) and syscall agree in order", clocks[i].name);
        EXPECT_TRUE(what, a == 0 && b == 0 && c == 0 && valid(libc) && valid(sys) && ns(libc) <= ns(sys) &&
                              ns(sys) <= ns(libc2));
        snprintf(what, sizeof what, "clock_getres %s", clocks[i].name);
        EXPECT_OK(what, syscall(SYS_clock_getres, clocks[i].id, &res));
        snprintf(what, sizeof what, "clock_getres %s: 0 < res <= 10 ms", clocks[i].name);
        EXPECT_TRUE(what, valid(res) && ns(res) > 0 && ns(res) <= 10000000);
    }
    struct timespec hires, coarse;
    clock_getres(CLOCK_MONOTONIC, &hires);
    clock_getres(CLOCK_MONOTONIC_COARSE, &coarse);
    EXPECT_TRUE("COARSE resolution >= MONOTONIC resolution", ns(coarse) >= ns(hires));
    long long mono = now(CLOCK_MONOTONIC);
    EXPECT_TRUE("BOOTTIME >= MONOTONIC", now(CLOCK_BOOTTIME) >= mono);
    EXPECT_TRUE("REALTIME is after 2020", now(CLOCK_REALTIME) > 1577836800LL * 1000000000LL);

    struct timespec t;
    EXPECT_ERR("clock_gettime bad clock", syscall(SYS_clock_gettime, 1000, &t), EINVAL);
    EXPECT_ERR("clock_gettime negative bad clock", syscall(SYS_clock_gettime, -1000, &t), EINVAL);
    EXPECT_ERR("clock_gettime kernel pointer", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, KERNEL_PTR), EFAULT);
    EXPECT_ERR("clock_gettime NULL", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL), EFAULT);
    EXPECT_ERR("clock_getres bad clock", syscall(SYS_clock_getres, 1000, &t), EINVAL);
    EXPECT_OK("clock_getres NULL result", syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
    EXPECT_ERR("clock_settime MONOTONIC", syscall(SYS_clock_settime, CLOCK_MONOTONIC, &t), EINVAL);
    /* Setting the clock for real would move the host's: only the refusals,
     * none of which changes anything (the busybox_date_set scenario sets
     * our kernel's clock). */
    EXPECT_ERR("clock_settime bad clock", syscall(SYS_clock_settime, 1000, &t), EINVAL);
    EXPECT_ERR("clock_settime MONOTONIC kernel pointer (EINVAL first)",
               syscall(SYS_clock_settime, CLOCK_MONOTONIC, KERNEL_PTR), EINVAL);
    EXPECT_ERR("clock_settime REALTIME kernel pointer", syscall(SYS_clock_settime, CLOCK_REALTIME, KERNEL_PTR), EFAULT);
    struct timespec bad = {-1, 0};
    EXPECT_ERR("clock_settime REALTIME before 1970", syscall(SYS_clock_settime, CLOCK_REALTIME, &bad), EINVAL);
    bad.tv_sec = 100;
    bad.tv_nsec = 1000000000;
    EXPECT_ERR("clock_settime REALTIME tv_nsec 10^9", syscall(SYS_clock_settime, CLOCK_REALTIME, &bad), EINVAL);
    EXPECT_ERR("clock_settime PROCESS_CPUTIME_ID", syscall(SYS_clock_settime, CLOCK_PROCESS_CPUTIME_ID, &t), EINVAL);
    EXPECT_ERR("clock_settime THREAD_CPUTIME_ID kernel pointer",
               syscall(SYS_clock_settime, CLOCK_THREAD_CPUTIME_ID, KERNEL_PTR), EINVAL);
    struct timeval tv_bad = {100, 1000000};
    EXPECT_ERR("settimeofday tv_usec 10^6", syscall(SYS_settimeofday, &tv_bad, NULL), EINVAL);
    tv_bad.tv_sec = -1;
    tv_bad.tv_usec = 0;
    EXPECT_ERR("settimeofday before 1970", syscall(SYS_settimeofday, &tv_bad, NULL), EINVAL);
    EXPECT_ERR("settimeofday kernel pointer", syscall(SYS_settimeofday, KERNEL_PTR, NULL), EFAULT);
    EXPECT_ERR("settimeofday zone kernel pointer", syscall(SYS_settimeofday, NULL, KERNEL_PTR), EFAULT);
    if (geteuid() == 0) {
        struct timezone far_zone = {16 * 60, 0};
        EXPECT_ERR("settimeofday zone 16 hours west", syscall(SYS_settimeofday, NULL, &far_zone), EINVAL);
    }

    /* CPU time moves while we compute. */
    long long before = now(CLOCK_PROCESS_CPUTIME_ID), thread_before = now(CLOCK_THREAD_CPUTIME_ID);
    volatile unsigned long spin = 0;
    for (long i = 0; i < 20000000; i++) spin += i;
    EXPECT_TRUE("PROCESS_CPUTIME advances under load", now(CLOCK_PROCESS_CPUTIME_ID) > before);
    EXPECT_TRUE("THREAD_CPUTIME advances under load", now(CLOCK_THREAD_CPUTIME_ID) > thread_before);
}

static void wall_clocks(void) {
    struct timeval tv;
    EXPECT_OK("gettimeofday", gettimeofday(&tv, NULL));
    long long real = now(CLOCK_REALTIME);
    long long tod = tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
    EXPECT_TRUE("gettimeofday: 0 <= usec < 1e6", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    EXPECT_TRUE("gettimeofday within 1 s before REALTIME", tod <= real && real - tod < 1000000000LL);
    struct timeval sys_tv;
    EXPECT_OK("gettimeofday syscall", syscall(SYS_gettimeofday, &sys_tv, NULL));
    EXPECT_ERR("gettimeofday kernel pointer", syscall(SYS_gettimeofday, KERNEL_PTR, NULL), EFAULT);
    time_t t1 = time(NULL), t2 = 0;
    long t3 = syscall(SYS_time, &t2);
    /* Linux's time(2) reads the tick-granular (coarse) clock, while a libc
     * time() may read the fine one (musl: clock_gettime): just after a
     * second begins the syscall can still say the previous second. */
    EXPECT_TRUE("time() and the time syscall agree within 1 s", t3 == t2 && t3 - t1 >= -1 && t3 - t1 <= 1);
    EXPECT_TRUE("time within 1 s of REALTIME", now(CLOCK_REALTIME) / 1000000000LL - t1 <= 1);
    EXPECT_ERR("time kernel pointer", syscall(SYS_time, KERNEL_PTR), EFAULT);

    struct tms tms;
    EXPECT_TRUE("times() returns a tick count", times(&tms) != (clock_t)-1);
    EXPECT_TRUE("sysconf(_SC_CLK_TCK) is USER_HZ 100", sysconf(_SC_CLK_TCK) == 100);
    EXPECT_ERR("times kernel pointer", syscall(SYS_times, KERNEL_PTR), EFAULT);
}

static void sleeps(void) {
    struct timespec ten_ms = {0, 10000000}, rem = {9, 9};
    long long start = now(CLOCK_MONOTONIC);
    EXPECT_OK("nanosleep 10 ms", nanosleep(&ten_ms, &rem));
    EXPECT_TRUE("nanosleep slept >= 10 ms", now(CLOCK_MONOTONIC) - start >= 10000000);

    struct timespec bad = {0, 1000000000};
    EXPECT_ERR("nanosleep tv_nsec=1e9", syscall(SYS_nanosleep, &bad, NULL), EINVAL);
    struct timespec negative = {-1, 0};
    EXPECT_ERR("nanosleep tv_sec=-1", syscall(SYS_nanosleep, &negative, NULL), EINVAL);
    EXPECT_ERR("nanosleep NULL", syscall(SYS_nanosleep, NULL, NULL), EFAULT);
    EXPECT_ERR("nanosleep kernel pointer", syscall(SYS_nanosleep, KERNEL_PTR, NULL), EFAULT);
    struct timespec zero = {0, 0};
    EXPECT_OK("nanosleep 0", syscall(SYS_nanosleep, &zero, NULL));

    start = now(CLOCK_MONOTONIC);
    EXPECT_OK("clock_nanosleep MONOTONIC relative 10 ms",
              syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ten_ms, NULL));
    EXPECT_TRUE("relative sleep >= 10 ms", now(CLOCK_MONOTONIC) - start >= 10000000);

    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += 20000000;
    if (deadline.tv_nsec >= 1000000000) deadline.tv_sec++, deadline.tv_nsec -= 1000000000;
    EXPECT_OK("clock_nanosleep MONOTONIC absolute +20 ms",
              syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL));
    EXPECT_TRUE("woke at or after the deadline", now(CLOCK_MONOTONIC) >= ns(deadline));
    struct timespec past = {1, 0};
    start = now(CLOCK_MONOTONIC);
    EXPECT_OK("clock_nanosleep absolute in the past",
              syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
    struct timespec real_deadline;
    clock_gettime(CLOCK_REALTIME, &real_deadline);
    EXPECT_OK("clock_nanosleep REALTIME absolute now",
              syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &real_deadline, NULL));
    EXPECT_OK("clock_nanosleep BOOTTIME relative 1 ms",
              syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &(struct timespec){0, 1000000}, NULL));
    EXPECT_ERR("clock_nanosleep bad clock", syscall(SYS_clock_nanosleep, 1000, 0, &ten_ms, NULL), EINVAL);
    EXPECT_ERR("clock_nanosleep tv_nsec=1e9", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL),
               EINVAL);
    EXPECT_ERR("clock_nanosleep unmapped", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, unmapped_ptr(), NULL),
               EFAULT);
}

int main(void) {
    every_clock();
    wall_clocks();
    sleeps();
    return finish("time");
}
