/* futex(2) within one process and at a process's death, without threads
 * (threads.c has the waits that other threads end): EAGAIN, timeouts,
 * wakes with nobody waiting, FUTEX_WAKE_OP's arithmetic, CMP_REQUEUE's
 * check, a signal ending a wait, the errno of bad arguments, and what a
 * dying process leaves in shared memory: its robust futexes marked
 * FUTEX_OWNER_DIED, its clear-child-tid word left alone (futex(2),
 * set_robust_list(2), set_tid_address(2); issue 12). */
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "common.h"

/* linux/futex.h's values (musl's headers do not carry the kernel's). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_OP_PRIVATE (FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY 0xffffffff
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP(op, oparg, cmp, cmparg) \
    ((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))
#define FUTEX_WAITERS 0x80000000
#define FUTEX_OWNER_DIED 0x40000000
#define FUTEX_TID_MASK 0x3fffffff
struct robust_list {
    struct robust_list* next;
};
struct robust_list_head {
    struct robust_list list;
    long futex_offset;
    struct robust_list* list_op_pending;
};

static long futex(void* addr, int op, int val, const void* timeout_or_val2, void* addr2, int val3) {
    return syscall(SYS_futex, addr, op, val, timeout_or_val2, addr2, val3);
}

static int word, word2;

static void basics(void) {
    struct timespec ten_ms = {0, 10000000};
    word = 1;
    EXPECT_ERR("FUTEX_WAIT on a changed word", futex(&word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0), EAGAIN);
    EXPECT_ERR("FUTEX_WAIT 10 ms", futex(&word, FUTEX_WAIT_PRIVATE, 1, &ten_ms, NULL, 0), ETIMEDOUT);
    struct timespec past = {0, 0};
    EXPECT_ERR("FUTEX_WAIT_BITSET absolute deadline in the past",
               futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, &past, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    now.tv_nsec += 5000000;
    if (now.tv_nsec >= 1000000000) now.tv_sec++, now.tv_nsec -= 1000000000;
    EXPECT_ERR("FUTEX_WAIT_BITSET|CLOCK_REALTIME 5 ms ahead",
               futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &now, NULL, FUTEX_BITSET_MATCH_ANY),
               ETIMEDOUT);
    long woken = futex(&word, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0);
    say("FUTEX_WAKE with nobody waiting: %ld", woken);
    CHECK(woken == 0);

    /* WAKE_OP: word2 += 3 (old value 4 > 2 would wake on word2 too). */
    word2 = 4;
    woken = futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void*)1, &word2, FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_GT, 2));
    say("FUTEX_WAKE_OP ADD 3: returned %ld, second word %d", woken, word2);
    CHECK(woken == 0 && word2 == 7);
    futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void*)1, &word2,
          FUTEX_OP(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_EQ, 0));
    say("FUTEX_WAKE_OP SET 1<<4: second word %d", word2);
    CHECK(word2 == 16);
    EXPECT_ERR("FUTEX_WAKE_OP unknown op", futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void*)1, &word2, 7 << 28), ENOSYS);
    EXPECT_ERR("FUTEX_CMP_REQUEUE on a changed word",
               futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void*)1, &word2, 99), EAGAIN);
    woken = futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void*)1, &word2, 1);
    say("FUTEX_CMP_REQUEUE with nobody waiting: %ld", woken);
    CHECK(woken == 0);
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) {
    (void)sig;
    alarms++;
}

static void interrupted(void) {
    struct sigaction sa = {.sa_handler = on_alarm};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval shot = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &shot, NULL);
    word = 0;
    EXPECT_ERR("untimed FUTEX_WAIT ended by a handler without SA_RESTART",
               futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EINTR);
    struct timespec five_s = {5, 0};
    setitimer(ITIMER_REAL, &shot, NULL);
    EXPECT_ERR("timed FUTEX_WAIT ended by a handler", futex(&word, FUTEX_WAIT_PRIVATE, 0, &five_s, NULL, 0), EINTR);
    EXPECT_TRUE("two SIGALRM handled", alarms == 2);
    signal(SIGALRM, SIG_DFL);
}

static void bad_arguments(void) {
    struct timespec bad = {0, 1000000000};
    EXPECT_ERR("FUTEX_WAIT tv_nsec=1e9", futex(&word, FUTEX_WAIT, 0, &bad, NULL, 0), EINVAL);
    EXPECT_ERR("FUTEX_WAIT timeout=kernel", futex(&word, FUTEX_WAIT, 0, KERNEL_PTR, NULL, 0), EFAULT);
    EXPECT_ERR("FUTEX_WAIT misaligned", futex((char*)&word + 1, FUTEX_WAIT, 0, NULL, NULL, 0), EINVAL);
    EXPECT_ERR("FUTEX_WAIT unmapped", futex(unmapped_ptr(), FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
    EXPECT_ERR("FUTEX_WAKE kernel address", futex(KERNEL_PTR, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
    EXPECT_ERR("FUTEX_WAIT_BITSET bitset 0", futex(&word, FUTEX_WAIT_BITSET, 0, NULL, NULL, 0), EINVAL);
    EXPECT_ERR("FUTEX_WAKE_OP second word unmapped",
               futex(&word, FUTEX_WAKE_OP, 1, (void*)1, unmapped_ptr(), 0), EFAULT);
    EXPECT_ERR("unknown command 99", futex(&word, 99, 0, NULL, NULL, 0), ENOSYS);
    EXPECT_ERR("FUTEX_CLOCK_REALTIME on FUTEX_WAKE", futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0),
               ENOSYS);
    EXPECT_ERR("set_robust_list length 8", syscall(SYS_set_robust_list, NULL, 8), EINVAL);
    EXPECT_ERR("get_robust_list no such pid", syscall(SYS_get_robust_list, 0x3ffffff0, &(void*){0}, &(size_t){0}),
               ESRCH);
    EXPECT_ERR("get_robust_list length=kernel", syscall(SYS_get_robust_list, 0, &(void*){0}, KERNEL_PTR), EFAULT);
}

/* A robust "mutex": its word, after the list link (futex_offset = 8). */
struct robust_lock {
    struct robust_list link;
    int word;
};

static void death(void) {
    struct robust_list_head head;
    size_t length = 0;
    void* got = NULL;
    CHECK(syscall(SYS_set_robust_list, &head, sizeof head) == 0);
    CHECK(syscall(SYS_get_robust_list, 0, &got, &length) == 0);
    EXPECT_TRUE("get_robust_list: the head set, length 24", got == &head && length == 24);

    char* shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(shared != MAP_FAILED);
    struct robust_lock* lock = (struct robust_lock*)shared;
    int* tid_word = (int*)(shared + 512);
    *tid_word = -1;
    pid_t child = fork();
    if (child == 0) {
        static struct robust_list_head mine;
        pid_t me = (pid_t)syscall(SYS_gettid);
        lock->word = me | FUTEX_WAITERS; /* held by me, with waiters */
        mine.list.next = &lock->link;
        lock->link.next = &mine.list;
        mine.futex_offset = offsetof(struct robust_lock, word) - offsetof(struct robust_lock, link);
        mine.list_op_pending = NULL;
        syscall(SYS_set_robust_list, &mine, sizeof mine);
        *tid_word = me;
        syscall(SYS_set_tid_address, tid_word);
        _exit(0);
    }
    int status;
    CHECK(waitpid(child, &status, 0) == child);
    say("robust futex of a dead owner: OWNER_DIED=%d WAITERS=%d tid=%d", (lock->word & FUTEX_OWNER_DIED) != 0,
        (lock->word & FUTEX_WAITERS) != 0, lock->word & FUTEX_TID_MASK);
    CHECK((lock->word & FUTEX_OWNER_DIED) && (lock->word & FUTEX_WAITERS) && (lock->word & FUTEX_TID_MASK) == 0);
    /* Linux clears it only while other tasks share the memory (mm_release):
     * a single-threaded process leaves it alone. */
    EXPECT_TRUE("clear-child-tid word of a single-threaded process: left alone",
                *tid_word != 0 && *tid_word != -1);
}

int main(void) {
    basics();
    interrupted();
    bad_arguments();
    death();
    return finish("futex");
}
