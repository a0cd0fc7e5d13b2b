// fault_signals.hpp against what the host's Linux delivers for the same
// faults: each is raised for real in a child process whose SA_SIGINFO
// handler reports signal, code and address through a pipe.
#include "kernel/proc/fault_signals.hpp"

#include <fenv.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

namespace proc {
namespace {

struct Seen {
    int signal, code;
    uint64_t address, rip, trapno;
};
int g_report_fd = -1;

void report(int signal, siginfo_t* info, void* context) {
    auto* uc = static_cast<ucontext_t*>(context);
    Seen seen{signal, info->si_code, reinterpret_cast<uint64_t>(info->si_addr),
              uint64_t(uc->uc_mcontext.gregs[REG_RIP]), uint64_t(uc->uc_mcontext.gregs[REG_TRAPNO])};
    (void)!write(g_report_fd, &seen, sizeof seen);
    _exit(0);
}

// Runs `fault` in a child and returns what its handler saw.
template <typename Fault>
Seen observe(Fault fault) {
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    pid_t child = fork();
    if (child == 0) {
        g_report_fd = p[1];
        struct sigaction sa = {};
        sa.sa_sigaction = report;
        sa.sa_flags = SA_SIGINFO;
        for (int s : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP}) sigaction(s, &sa, nullptr);
        fault();
        _exit(1);
    }
    close(p[1]);
    Seen seen{};
    EXPECT_EQ(read(p[0], &seen, sizeof seen), ssize_t(sizeof seen));
    close(p[0]);
    int status;
    waitpid(child, &status, 0);
    return seen;
}

void expect_same(const Seen& seen, const FaultSignal& ours) {
    EXPECT_EQ(seen.signal, ours.signal);
    EXPECT_EQ(seen.code, ours.code);
    EXPECT_EQ(seen.address, ours.address);
}

TEST(FaultSignalsReference, DivideError) {
    // In assembly: UBSan would catch a C division by zero first.
    Seen seen = observe([] {
        asm volatile("xor %%ecx, %%ecx\n\tmov $7, %%eax\n\tcltd\n\tidivl %%ecx" ::: "eax", "ecx", "edx");
    });
    EXPECT_EQ(seen.trapno, trap_vector::kDivideError);
    expect_same(seen, fault_signal(seen.trapno, seen.rip));
}

TEST(FaultSignalsReference, InvalidOpcode) {
    Seen seen = observe([] { asm volatile("ud2"); });
    EXPECT_EQ(seen.trapno, trap_vector::kInvalidOpcode);
    expect_same(seen, fault_signal(seen.trapno, seen.rip));
}

TEST(FaultSignalsReference, Breakpoint) {
    Seen seen = observe([] { asm volatile("int3"); });
    EXPECT_EQ(seen.trapno, trap_vector::kBreakpoint);
    expect_same(seen, fault_signal(seen.trapno, seen.rip));
}

TEST(FaultSignalsReference, GeneralProtection) {
    // A non-canonical address: #GP, not #PF.
    Seen seen = observe([] { *reinterpret_cast<volatile int*>(0x8000000000000000ULL) = 1; });
    EXPECT_EQ(seen.trapno, trap_vector::kGeneralProtection);
    expect_same(seen, fault_signal(seen.trapno, seen.rip));
}

TEST(FaultSignalsReference, PageFaults) {
    Seen unmapped = observe([] { *reinterpret_cast<volatile int*>(16) = 1; });
    EXPECT_EQ(unmapped.trapno, trap_vector::kPageFault);
    expect_same(unmapped, page_fault_signal(16, false, false));
    static void* read_only = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    Seen protected_page = observe([] { *static_cast<volatile int*>(read_only) = 1; });
    expect_same(protected_page, page_fault_signal(reinterpret_cast<uint64_t>(read_only), true, false));
    munmap(read_only, 4096);
}

TEST(FaultSignalsReference, SimdDivideByZero) {
    Seen seen = observe([] {
        // Unmask SSE's divide-by-zero exception, then divide by zero.
        uint32_t mxcsr;
        asm volatile("stmxcsr %0" : "=m"(mxcsr));
        mxcsr &= ~(1u << 9);
        asm volatile("ldmxcsr %0" ::"m"(mxcsr));
        volatile double zero = 0.0, one = 1.0;
        volatile double result = one / zero;
        (void)result;
    });
    EXPECT_EQ(seen.trapno, trap_vector::kSimdFloatingPoint);
    // MXCSR after the fault: the ZE flag set, its mask clear.
    uint32_t mxcsr = 0x1f80 & ~(1u << 9);
    mxcsr |= 1u << 2;
    expect_same(seen, fault_signal(seen.trapno, seen.rip, false, fpu_exception_code(seen.trapno, 0, 0, mxcsr)));
}

TEST(FaultSignals, FpuCodes) {
    // x87: status flags against the control word's masks.
    EXPECT_EQ(fpu_exception_code(trap_vector::kX87FloatingPoint, 0x0004, 0x037b, 0), uapi::kFPE_FLTDIV);
    EXPECT_EQ(fpu_exception_code(trap_vector::kX87FloatingPoint, 0x0041, 0x037e, 0), uapi::kFPE_FLTINV);
    EXPECT_EQ(fpu_exception_code(trap_vector::kX87FloatingPoint, 0x0004, 0x037f, 0), 0) << "masked: spurious";
    // SIMD: overflow flagged and unmasked; precision flagged but masked.
    uint32_t mxcsr = (0x1f80 & ~(1u << 10)) | (1u << 3) | (1u << 5);
    EXPECT_EQ(fpu_exception_code(trap_vector::kSimdFloatingPoint, 0, 0, mxcsr), uapi::kFPE_FLTOVF);
    EXPECT_EQ(fault_signal(trap_vector::kSimdFloatingPoint, 0x1234, false, 0).signal, 0);
    EXPECT_EQ(fault_signal(trap_vector::kAlignmentCheck, 0x1234).code, uapi::kBUS_ADRALN);
    EXPECT_EQ(fault_signal(trap_vector::kDebug, 0x1234, true).code, uapi::kTRAP_TRACE);
    EXPECT_EQ(page_fault_signal(0x5000, true, true).signal, uapi::kSIGBUS);
}

}  // namespace
}  // namespace proc
