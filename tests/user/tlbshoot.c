/* TLB shootdown as threads see it: while one thread keeps reading a page,
 * another takes it away. From the moment munmap(2) or mprotect(2) to
 * PROT_NONE has returned, the reader's next read must fault (SIGSEGV with
 * SEGV_MAPERR or SEGV_ACCERR and the page's address), and from the moment
 * madvise(MADV_DONTNEED) has returned it must read zeros: never what the
 * page held, which a stale translation on the reader's CPU would still show
 * (the frame may already be someone else's). The two threads are pinned to
 * two different CPUs when there are two, so the reader's CPU holds the
 * translation in its TLB while the other CPU changes the mapping (man 2
 * munmap, mprotect, madvise; sched_setaffinity). cxxkernel accepts the
 * affinity but does not honour it yet: there the balancer spreads the two
 * spinning threads (without the shootdown the reader spun on for ever).
 *
 * Each case runs ROUNDS times with a fresh page and a fresh reader thread;
 * the lines printed are the same on every correct kernel. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common.h"

#define ROUNDS 20
#define PAGE 4096
#define MAGIC 0x5555aaaa5555aaaaULL
/* Enough reads that the reader's TLB holds the page before it is taken. */
#define WARM_READS 1000
/* A reader that never faults gives up here (the check then fails). */
#define GIVE_UP_READS (1UL << 30)

enum kind { UNMAP, PROTECT_NONE, DONTNEED };

struct round {
    volatile uint64_t* page;
    enum kind kind;
    int reader_cpu;          /* -1: no pinning (one CPU) */
    volatile int taken;      /* set once the call that takes the page returned */
    volatile unsigned long reads;
    unsigned long reads_after;   /* reads that succeeded after `taken` was seen (UNMAP, PROTECT_NONE) */
    unsigned long stale_after;   /* MAGIC read after `taken` was seen (DONTNEED) */
    unsigned long wrong_before;  /* anything but MAGIC before */
    int faulted, fault_code;
    void* fault_addr;
};

static struct round current;
static __thread sigjmp_buf reader_jump;
static __thread int in_reader;

static void on_segv(int sig, siginfo_t* info, void* context) {
    (void)sig;
    (void)context;
    if (!in_reader) abort();
    current.faulted = 1;
    current.fault_code = info->si_code;
    current.fault_addr = info->si_addr;
    siglongjmp(reader_jump, 1);
}

static int pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

static void* reader(void* unused) {
    (void)unused;
    struct round* r = &current;
    if (r->reader_cpu >= 0) pin(r->reader_cpu);
    in_reader = 1;
    if (sigsetjmp(reader_jump, 1)) return NULL;
    for (;;) {
        int after = __atomic_load_n(&r->taken, __ATOMIC_ACQUIRE);
        uint64_t value = *r->page;
        __atomic_store_n(&r->reads, r->reads + 1, __ATOMIC_RELEASE);
        if (after) {
            if (r->kind == DONTNEED) {
                if (value != 0) r->stale_after++;
                return NULL;  /* one read after the call is the check */
            }
            r->reads_after++;
        } else if (value != MAGIC && !(r->kind == DONTNEED && value == 0)) {
            /* (madvise may have returned between the flag and the read) */
            r->wrong_before++;
        }
        if (r->reads > GIVE_UP_READS) return NULL;
    }
}

/* "<case>: <what>: yes", checked to be yes. */
static void expect_yes(const char* name, const char* what, int cond) {
    say("%s: %s: %s", name, what, cond ? "yes" : "no");
    CHECK(cond);
}

/* One case: ROUNDS rounds, then its lines. */
static void run(enum kind kind, const char* name, int reader_cpu) {
    int faulted = 0, codes_ok = 0, addresses_ok = 0;
    unsigned long reads_after = 0, stale_after = 0, wrong_before = 0;
    int expected_code = kind == UNMAP ? SEGV_MAPERR : SEGV_ACCERR;
    for (int i = 0; i < ROUNDS; i++) {
        void* page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(page != MAP_FAILED);
        if (page == MAP_FAILED) return;
        *(volatile uint64_t*)page = MAGIC;
        memset(&current, 0, sizeof current);
        current.page = page;
        current.kind = kind;
        current.reader_cpu = reader_cpu;
        pthread_t thread;
        CHECK(pthread_create(&thread, NULL, reader, NULL) == 0);
        while (__atomic_load_n(&current.reads, __ATOMIC_ACQUIRE) < WARM_READS) sched_yield();
        long ret;
        if (kind == UNMAP)
            ret = munmap(page, PAGE);
        else if (kind == PROTECT_NONE)
            ret = mprotect(page, PAGE, PROT_NONE);
        else
            ret = madvise(page, PAGE, MADV_DONTNEED);
        CHECK(ret == 0);
        __atomic_store_n(&current.taken, 1, __ATOMIC_RELEASE);
        pthread_join(thread, NULL);
        if (kind != UNMAP) CHECK(munmap(page, PAGE) == 0);
        faulted += current.faulted;
        codes_ok += current.faulted && current.fault_code == expected_code;
        addresses_ok += current.faulted && current.fault_addr == page;
        reads_after += current.reads_after;
        stale_after += current.stale_after;
        wrong_before += current.wrong_before;
    }
    if (kind == DONTNEED) {
        expect_yes(name, "no reader saw the old contents after the call returned", stale_after == 0);
        expect_yes(name, "no reader faulted", faulted == 0);
    } else {
        expect_yes(name, "the reader faulted in every round", faulted == ROUNDS);
        expect_yes(name, kind == UNMAP ? "si_code SEGV_MAPERR every time" : "si_code SEGV_ACCERR every time",
                     codes_ok == ROUNDS);
        expect_yes(name, "si_addr the page every time", addresses_ok == ROUNDS);
        expect_yes(name, "no read succeeded after the call returned", reads_after == 0);
    }
    expect_yes(name, "reads before the call saw the page's contents", wrong_before == 0);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_segv;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    CHECK(sigaction(SIGSEGV, &action, NULL) == 0);

    /* This thread on the first CPU we may use, readers on the second. */
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    CHECK(sched_getaffinity(0, sizeof allowed, &allowed) == 0);
    int first = -1, second = -1;
    for (int cpu = 0; cpu < CPU_SETSIZE && second < 0; cpu++) {
        if (!CPU_ISSET(cpu, &allowed)) continue;
        if (first < 0)
            first = cpu;
        else
            second = cpu;
    }
    CHECK(second < 0 || pin(first) == 0);  /* one check whatever the CPU count */

    run(UNMAP, "munmap", second);
    run(PROTECT_NONE, "mprotect PROT_NONE", second);
    run(DONTNEED, "madvise MADV_DONTNEED", second);
    return finish("tlbshoot");
}
