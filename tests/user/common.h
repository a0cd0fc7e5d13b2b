/* Shared by the user-space test programs (tests/user/README.md).
 *
 * Every program prints one observation per line, "name: value", and only
 * what any correct Linux x86_64 kernel must give: errno names, values fixed
 * by the ABI, and relations ("pid>0: yes") instead of pids, addresses or
 * times. The same binary run on the host Linux and in our kernel must print
 * the same lines (tools/differential.py compares them).
 *
 * Each program also checks what the man pages promise (CHECK, EXPECT_*);
 * a broken promise prints a "FAIL" line and makes the program exit 1.
 *
 * Hostile calls go through syscall(2) directly: libc wrappers may touch the
 * arguments in user space first (glibc's sigaction copies the struct), and
 * it is the kernel's answer we test.
 */
#ifndef TESTS_USER_COMMON_H
#define TESTS_USER_COMMON_H

/* Built with -D_GNU_SOURCE (cmake/user_programs.cmake). */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* An address in the kernel half (the kernel's own image lives here on
 * Linux and in cxxkernel): every system call must answer EFAULT. */
#define KERNEL_PTR ((void*)0xffffffff80000000UL)
/* A non-canonical address: also EFAULT, never a fault in the kernel. */
#define NONCANON_PTR ((void*)0x8000000000000000UL)

/* A user address that is never mapped: below Linux's default
 * vm.mmap_min_addr (64 KiB), where nothing is placed unless a program asks
 * for it by address. */
#define UNMAPPED_PTR ((void*)0xf000UL)
static inline void* unmapped_ptr(void) { return UNMAPPED_PTR; }

/* Prints one line (a newline is added). Unbuffered: write(2) to fd 1, so a
 * fork never duplicates pending output. */
void say(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

/* The symbolic name of an errno value ("EFAULT"), or "E<number>". */
const char* errno_name(int err);

/* Prints "what: ok" when ret >= 0, "what: <ERRNO>" otherwise, and returns ret. */
long report(const char* what, long ret);

void check_failed(const char* file, int line, const char* expr);
extern int checks_run;
extern int checks_failed;

/* A promise of the ABI: prints nothing when kept, a FAIL line otherwise. */
#define CHECK(cond)                                                   \
    do {                                                              \
        checks_run++;                                                 \
        if (!(cond)) check_failed(__FILE__, __LINE__, #cond);         \
    } while (0)

/* A raw system call that must fail with err: prints "what: ERR". */
#define EXPECT_ERR(what, call, err)                   \
    do {                                              \
        errno = 0;                                    \
        long ret_ = (long)(call);                     \
        report((what), ret_);                         \
        CHECK(ret_ == -1 && errno == (err));          \
    } while (0)

/* A call that must succeed: prints "what: ok". */
#define EXPECT_OK(what, call)                         \
    do {                                              \
        errno = 0;                                    \
        long ret_ = (long)(call);                     \
        report((what), ret_);                         \
        CHECK(ret_ >= 0);                             \
    } while (0)

/* "name: yes" or "name: no", checked to be yes. */
#define EXPECT_TRUE(name, cond)                       \
    do {                                              \
        int ok_ = !!(cond);                           \
        say("%s: %s", (name), ok_ ? "yes" : "no");    \
        CHECK(ok_);                                   \
    } while (0)

/* Runs fn in a forked child and returns its wait status (for tests that
 * may crash or change process-wide state). The child exits 0 when its
 * checks held, 1 otherwise, unless fn ends it another way. */
int in_child(void (*fn)(void));

/* One read(2) of the file at `path` into `buf` (NUL-terminated, at most
 * size - 1 bytes, enough for a /proc/<pid>/stat line): its length, or -1. */
long read_text(const char* path, char* buf, size_t size);

/* A fresh empty directory under $TMPDIR or /tmp, removed by finish(). */
const char* scratch_dir(void);

/* Prints the closing line "<prog>: checks=<n> failures=<m>" and returns the
 * exit status (0 only when every check held). */
int finish(const char* prog);

#endif
