/* Futexes between processes (man 2 futex: "the futex word ... may be in
 * memory shared by processes, mmap(2) with MAP_SHARED"; issue 12). A word
 * of a shared mapping without FUTEX_PRIVATE is named by the memory behind
 * it, not by the address space: a FUTEX_WAKE in one process wakes a
 * FUTEX_WAIT in another, also at another address of the same memory;
 * FUTEX_PRIVATE keys stay per process. futex.c and threads.c have the
 * rest of futex(2). */
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "common.h"

/* include/uapi/linux/futex.h */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_PRIVATE 128
#define FUTEX_OP_ADD 1
#define FUTEX_OP_CMP_EQ 0

static long futex(volatile uint32_t* word, int op, uint32_t val, unsigned long val2, volatile uint32_t* word2,
                  uint32_t val3) {
    return syscall(SYS_futex, word, op, val, val2, word2, val3);
}

/* Moves the one waiter of `from` (value 0) to `to` without waking it,
 * once it waits: CMP_REQUEUE answers 1 then. A generous bound, so a
 * kernel where the keys never meet ends the test instead of hanging. */
static int requeue_when_waiting(volatile uint32_t* from, volatile uint32_t* to, int op_flags) {
    for (int i = 0; i < 30000; ++i) {
        long moved = futex(from, FUTEX_CMP_REQUEUE | op_flags, 0, 1, to, 0);
        if (moved == 1) return 1;
        struct timespec ms = {0, 1000 * 1000};
        nanosleep(&ms, NULL);
    }
    return 0;
}

/* The child waits (no FUTEX_PRIVATE) on word a of a MAP_SHARED|MAP_ANONYMOUS
 * page inherited by fork; it exits 0 when its wait returned 0 (woken). */
static void across_fork(void) {
    volatile uint32_t* page =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile uint32_t* a = &page[0];
    volatile uint32_t* b = &page[16];
    pid_t child = fork();
    if (child == 0) {
        long r = futex(a, FUTEX_WAIT, 0, 0, NULL, 0);
        _exit(r == 0 ? 0 : 1);
    }
    int waiting = requeue_when_waiting(a, b, 0);
    EXPECT_TRUE("the parent's CMP_REQUEUE finds the child's waiter (shared anonymous page)", waiting);
    say("FUTEX_WAKE|FUTEX_PRIVATE of the word it waits on: %ld woken", futex(b, FUTEX_WAKE | FUTEX_PRIVATE, 1, 0, NULL, 0));
    say("FUTEX_WAKE of the word it left: %ld woken", futex(a, FUTEX_WAKE, 1, 0, NULL, 0));
    long woken = futex(b, FUTEX_WAKE, 1, 0, NULL, 0);
    say("FUTEX_WAKE in the parent: %ld woken", woken);
    if (!waiting || woken != 1) {
        kill(child, SIGKILL);
        CHECK(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE("the child's FUTEX_WAIT returned 0", WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* And the other way round, with FUTEX_WAKE_OP: the child wakes the parent. */
    *a = 0;
    child = fork();
    if (child == 0) {
        for (int i = 0; i < 30000; ++i) {
            /* *b += 1; wake one on a; and one on b if the old *b was 0. */
            long r = futex(a, FUTEX_WAKE_OP, 1, 1, b, (FUTEX_OP_ADD << 28) | (FUTEX_OP_CMP_EQ << 24) | (1 << 12));
            if (r >= 1) _exit(0);
            struct timespec ms = {0, 1000 * 1000};
            nanosleep(&ms, NULL);
        }
        _exit(1);
    }
    long r = futex(a, FUTEX_WAIT, 0, 0, NULL, 0);
    say("the parent's FUTEX_WAIT woken by the child's FUTEX_WAKE_OP: %s", r == 0 ? "yes" : errno_name(errno));
    CHECK(r == 0);
    waitpid(child, &status, 0);
    EXPECT_TRUE("the child saw its wake reach a waiter", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    munmap((void*)page, 4096);
}

/* FUTEX_PRIVATE on a shared page: the parent's private wake does not
 * reach the child's private waiter (each process has its own key), and a
 * shared wake does not either (other key kind); the child's wait times
 * out. */
static void private_stays_private(void) {
    volatile uint32_t* page =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile uint32_t* ready = &page[32];
    pid_t child = fork();
    if (child == 0) {
        __atomic_store_n(ready, 1, __ATOMIC_SEQ_CST);
        struct timespec half = {0, 500 * 1000 * 1000};
        long r = futex(&page[0], FUTEX_WAIT | FUTEX_PRIVATE, 0, (unsigned long)&half, NULL, 0);
        _exit(r == -1 && errno == ETIMEDOUT ? 0 : 1);
    }
    while (!__atomic_load_n(ready, __ATOMIC_SEQ_CST)) sched_yield();
    /* Wakes all through the child's wait, until it has ended. */
    long woken = 0;
    int status = 0;
    while (waitpid(child, &status, WNOHANG) == 0) {
        woken += futex(&page[0], FUTEX_WAKE | FUTEX_PRIVATE, 1, 0, NULL, 0);
        woken += futex(&page[0], FUTEX_WAKE, 1, 0, NULL, 0);
        struct timespec ms = {0, 5 * 1000 * 1000};
        nanosleep(&ms, NULL);
    }
    say("the parent's wakes of the child's FUTEX_PRIVATE waiter: %ld woken", woken);
    CHECK(woken == 0);
    EXPECT_TRUE("the child's FUTEX_WAIT|FUTEX_PRIVATE timed out", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    munmap((void*)page, 4096);
}

/* One object at two addresses: the child moves the second page of a
 * shared anonymous mapping elsewhere (mremap), so its word at object
 * offset 4104 is new + 8 there and page + 4104 in the parent. The child
 * waits through its address, the parent finds and wakes it through its own. */
static void one_object_two_addresses(void) {
    char* page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile uint32_t* moved_to = (volatile uint32_t*)(page + 64);
    volatile uint32_t* ready = (volatile uint32_t*)(page + 128);
    pid_t child = fork();
    if (child == 0) {
        void* elsewhere = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        char* second = mremap(page + 4096, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, elsewhere);
        if (second == MAP_FAILED || second == page + 4096) _exit(2);
        __atomic_store_n(ready, 1, __ATOMIC_SEQ_CST);
        long r = futex((volatile uint32_t*)(second + 8), FUTEX_WAIT, 0, 0, NULL, 0);
        _exit(r == 0 ? 0 : 1);
    }
    while (!__atomic_load_n(ready, __ATOMIC_SEQ_CST)) {
        int status;
        if (waitpid(child, &status, WNOHANG) == child) break; /* mremap failed: reported below */
        sched_yield();
    }
    int waiting = __atomic_load_n(ready, __ATOMIC_SEQ_CST) &&
                  requeue_when_waiting((volatile uint32_t*)(page + 4096 + 8), moved_to, 0);
    EXPECT_TRUE("CMP_REQUEUE at one address finds the waiter at another (mremap'd page)", waiting);
    long woken = futex(moved_to, FUTEX_WAKE, 1, 0, NULL, 0);
    say("FUTEX_WAKE of the word it was moved to: %ld woken", woken);
    if (!waiting || woken != 1) kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE("the child's FUTEX_WAIT returned 0", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    munmap(page, 8192);
}

/* Without FUTEX_PRIVATE, an address with no readable mapping is EFAULT
 * even for FUTEX_WAKE (it must be looked up); with it, a wake needs no
 * lookup and finds nobody. */
static void lookups(void) {
    EXPECT_ERR("FUTEX_WAKE of an unmapped word", futex(unmapped_ptr(), FUTEX_WAKE, 1, 0, NULL, 0), EFAULT);
    EXPECT_OK("FUTEX_WAKE|FUTEX_PRIVATE of an unmapped word", futex(unmapped_ptr(), FUTEX_WAKE | FUTEX_PRIVATE, 1, 0, NULL, 0));
    void* none = mmap(NULL, 4096, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    EXPECT_ERR("FUTEX_WAKE in a PROT_NONE shared mapping", futex(none, FUTEX_WAKE, 1, 0, NULL, 0), EFAULT);
    munmap(none, 4096);
}

int main(void) {
    across_fork();
    private_stays_private();
    one_object_two_addresses();
    lookups();
    return finish("sharedfutex");
}
