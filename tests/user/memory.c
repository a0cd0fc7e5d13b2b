/* Memory: mmap (anonymous, file, private, shared, MAP_FIXED,
 * MAP_FIXED_NOREPLACE, ...), munmap, mprotect, brk, mremap, madvise
 * DONTNEED, msync, stack growth, copy-on-write after fork, and the signals
 * bad accesses raise (man 2 mmap, mprotect, brk, mremap, madvise, msync;
 * man 7 signal-safety for the SIGSEGV/SIGBUS si_code values; issue 11). */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "common.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define PAGE 4096UL

static void* anon(size_t len, int prot) {
    return mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static int all_zero(const char* p, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (p[i]) return 0;
    return 1;
}

static void mmap_anonymous(void) {
    char* p = anon(4 * PAGE, PROT_READ | PROT_WRITE);
    EXPECT_TRUE("mmap anon: page aligned", p != MAP_FAILED && ((uintptr_t)p & (PAGE - 1)) == 0);
    EXPECT_TRUE("mmap anon: zero filled", all_zero(p, 4 * PAGE));
    memset(p, 0x5a, 4 * PAGE);
    EXPECT_TRUE("mmap anon: writes stick", p[0] == 0x5a && p[4 * PAGE - 1] == 0x5a);

    /* MAP_FIXED replaces whatever was there with fresh zero pages. */
    char* q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    EXPECT_TRUE("MAP_FIXED: exactly the address asked", q == p + PAGE);
    EXPECT_TRUE("MAP_FIXED: the replaced page is zero", all_zero(q, PAGE) && p[0] == 0x5a && p[2 * PAGE] == 0x5a);
    EXPECT_ERR("MAP_FIXED_NOREPLACE over a mapping",
               mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED ? -1 : 0,
               EEXIST);
    CHECK(munmap(p + 3 * PAGE, PAGE) == 0);
    q = mmap(p + 3 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    EXPECT_TRUE("MAP_FIXED_NOREPLACE on a hole gets it", q == p + 3 * PAGE);

    char* flags = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_NORESERVE, -1, 0);
    EXPECT_TRUE("MAP_POPULATE|MAP_NORESERVE", flags != MAP_FAILED && all_zero(flags, 2 * PAGE));
    char* down = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
    EXPECT_TRUE("MAP_GROWSDOWN", down != MAP_FAILED);
    if (down != MAP_FAILED) down[2 * PAGE - 1] = 1;
    /* Gone again: an access just below it would grow it (man 2 mmap). */
    munmap(down, 2 * PAGE);

    EXPECT_OK("munmap", munmap(p, 4 * PAGE));
    EXPECT_OK("munmap of a hole", munmap(p, 4 * PAGE));
    EXPECT_ERR("munmap unaligned", syscall(SYS_munmap, p + 1, PAGE), EINVAL);
    EXPECT_ERR("munmap length 0", syscall(SYS_munmap, p, 0), EINVAL);
    EXPECT_ERR("munmap kernel half", syscall(SYS_munmap, KERNEL_PTR, PAGE), EINVAL);
}

static long mmap_err(void* addr, size_t len, int prot, int flags, int fd, off_t off) {
    return syscall(SYS_mmap, addr, len, prot, flags, fd, off) == (long)MAP_FAILED ? -1 : 0;
}

static void mmap_errors(void) {
    EXPECT_ERR("mmap length 0", mmap_err(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    EXPECT_ERR("mmap neither PRIVATE nor SHARED", mmap_err(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    EXPECT_ERR("mmap MAP_FIXED unaligned",
               mmap_err((void*)0x10000001, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);
    EXPECT_ERR("mmap MAP_FIXED in the kernel half",
               mmap_err(KERNEL_PTR, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), ENOMEM);
    EXPECT_ERR("mmap 2^47 bytes", mmap_err(NULL, 1UL << 47, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
    EXPECT_ERR("mmap file with bad fd", mmap_err(NULL, PAGE, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
    EXPECT_ERR("mmap unaligned offset", mmap_err(NULL, PAGE, PROT_READ, MAP_PRIVATE, 0, 1), EINVAL);
}

static void file_mappings(void) {
    char path[512];
    snprintf(path, sizeof path, "%s/mapped", scratch_dir());
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fd >= 0);
    char text[100] = "file contents";
    CHECK(write(fd, text, sizeof text) == sizeof text);

    char* priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    EXPECT_TRUE("mmap file private: contents", priv != MAP_FAILED && strcmp(priv, "file contents") == 0);
    EXPECT_TRUE("mmap file private: zero past EOF in the last page", all_zero(priv + 100, PAGE - 100));
    priv[0] = 'F';
    char back[16] = {0};
    CHECK(pread(fd, back, 4, 0) == 4);
    EXPECT_TRUE("private write does not reach the file", back[0] == 'f');

    char* shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(shared != MAP_FAILED);
    shared[1] = 'I';
    CHECK(pread(fd, back, 4, 0) == 4);
    EXPECT_TRUE("shared write reaches the file", back[1] == 'I');
    EXPECT_TRUE("...and the private copy keeps its own page", priv[1] == 'i');
    EXPECT_OK("msync MS_SYNC", msync(shared, PAGE, MS_SYNC));
    EXPECT_ERR("msync MS_SYNC|MS_ASYNC", syscall(SYS_msync, shared, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
    EXPECT_ERR("msync unaligned", syscall(SYS_msync, shared + 1, PAGE, MS_SYNC), EINVAL);
    EXPECT_ERR("msync unmapped", syscall(SYS_msync, unmapped_ptr(), PAGE, MS_SYNC), ENOMEM);

    int rdonly = open(path, O_RDONLY);
    int wronly = open(path, O_WRONLY);
    EXPECT_ERR("mmap SHARED+WRITE of an O_RDONLY fd",
               mmap_err(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rdonly, 0), EACCES);
    EXPECT_OK("mmap PRIVATE+WRITE of an O_RDONLY fd",
              mmap_err(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, rdonly, 0));
    EXPECT_ERR("mmap of an O_WRONLY fd", mmap_err(NULL, PAGE, PROT_READ, MAP_PRIVATE, wronly, 0), EACCES);
    EXPECT_ERR("mmap of a directory", mmap_err(NULL, PAGE, PROT_READ, MAP_PRIVATE,
                                                open(scratch_dir(), O_RDONLY | O_DIRECTORY), 0), ENODEV);
    close(rdonly), close(wronly), close(fd);
    munmap(priv, PAGE), munmap(shared, PAGE);
}

static volatile sig_atomic_t fault_code;
static void* volatile fault_addr;
static sigjmp_buf fault_jump;

static void on_fault(int sig, siginfo_t* info, void* context) {
    (void)context;
    fault_code = sig * 100 + info->si_code;
    fault_addr = info->si_addr;
    siglongjmp(fault_jump, 1);
}

/* Touches addr (write or read) and reports the signal: "SIGSEGV/SEGV_MAPERR"
 * and whether si_addr is addr. */
static void touch(const char* what, volatile char* addr, int write) {
    struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    fault_code = 0;
    fault_addr = NULL;
    if (sigsetjmp(fault_jump, 1) == 0) {
        if (write)
            *addr = 1;
        else
            (void)*addr;
    }
    const char* name = "none";
    switch (fault_code) {
        case SIGSEGV * 100 + SEGV_MAPERR: name = "SIGSEGV/SEGV_MAPERR"; break;
        case SIGSEGV * 100 + SEGV_ACCERR: name = "SIGSEGV/SEGV_ACCERR"; break;
        case SIGBUS * 100 + BUS_ADRERR: name = "SIGBUS/BUS_ADRERR"; break;
    }
    say("%s: %s si_addr=%s", what, name, fault_addr == (void*)addr ? "the address" : "other");
}

static void protections(void) {
    char* p = anon(3 * PAGE, PROT_READ | PROT_WRITE);
    CHECK(p != MAP_FAILED);
    p[PAGE] = 7;
    EXPECT_OK("mprotect READ", mprotect(p + PAGE, PAGE, PROT_READ));
    EXPECT_TRUE("read-only page still reads", p[PAGE] == 7);
    touch("write to a PROT_READ page", p + PAGE + 8, 1);
    CHECK(fault_code == SIGSEGV * 100 + SEGV_ACCERR && p[PAGE] == 7);
    EXPECT_OK("mprotect NONE", mprotect(p + PAGE, PAGE, PROT_NONE));
    touch("read of a PROT_NONE page", p + PAGE + 16, 0);
    CHECK(fault_code == SIGSEGV * 100 + SEGV_ACCERR);
    EXPECT_OK("mprotect READ|WRITE again", mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE));
    EXPECT_TRUE("contents survive PROT_NONE", p[PAGE] == 7);
    EXPECT_ERR("mprotect unaligned", syscall(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL);
    EXPECT_ERR("mprotect bad prot bits", syscall(SYS_mprotect, p, PAGE, 0x100), EINVAL);
    EXPECT_ERR("mprotect unmapped", syscall(SYS_mprotect, unmapped_ptr(), PAGE, PROT_READ), ENOMEM);
    CHECK(munmap(p, 3 * PAGE) == 0);
    touch("read after munmap", p + 5, 0);
    CHECK(fault_code == SIGSEGV * 100 + SEGV_MAPERR);
    touch("write to NULL", NULL, 1);
    CHECK(fault_code == SIGSEGV * 100 + SEGV_MAPERR && fault_addr == NULL);
    touch("read of the kernel half", KERNEL_PTR, 0);
    CHECK(fault_code / 100 == SIGSEGV);

    /* A file mapping past the end of the file: SIGBUS (man 2 mmap). */
    char path[512];
    snprintf(path, sizeof path, "%s/short", scratch_dir());
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fd >= 0 && write(fd, "x", 1) == 1);
    char* f = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(f != MAP_FAILED);
    touch("read of a file page past EOF", f + PAGE, 0);
    CHECK(fault_code == SIGBUS * 100 + BUS_ADRERR);
    close(fd);
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
}

static void brk_calls(void) {
    char* start = (char*)syscall(SYS_brk, 0);
    EXPECT_TRUE("brk(0) returns the break", start != NULL && start != (char*)-1);
    char* grown = (char*)syscall(SYS_brk, start + 64 * 1024);
    EXPECT_TRUE("brk grows by 64 KiB", grown == start + 64 * 1024);
    EXPECT_TRUE("the new heap is zero", all_zero(start, 64 * 1024));
    memset(start, 1, 64 * 1024);
    EXPECT_TRUE("brk shrinks", (char*)syscall(SYS_brk, start + PAGE) == start + PAGE);
    EXPECT_TRUE("brk regrows zeroed", (char*)syscall(SYS_brk, start + 2 * PAGE) == start + 2 * PAGE &&
                                          start[PAGE] == 0 && start[0] == 1);
    EXPECT_TRUE("brk into the kernel half returns the old break",
                (char*)syscall(SYS_brk, KERNEL_PTR) == start + 2 * PAGE);
    syscall(SYS_brk, start);
}

static void remap_and_advise(void) {
    char* p = anon(2 * PAGE, PROT_READ | PROT_WRITE);
    memset(p, 3, 2 * PAGE);
    char* q = mremap(p, 2 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
    EXPECT_TRUE("mremap MAYMOVE grows, keeps contents", q != MAP_FAILED && q[0] == 3 && q[2 * PAGE - 1] == 3);
    EXPECT_TRUE("mremap: the new tail is zero", all_zero(q + 2 * PAGE, 6 * PAGE));
    EXPECT_TRUE("mremap shrinks in place", mremap(q, 8 * PAGE, 4 * PAGE, 0) == q);
    /* Pin the page after q to make in-place growth impossible. */
    char* pin = mmap(q + 4 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(pin == q + 4 * PAGE);
    EXPECT_ERR("mremap grow in place when blocked", mremap(q, 4 * PAGE, 8 * PAGE, 0) == MAP_FAILED ? -1 : 0,
               ENOMEM);
    EXPECT_ERR("mremap bad flags", syscall(SYS_mremap, q, 4 * PAGE, 8 * PAGE, 0x80, 0) == -1 ? -1 : 0, EINVAL);
    EXPECT_ERR("mremap FIXED without MAYMOVE",
               syscall(SYS_mremap, q, 4 * PAGE, 8 * PAGE, MREMAP_FIXED, q + 64 * PAGE) == -1 ? -1 : 0, EINVAL);
    EXPECT_ERR("mremap unaligned", syscall(SYS_mremap, q + 1, PAGE, PAGE, 0, 0) == -1 ? -1 : 0, EINVAL);

    EXPECT_OK("madvise DONTNEED", madvise(q, 4 * PAGE, MADV_DONTNEED));
    EXPECT_TRUE("DONTNEED: private anonymous pages read zero", all_zero(q, 4 * PAGE));
    EXPECT_OK("madvise WILLNEED", madvise(q, PAGE, MADV_WILLNEED));
    EXPECT_OK("madvise NORMAL", madvise(q, PAGE, MADV_NORMAL));
    EXPECT_ERR("madvise bad advice", syscall(SYS_madvise, q, PAGE, 999), EINVAL);
    EXPECT_ERR("madvise unaligned", syscall(SYS_madvise, q + 1, PAGE, MADV_DONTNEED), EINVAL);
    EXPECT_ERR("madvise unmapped", syscall(SYS_madvise, unmapped_ptr(), PAGE, MADV_DONTNEED), ENOMEM);
    munmap(q, 5 * PAGE);
}

static int __attribute__((noinline)) deep(int depth) {
    volatile char frame[4096];
    frame[0] = (char)depth;
    frame[4095] = (char)depth;
    return depth == 0 ? frame[0] : deep(depth - 1) + frame[4095] - (char)depth;
}

static void stack_and_fork(void) {
    EXPECT_TRUE("the stack grows by 2 MiB on demand", deep(512) == 0);

    char* page = anon(PAGE, PROT_READ | PROT_WRITE);
    char* shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    page[0] = 'P';
    shared[0] = 'S';
    int pipefd[2];
    CHECK(pipe(pipefd) == 0);
    pid_t child = fork();
    if (child == 0) {
        char go;
        int ok = page[0] == 'P';
        page[0] = 'C';
        shared[0] = 'C';
        read(pipefd[0], &go, 1); /* the parent has written its copy */
        ok = ok && page[0] == 'C';
        _exit(ok ? 0 : 1);
    }
    page[0] = 'Q';
    CHECK(write(pipefd[1], "g", 1) == 1);
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    EXPECT_TRUE("COW: the child saw the fork-time value and kept its own", WIFEXITED(status) && !WEXITSTATUS(status));
    EXPECT_TRUE("COW: the parent keeps its own", page[0] == 'Q');
    EXPECT_TRUE("MAP_SHARED anonymous: the child's write is seen", shared[0] == 'C');
}

int main(void) {
    mmap_anonymous();
    mmap_errors();
    file_mappings();
    protections();
    brk_calls();
    remap_and_advise();
    stack_and_fork();
    return finish("memory");
}
