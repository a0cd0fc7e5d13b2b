/* The vDSO (vdso(7)): clock_gettime, gettimeofday, time and getcpu without
 * entering the kernel, built by gcc as a small shared object
 * (cmake/vdso.cmake) whose image the kernel maps into every program
 * (AT_SYSINFO_EHDR), with its data page (vdso_data.h) one page below.
 * glibc and musl look the functions up by name and version LINUX_2.6.
 *
 * Time is the kernel's own formula (kernel/time: ktime::now_ns): the TSC
 * since zero_tsc, times ns_per_tick in 32.32 fixed point. What the data
 * page cannot answer (another clock, CPUs whose TSCs are not in step) is a
 * real system call. */
#include <stdint.h>

#include "kernel/vdso/vdso_data.h"

struct kernel_timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};
struct kernel_timeval {
    int64_t tv_sec;
    int64_t tv_usec;
};

/* The data page: one page below this image's ELF header (the linker's
 * __ehdr_start, found RIP-relative: no relocation). */
static const volatile struct vdso_data* data(void) {
    uintptr_t base;
    __asm__("lea __ehdr_start(%%rip), %0" : "=r"(base));
    return (const volatile struct vdso_data*)(base - 4096);
}

static long syscall2(long number, long a, long b) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "0"(number), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return ret;
}
static long syscall3(long number, long a, long b, long c) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "0"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}

#define NR_gettimeofday 96
#define NR_time 201
#define NR_clock_gettime 228
#define NR_clock_getres 229
#define NR_getcpu 309

static uint64_t monotonic_ns(const volatile struct vdso_data* d) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t ticks = (((uint64_t)hi << 32) | lo) - d->zero_tsc;
    return (uint64_t)(((unsigned __int128)ticks * d->ns_per_tick) >> 32);
}

static int usable(const volatile struct vdso_data* d) {
    return d->version == VDSO_DATA_VERSION && !d->use_syscall;
}

/* The clock's time in ns, or -1 when the kernel must answer. */
static int64_t clock_ns(const volatile struct vdso_data* d, int clock) {
    switch (clock) {
        case 0:  /* CLOCK_REALTIME */
            return (int64_t)monotonic_ns(d) + d->realtime_offset;
        case 1:  /* CLOCK_MONOTONIC */
        case 4:  /* CLOCK_MONOTONIC_RAW */
        case 7:  /* CLOCK_BOOTTIME */
            return (int64_t)monotonic_ns(d);
        case 5: { /* CLOCK_REALTIME_COARSE */
            int64_t ns = (int64_t)monotonic_ns(d) + d->realtime_offset;
            return ns - ns % (int64_t)d->coarse_ns;
        }
        case 6: { /* CLOCK_MONOTONIC_COARSE */
            int64_t ns = (int64_t)monotonic_ns(d);
            return ns - ns % (int64_t)d->coarse_ns;
        }
        default:
            return -1;
    }
}

__attribute__((visibility("default"))) int __vdso_clock_gettime(int clock, struct kernel_timespec* ts) {
    const volatile struct vdso_data* d = data();
    int64_t ns = usable(d) ? clock_ns(d, clock) : -1;
    if (ns < 0) return (int)syscall2(NR_clock_gettime, clock, (long)ts);
    ts->tv_sec = ns / 1000000000;
    ts->tv_nsec = ns % 1000000000;
    return 0;
}

__attribute__((visibility("default"))) int __vdso_gettimeofday(struct kernel_timeval* tv, void* tz) {
    const volatile struct vdso_data* d = data();
    if (!usable(d)) return (int)syscall2(NR_gettimeofday, (long)tv, (long)tz);
    if (tv) {
        int64_t ns = clock_ns(d, 0);
        tv->tv_sec = ns / 1000000000;
        tv->tv_usec = ns % 1000000000 / 1000;
    }
    if (tz) {
        ((int32_t*)tz)[0] = 0;
        ((int32_t*)tz)[1] = 0;
    }
    return 0;
}

__attribute__((visibility("default"))) long __vdso_time(long* t) {
    const volatile struct vdso_data* d = data();
    if (!usable(d)) return syscall2(NR_time, (long)t, 0);
    long seconds = (long)(clock_ns(d, 0) / 1000000000);
    if (t) *t = seconds;
    return seconds;
}

__attribute__((visibility("default"))) int __vdso_clock_getres(int clock, struct kernel_timespec* res) {
    return (int)syscall2(NR_clock_getres, clock, (long)res);
}

/* getcpu(2) without entering the kernel, as Linux's vDSO does: RDTSCP's
 * ECX is IA32_TSC_AUX, which the kernel sets to (node << 12) | cpu on each
 * CPU (kernel/syscall/entry.cpp). The answer may be stale by the time the
 * caller looks, as the system call's may. */
__attribute__((visibility("default"))) long __vdso_getcpu(unsigned* cpu, unsigned* node, void* cache) {
    const volatile struct vdso_data* d = data();
    if (d->version != VDSO_DATA_VERSION || !d->getcpu_rdtscp)
        return syscall3(NR_getcpu, (long)cpu, (long)node, (long)cache);
    unsigned lo, hi, aux;
    __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
    (void)lo;
    (void)hi;
    if (cpu) *cpu = aux & 0xfff;
    if (node) *node = aux >> 12;
    return 0;
}

/* The names without the prefix, as Linux's vDSO has them too. */
int clock_gettime(int, struct kernel_timespec*) __attribute__((weak, alias("__vdso_clock_gettime"), visibility("default")));
int gettimeofday(struct kernel_timeval*, void*) __attribute__((weak, alias("__vdso_gettimeofday"), visibility("default")));
long time(long*) __attribute__((weak, alias("__vdso_time"), visibility("default")));
long getcpu(unsigned*, unsigned*, void*) __attribute__((weak, alias("__vdso_getcpu"), visibility("default")));
int clock_getres(int, struct kernel_timespec*) __attribute__((weak, alias("__vdso_clock_getres"), visibility("default")));
