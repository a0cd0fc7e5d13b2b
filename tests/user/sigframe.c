/* The signal frame as a program sees it, and what rt_sigreturn does with
 * it (sigaction(2) SA_SIGINFO's third argument, rt_sigreturn(2), the
 * x86_64 ABI; issue 12): where the kernel puts the frame, that changes a
 * handler makes to its ucontext (registers, RCX and R11 too, RIP, mask,
 * FPU image) take effect when it returns, that what a program must not
 * choose (privileged RFLAGS bits, SIGKILL in the mask) is left alone, and
 * that a frame a program forged (kernel selectors, a non-canonical or
 * kernel RIP) kills only that program, with SIGSEGV. An FPU image with
 * reserved MXCSR bits is not among them: real CPUs refuse it (so Linux
 * sends SIGSEGV), but QEMU's TCG loads it, so the Linux reference under
 * QEMU answers otherwise; kernel/proc/signal_frame_test.cpp checks that
 * case on the host. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <ucontext.h>

#include "common.h"

/* asm/ucontext.h's uc_flags and asm/sigcontext.h's magic numbers (the C
 * libraries do not export them). */
#define K_UC_FP_XSTATE 0x1UL
#define K_UC_SIGCONTEXT_SS 0x2UL
#define K_UC_STRICT_RESTORE_SS 0x4UL
#define K_FP_XSTATE_MAGIC1 0x46505853U
#define K_FP_XSTATE_MAGIC2 0x46505845U
#define K_UCONTEXT_SIZE 304 /* the kernel's struct ucontext, before siginfo */

static void on(int sig, void (*fn)(int, siginfo_t*, void*), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
}

static uint32_t u32_at(const void* base, size_t offset) {
    uint32_t v;
    memcpy(&v, (const char*)base + offset, sizeof v);
    return v;
}

/* ---- where the frame is */
static volatile int layout_ok[8];

static void layout_handler(int sig, siginfo_t* info, void* context) {
    (void)sig;
    ucontext_t* uc = context;
    uintptr_t frame = (uintptr_t)uc - 8; /* the restorer's address is on top */
    uintptr_t fp = (uintptr_t)uc->uc_mcontext.fpregs;
    uintptr_t interrupted_sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    uint64_t csgsfs = (uint64_t)uc->uc_mcontext.gregs[REG_CSGSFS];
    size_t fp_size = 512;
    layout_ok[0] = (frame + 8) % 16 == 0;
    layout_ok[1] = (uintptr_t)info == (uintptr_t)uc + K_UCONTEXT_SIZE;
    layout_ok[2] = (uc->uc_flags & (K_UC_SIGCONTEXT_SS | K_UC_STRICT_RESTORE_SS)) ==
                   (K_UC_SIGCONTEXT_SS | K_UC_STRICT_RESTORE_SS);
    layout_ok[3] = fp % 64 == 0 && fp >= (uintptr_t)info + sizeof(siginfo_t);
    if (uc->uc_flags & K_UC_FP_XSTATE) {
        uint32_t xstate_size = u32_at((void*)fp, 464 + 16);
        layout_ok[4] = u32_at((void*)fp, 464) == K_FP_XSTATE_MAGIC1 &&
                       u32_at((void*)fp, xstate_size) == K_FP_XSTATE_MAGIC2 &&
                       u32_at((void*)fp, 464 + 4) == xstate_size + 4;
        fp_size = xstate_size + 4;
    } else {
        layout_ok[4] = 1;
    }
    layout_ok[5] = fp + fp_size <= interrupted_sp - 128; /* the red zone is left alone */
    layout_ok[6] = (csgsfs & 0xffff) == 0x33 && (csgsfs >> 48) == 0x2b;
    layout_ok[7] = sigismember(&uc->uc_sigmask, SIGUSR2) && !sigismember(&uc->uc_sigmask, SIGUSR1);
}

static void layout(void) {
    sigset_t usr2, old;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, &old);
    on(SIGUSR1, layout_handler, 0);
    raise(SIGUSR1);
    sigprocmask(SIG_SETMASK, &old, NULL);
    EXPECT_TRUE("handler entry: RSP+8 is 16-byte aligned", layout_ok[0]);
    EXPECT_TRUE("siginfo follows the 304-byte ucontext", layout_ok[1]);
    EXPECT_TRUE("uc_flags has UC_SIGCONTEXT_SS and UC_STRICT_RESTORE_SS", layout_ok[2]);
    EXPECT_TRUE("FPU image 64-byte aligned, above the siginfo", layout_ok[3]);
    EXPECT_TRUE("an XSAVE image carries both magic numbers", layout_ok[4]);
    EXPECT_TRUE("the 128-byte red zone is not touched", layout_ok[5]);
    EXPECT_TRUE("saved CS 0x33 and SS 0x2b", layout_ok[6]);
    EXPECT_TRUE("uc_sigmask: the mask before the signal", layout_ok[7]);
}

/* ---- a handler's changes to its frame */
static void set_rax(int sig, siginfo_t* info, void* context) {
    (void)sig, (void)info;
    ((ucontext_t*)context)->uc_mcontext.gregs[REG_RAX] = 12345;
}

/* RCX and R11 are what SYSCALL overwrites with RIP and RFLAGS; a frame may
 * still give them any value, a non-canonical RCX included, and the program
 * gets them back as they are (so the kernel must not return by SYSRET,
 * which would jump to RCX). */
#define RCX_FROM_HANDLER 0x8000000000000000UL
#define R11_FROM_HANDLER 0x5a5a5a5a00c0e0eeUL /* neither TF (bit 8) nor RF (bit 16) */
static void set_rcx_r11(int sig, siginfo_t* info, void* context) {
    (void)sig, (void)info;
    ucontext_t* uc = context;
    uc->uc_mcontext.gregs[REG_RCX] = (greg_t)RCX_FROM_HANDLER;
    uc->uc_mcontext.gregs[REG_R11] = (greg_t)R11_FROM_HANDLER;
}

static void add_mask(int sig, siginfo_t* info, void* context) {
    (void)sig, (void)info;
    ucontext_t* uc = context;
    sigaddset(&uc->uc_sigmask, SIGUSR2);
    sigaddset(&uc->uc_sigmask, SIGKILL);
}

/* SIGILL from UD2: skip it (2 bytes) and change XMM0 to a marker. */
static void skip_ud2(int sig, siginfo_t* info, void* context) {
    (void)sig, (void)info;
    ucontext_t* uc = context;
    uc->uc_mcontext.gregs[REG_RIP] += 2;
    uint32_t* xmm0 = (uint32_t*)&uc->uc_mcontext.fpregs->_xmm[0];
    xmm0[0] = 0xfeedf00d;
}

static void privileged_flags(int sig, siginfo_t* info, void* context) {
    (void)sig, (void)info;
    ucontext_t* uc = context;
    /* IOPL 3, IF cleared, NT, VM: none may come back from a frame. */
    uc->uc_mcontext.gregs[REG_EFL] = (uc->uc_mcontext.gregs[REG_EFL] | 0x3000 | 0x4000 | 0x20000) & ~0x200;
}

static void drop_fpu_image(int sig, siginfo_t* info, void* context) {
    (void)sig, (void)info;
    ((ucontext_t*)context)->uc_mcontext.fpregs = NULL;
}

static uint64_t rflags_now(void) {
    uint64_t flags;
    __asm__ volatile("pushfq\n\tpopq %0" : "=r"(flags));
    return flags;
}

static void changes(void) {
    on(SIGUSR1, set_rax, 0);
    long r = syscall(SYS_kill, getpid(), SIGUSR1);
    say("handler set RAX: kill returned %ld", r);
    CHECK(r == 12345);

    /* The signal arrives at the exit of the program's own SYSCALL. */
    on(SIGUSR1, set_rcx_r11, 0);
    long nr = SYS_kill;
    uint64_t rcx_after = 0, r11_after = 0;
    __asm__ volatile(
        "syscall\n\t"
        "movq %%rcx, %[c]\n\t"
        "movq %%r11, %[f]"
        : [c] "=r"(rcx_after), [f] "=r"(r11_after), "+a"(nr)
        : "D"((long)getpid()), "S"((long)SIGUSR1)
        : "rcx", "r11", "memory");
    EXPECT_TRUE("handler set RCX (non-canonical) and R11: both as set after return, kill returned 0",
                rcx_after == RCX_FROM_HANDLER && r11_after == R11_FROM_HANDLER && nr == 0);

    on(SIGUSR1, add_mask, 0);
    raise(SIGUSR1);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    EXPECT_TRUE("handler added SIGUSR2 to uc_sigmask: blocked after return", sigismember(&now, SIGUSR2));
    EXPECT_TRUE("...but SIGKILL never is", !sigismember(&now, SIGKILL));
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_UNBLOCK, &usr2, NULL);

    on(SIGILL, skip_ud2, 0);
    uint32_t marker = 0;
    __asm__ volatile(
        "movl $1, %%eax\n\t"
        "movd %%eax, %%xmm0\n\t"
        "ud2\n\t"
        "movd %%xmm0, %0"
        : "=r"(marker)
        :
        : "eax", "xmm0");
    EXPECT_TRUE("SIGILL handler moved RIP past UD2 and changed XMM0", marker == 0xfeedf00d);

    on(SIGUSR1, privileged_flags, 0);
    raise(SIGUSR1);
    uint64_t flags = rflags_now();
    EXPECT_TRUE("IOPL, NT, VM from the frame ignored; IF stays set",
                (flags & 0x3000) == 0 && (flags & 0x4000) == 0 && (flags & 0x20000) == 0 && (flags & 0x200));

    /* Round toward zero in MXCSR; a frame without an FPU image resets it. */
    uint32_t mxcsr = 0x7f80, after = 0;
    __asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
    on(SIGUSR1, drop_fpu_image, 0);
    raise(SIGUSR1);
    __asm__ volatile("stmxcsr %0" : "=m"(after));
    say("fpstate NULL in the frame: MXCSR after return %#x", after);
    CHECK(after == 0x1f80);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGILL, SIG_DFL);
}

/* ---- forged frames: each child tampers with its frame and returns */
static void forge_cs(int sig, siginfo_t* info, void* context) {
    (void)sig, (void)info;
    ucontext_t* uc = context;
    uc->uc_mcontext.gregs[REG_CSGSFS] = (uc->uc_mcontext.gregs[REG_CSGSFS] & ~0xffffL) | 0x10;
}
static void forge_ss(int sig, siginfo_t* info, void* context) {
    (void)sig, (void)info;
    ucontext_t* uc = context;
    uc->uc_mcontext.gregs[REG_CSGSFS] = (uc->uc_mcontext.gregs[REG_CSGSFS] & 0x0000ffffffffffffL) | (0x18L << 48);
}
static void forge_noncanonical_rip(int sig, siginfo_t* info, void* context) {
    (void)sig, (void)info;
    ((ucontext_t*)context)->uc_mcontext.gregs[REG_RIP] = (greg_t)0x8000000000000000UL;
}
static void forge_kernel_rip(int sig, siginfo_t* info, void* context) {
    (void)sig, (void)info;
    ((ucontext_t*)context)->uc_mcontext.gregs[REG_RIP] = (greg_t)0xffffffff80000000UL;
}

static void (*g_forger)(int, siginfo_t*, void*);
static void forged_child(void) {
    on(SIGUSR1, g_forger, 0);
    raise(SIGUSR1);
    /* Reached only if the forged frame was accepted. */
}

static void forged(void) {
    static const struct {
        const char* what;
        void (*forger)(int, siginfo_t*, void*);
    } cases[] = {
        {"kernel code selector", forge_cs},
        {"kernel stack selector", forge_ss},
        {"non-canonical RIP", forge_noncanonical_rip},
        {"kernel-half RIP", forge_kernel_rip},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        g_forger = cases[i].forger;
        int status = in_child(forged_child);
        int segv = WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
        say("forged frame, %s: the program dies by %s", cases[i].what, segv ? "SIGSEGV" : "something else");
        CHECK(segv);
    }
}

int main(void) {
    layout();
    changes();
    forged();
    return finish("sigframe");
}
