// The signal frame: built on a simulated user stack and read back, forged
// frames refused, and — the reference — the placement compared with the
// frame the host's Linux kernel builds for a real handler.
#include "kernel/proc/signal_frame.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <string.h>
#include <sys/ucontext.h>

#include <vector>

#include "kernel/arch/x86_64/descriptors.hpp"

namespace proc {
namespace {

constexpr uint64_t kHandler = 0x401000;
constexpr uint64_t kRestorer = 0x402000;

// User memory [base, base + size) as an array; anything else faults.
class FakeMemory final : public UserMemory {
public:
    FakeMemory(uint64_t base, size_t size) : base_(base), bytes_(size, 0xcc) {}
    bool read(void* destination, uint64_t address, size_t size) override {
        if (!inside(address, size)) return false;
        memcpy(destination, &bytes_[address - base_], size);
        return true;
    }
    bool write(uint64_t address, const void* source, size_t size) override {
        if (!inside(address, size)) return false;
        memcpy(&bytes_[address - base_], source, size);
        return true;
    }
    template <typename T>
    T at(uint64_t address) {
        T value;
        EXPECT_TRUE(read(&value, address, sizeof value));
        return value;
    }
    template <typename T>
    void put(uint64_t address, const T& value) {
        ASSERT_TRUE(write(address, &value, sizeof value));
    }

private:
    bool inside(uint64_t address, size_t size) const {
        return address >= base_ && size <= bytes_.size() && address - base_ <= bytes_.size() - size;
    }
    uint64_t base_;
    std::vector<uint8_t> bytes_;
};

constexpr uint64_t kStackBase = 0x7ffe'0000'0000;
constexpr size_t kStackSize = 64 * 1024;
constexpr size_t kXsaveBytes = 1088;  // legacy + header + AVX (the standard layout of x87|SSE|AVX)
constexpr uint64_t kFeatures = 0x7;

arch::InterruptFrame user_registers() {
    arch::InterruptFrame regs{};
    uint64_t value = 0x1000;
    for (uint64_t* r : {&regs.r15, &regs.r14, &regs.r13, &regs.r12, &regs.r11, &regs.r10, &regs.r9, &regs.r8, &regs.rbp,
                        &regs.rdi, &regs.rsi, &regs.rdx, &regs.rcx, &regs.rbx, &regs.rax})
        *r = value++;
    regs.rip = 0x400abc;
    regs.rsp = kStackBase + kStackSize - 0x123;  // deliberately misaligned
    regs.cs = arch::kUserCodeSelector;
    regs.ss = arch::kUserDataSelector;
    regs.rflags = 0x202 | (1u << 10) | (1u << 8) | 0x1;  // IF, DF, TF, CF
    return regs;
}

struct Fpu {
    Fpu(size_t size, bool xsave) : bytes(size) {
        for (size_t i = 0; i < size; ++i) bytes[i] = uint8_t(i * 7);
        uapi::Fpstate legacy;
        memcpy(&legacy, bytes.data(), sizeof legacy);
        legacy.mxcsr = 0x1f80;
        memcpy(bytes.data(), &legacy, sizeof legacy);
        if (xsave) {
            memset(bytes.data() + 512, 0, 64);
            uint64_t bv = kFeatures;
            memcpy(bytes.data() + 512, &bv, 8);
        }
        image = UserFpuImage{{bytes.data(), bytes.size()}, xsave, kFeatures, 0xffff};
    }
    std::vector<uint8_t> bytes;
    UserFpuImage image;
};

FrameRequest request_for(int signal, uint64_t flags) {
    FrameRequest request;
    request.signal = signal;
    request.info = siginfo_fault(signal, uapi::kSEGV_ACCERR, 0xdead000);
    request.action = uapi::KernelSigaction{kHandler, flags | uapi::kSA_RESTORER, kRestorer, 0};
    request.saved_mask = signal_bit(uapi::kSIGINT);
    request.trap_number = 14;
    request.error_code = 6;
    request.fault_address = 0xdead000;
    return request;
}

TEST(SignalFrame, LayoutOnTheStack) {
    FakeMemory memory(kStackBase, kStackSize);
    Fpu fpu(kXsaveBytes, true);
    arch::InterruptFrame regs = user_registers(), before = regs;
    AltStack alt;
    ASSERT_TRUE(push_signal_frame(regs, request_for(uapi::kSIGSEGV, uapi::kSA_SIGINFO), alt, fpu.image, memory));
    uint64_t frame = regs.rsp;
    EXPECT_EQ((frame + 8) % 16, 0u) << "RSP as right after a CALL";
    EXPECT_LE(frame + sizeof(uapi::RtSigframe), before.rsp - 128) << "below the red zone";
    EXPECT_LE(before.rsp - frame, signal_frame_size(fpu.image) + 128);
    EXPECT_EQ(regs.rip, kHandler);
    EXPECT_EQ(regs.rdi, uint64_t(uapi::kSIGSEGV));
    EXPECT_EQ(regs.rsi, frame + 312);
    EXPECT_EQ(regs.rdx, frame + 8);
    EXPECT_EQ(regs.rflags, 0x203u) << "DF and TF cleared, the rest kept";
    EXPECT_EQ(memory.at<uint64_t>(frame), kRestorer) << "the handler returns into sa_restorer";
    auto uc = memory.at<uapi::Ucontext>(frame + 8);
    EXPECT_EQ(uc.flags, uapi::kUC_FP_XSTATE | uapi::kUC_SIGCONTEXT_SS | uapi::kUC_STRICT_RESTORE_SS);
    EXPECT_EQ(uc.sigmask, signal_bit(uapi::kSIGINT));
    EXPECT_EQ(uc.stack.flags, uapi::kSS_DISABLE);
    EXPECT_EQ(uc.mcontext.rip, before.rip);
    EXPECT_EQ(uc.mcontext.rsp, before.rsp);
    EXPECT_EQ(uc.mcontext.r8, before.r8);
    EXPECT_EQ(uc.mcontext.rax, before.rax);
    EXPECT_EQ(uc.mcontext.eflags, before.rflags);
    EXPECT_EQ(uc.mcontext.cs, arch::kUserCodeSelector);
    EXPECT_EQ(uc.mcontext.ss, arch::kUserDataSelector);
    EXPECT_EQ(uc.mcontext.trapno, 14u);
    EXPECT_EQ(uc.mcontext.err, 6u);
    EXPECT_EQ(uc.mcontext.cr2, 0xdead000u);
    EXPECT_EQ(uc.mcontext.oldmask, signal_bit(uapi::kSIGINT));
    uint64_t fpstate = uc.mcontext.fpstate;
    EXPECT_EQ(fpstate % 64, 0u);
    EXPECT_GE(fpstate, frame + sizeof(uapi::RtSigframe));
    EXPECT_LE(fpstate + kXsaveBytes + 4, before.rsp - 128);
    auto sw = memory.at<uapi::FpxSwBytes>(fpstate + 464);
    EXPECT_EQ(sw.magic1, uapi::kFP_XSTATE_MAGIC1);
    EXPECT_EQ(sw.xstate_size, kXsaveBytes);
    EXPECT_EQ(sw.extended_size, kXsaveBytes + 4);
    EXPECT_EQ(sw.xfeatures, kFeatures);
    EXPECT_EQ(memory.at<uint32_t>(fpstate + kXsaveBytes), uapi::kFP_XSTATE_MAGIC2);
    auto info = memory.at<uapi::Siginfo>(frame + 312);
    EXPECT_EQ(info.signo, uapi::kSIGSEGV);
    EXPECT_EQ(info.code, uapi::kSEGV_ACCERR);
    EXPECT_EQ(info.fault.addr, 0xdead000u);
}

TEST(SignalFrame, RoundTripThroughSigreturn) {
    FakeMemory memory(kStackBase, kStackSize);
    Fpu fpu(kXsaveBytes, true);
    std::vector<uint8_t> original = fpu.bytes;
    arch::InterruptFrame regs = user_registers(), before = regs;
    AltStack alt;
    ASSERT_TRUE(push_signal_frame(regs, request_for(uapi::kSIGUSR1, 0), alt, fpu.image, memory));
    // The handler clobbers registers and the FPU, then RET pops pretcode.
    regs.rax = 99, regs.rbx = 98, regs.rsp += 8;
    regs.rflags = 0x202;
    memset(fpu.bytes.data(), 0, fpu.bytes.size());
    auto result = restore_signal_frame(regs, memory, fpu.image);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result.value().mask, signal_bit(uapi::kSIGINT));
    EXPECT_TRUE(result.value().fpu_restored);
    EXPECT_EQ(regs.rip, before.rip);
    EXPECT_EQ(regs.rsp, before.rsp);
    EXPECT_EQ(regs.rax, before.rax);
    EXPECT_EQ(regs.rbx, before.rbx);
    EXPECT_EQ(regs.r15, before.r15);
    EXPECT_EQ(regs.rflags, before.rflags) << "DF, TF and CF come back from the frame";
    // The FPU image comes back but for the software bytes the frame added.
    EXPECT_EQ(memcmp(fpu.bytes.data(), original.data(), 464), 0);
    EXPECT_EQ(memcmp(fpu.bytes.data() + 512, original.data() + 512, kXsaveBytes - 512), 0);
}

TEST(SignalFrame, WithoutXsaveTheFrameHoldsTheFxsaveImage) {
    FakeMemory memory(kStackBase, kStackSize);
    Fpu fpu(512, false);
    arch::InterruptFrame regs = user_registers();
    AltStack alt;
    ASSERT_TRUE(push_signal_frame(regs, request_for(uapi::kSIGUSR1, 0), alt, fpu.image, memory));
    auto uc = memory.at<uapi::Ucontext>(regs.rsp + 8);
    EXPECT_EQ(uc.flags & uapi::kUC_FP_XSTATE, 0u);
    EXPECT_EQ(uc.mcontext.fpstate % 16, 0u);
    EXPECT_EQ(memory.at<uapi::Siginfo>(regs.rsp + 312).signo, 0) << "no SA_SIGINFO: no siginfo";
}

TEST(SignalFrame, NeedsARestorerAndAWritableStack) {
    FakeMemory memory(kStackBase, kStackSize);
    Fpu fpu(kXsaveBytes, true);
    arch::InterruptFrame regs = user_registers();
    AltStack alt;
    FrameRequest request = request_for(uapi::kSIGUSR1, 0);
    request.action.flags &= ~uapi::kSA_RESTORER;
    EXPECT_EQ(push_signal_frame(regs, request, alt, fpu.image, memory).error().code, lib::Errno::kEFAULT);
    regs.rsp = kStackBase + 256;  // the frame would go below the mapping
    EXPECT_EQ(push_signal_frame(regs, request_for(uapi::kSIGUSR1, 0), alt, fpu.image, memory).error().code,
              lib::Errno::kEFAULT);
}

TEST(SignalFrame, AlternateStack) {
    FakeMemory memory(kStackBase, kStackSize);
    Fpu fpu(kXsaveBytes, true);
    uint64_t alt_base = kStackBase + 0x1000, alt_size = 0x4000;
    AltStack alt;
    ASSERT_TRUE(alt.change(uapi::StackT{.sp = alt_base, .flags = 0, .size = alt_size}, user_registers().rsp,
                           uapi::kMINSIGSTKSZ));
    arch::InterruptFrame regs = user_registers();
    ASSERT_TRUE(push_signal_frame(regs, request_for(uapi::kSIGUSR1, uapi::kSA_ONSTACK), alt, fpu.image, memory));
    EXPECT_TRUE(alt.contains(regs.rsp));
    auto uc = memory.at<uapi::Ucontext>(regs.rsp + 8);
    EXPECT_EQ(uc.stack.sp, alt_base);
    EXPECT_EQ(uc.stack.flags, 0) << "uc_stack: as it was when the signal came";
    EXPECT_GE(alt_base + alt_size - uc.mcontext.fpstate, kXsaveBytes + 4) << "no red zone on a fresh stack";
    EXPECT_LT(alt_base + alt_size - uc.mcontext.fpstate, kXsaveBytes + 4 + 64);
    // A nested signal on it goes below the current frame, red zone included.
    uint64_t outer = regs.rsp;
    ASSERT_TRUE(push_signal_frame(regs, request_for(uapi::kSIGUSR2, uapi::kSA_ONSTACK), alt, fpu.image, memory));
    EXPECT_LT(regs.rsp + 128, outer);
    EXPECT_EQ(memory.at<uapi::Ucontext>(regs.rsp + 8).stack.flags, uapi::kSS_ONSTACK);
    // Until it overflows: refused rather than written below it.
    int frames = 2;
    while (push_signal_frame(regs, request_for(uapi::kSIGUSR2, uapi::kSA_ONSTACK), alt, fpu.image, memory)) {
        ASSERT_TRUE(alt.contains(regs.rsp));
        ASSERT_LT(++frames, 100);
    }
    EXPECT_GE(frames, 8) << "16 KiB holds several ~1.8 KiB frames";
    EXPECT_EQ(memory.at<uint64_t>(alt_base - 8), 0xccccccccccccccccULL) << "nothing written below it";
    // Without SA_ONSTACK the current stack is used.
    regs = user_registers();
    ASSERT_TRUE(push_signal_frame(regs, request_for(uapi::kSIGUSR1, 0), alt, fpu.image, memory));
    EXPECT_FALSE(alt.contains(regs.rsp));
}

TEST(SignalFrame, AutodisarmClearsTheStackOnceUsed) {
    FakeMemory memory(kStackBase, kStackSize);
    Fpu fpu(kXsaveBytes, true);
    uint64_t alt_base = kStackBase + 0x1000, alt_size = 0x4000;
    AltStack alt;
    ASSERT_TRUE(alt.change(uapi::StackT{.sp = alt_base, .flags = int32_t(uapi::kSS_AUTODISARM), .size = alt_size}, 0,
                           uapi::kMINSIGSTKSZ));
    arch::InterruptFrame regs = user_registers();
    ASSERT_TRUE(push_signal_frame(regs, request_for(uapi::kSIGUSR1, uapi::kSA_ONSTACK), alt, fpu.image, memory));
    EXPECT_GE(regs.rsp, alt_base);
    EXPECT_LT(regs.rsp, alt_base + alt_size);
    EXPECT_EQ(alt.size, 0u);
    EXPECT_EQ(alt.flags, uint32_t(uapi::kSS_DISABLE));
    auto uc = memory.at<uapi::Ucontext>(regs.rsp + 8);
    EXPECT_EQ(uc.stack.sp, alt_base) << "sigreturn re-arms it from uc_stack";
    EXPECT_EQ(uint32_t(uc.stack.flags), uapi::kSS_AUTODISARM);
}

// A frame as a handler would leave it, to be forged.
struct Pushed {
    Pushed() : memory(kStackBase, kStackSize), fpu(kXsaveBytes, true) {
        regs = user_registers();
        AltStack alt;
        EXPECT_TRUE(push_signal_frame(regs, request_for(uapi::kSIGUSR1, 0), alt, fpu.image, memory));
        regs.rsp += 8;
        uc_address = regs.rsp - 8 + 8;
    }
    uapi::Ucontext uc() { return memory.at<uapi::Ucontext>(uc_address); }
    void set(const uapi::Ucontext& value) { memory.put(uc_address, value); }
    lib::Errno sigreturn() {
        arch::InterruptFrame copy = regs;
        auto result = restore_signal_frame(copy, memory, fpu.image);
        if (result) return lib::Errno::kNone;
        EXPECT_EQ(copy.rip, regs.rip) << "a refused frame changes nothing";
        return result.error().code;
    }
    FakeMemory memory;
    Fpu fpu;
    arch::InterruptFrame regs;
    uint64_t uc_address;
};

TEST(Sigreturn, RefusesForgedSelectorsAndRip) {
    {
        Pushed p;
        EXPECT_EQ(p.sigreturn(), lib::Errno::kNone);
    }
    {
        Pushed p;  // the all-zero frame of tests/user/signals.c
        p.set(uapi::Ucontext{});
        EXPECT_EQ(p.sigreturn(), lib::Errno::kEFAULT);
    }
    {
        Pushed p;
        auto uc = p.uc();
        uc.mcontext.cs = arch::kKernelCodeSelector;
        p.set(uc);
        EXPECT_EQ(p.sigreturn(), lib::Errno::kEFAULT) << "kernel code segment";
    }
    {
        Pushed p;
        auto uc = p.uc();
        uc.mcontext.cs = 0x30;  // user code with RPL 0: becomes 0x33, as Linux's | 3
        p.set(uc);
        EXPECT_EQ(p.sigreturn(), lib::Errno::kNone);
    }
    {
        Pushed p;
        auto uc = p.uc();
        uc.mcontext.ss = arch::kKernelDataSelector;
        p.set(uc);
        EXPECT_EQ(p.sigreturn(), lib::Errno::kEFAULT) << "kernel stack segment, strict restore";
        uc.flags &= ~uapi::kUC_STRICT_RESTORE_SS;
        p.set(uc);
        EXPECT_EQ(p.sigreturn(), lib::Errno::kNone) << "not strict: the user SS is forced";
    }
    for (uint64_t rip : {0x0000800000000000ULL, 0x1234567812345678ULL, 0xffffffff80001000ULL}) {
        Pushed p;
        auto uc = p.uc();
        uc.mcontext.rip = rip;
        p.set(uc);
        EXPECT_EQ(p.sigreturn(), lib::Errno::kEFAULT) << std::hex << rip;
    }
    {
        Pushed p;
        p.regs.rsp = 0x1000;  // not mapped
        EXPECT_EQ(p.sigreturn(), lib::Errno::kEFAULT);
    }
}

TEST(Sigreturn, KeepsPrivilegedFlags) {
    Pushed p;
    auto uc = p.uc();
    uc.mcontext.eflags = 0x3000 | (1u << 17) | (1u << 14) | (1u << 21) | 0x1;  // IOPL 3, VM, NT, ID, CF; IF clear
    p.set(uc);
    p.regs.rflags = 0x202;
    ASSERT_TRUE(restore_signal_frame(p.regs, p.memory, p.fpu.image));
    EXPECT_EQ(p.regs.rflags, 0x203u) << "only CF came from the frame";
}

TEST(Sigreturn, RefusesFpuStateTheCpuWouldFaultOn) {
    auto forge = [](auto change) {
        Pushed p;
        uint64_t fpstate = p.uc().mcontext.fpstate;
        change(p.memory, fpstate);
        return p.sigreturn();
    };
    EXPECT_EQ(forge([](FakeMemory& m, uint64_t fp) { m.put<uint32_t>(fp + 24, 0xffffffff); }), lib::Errno::kEFAULT)
        << "reserved MXCSR bits";
    EXPECT_EQ(forge([](FakeMemory& m, uint64_t fp) { m.put<uint64_t>(fp + 512, 0x8000'0000'0007); }),
              lib::Errno::kEFAULT)
        << "a component XCR0 lacks";
    EXPECT_EQ(forge([](FakeMemory& m, uint64_t fp) { m.put<uint64_t>(fp + 520, 1ULL << 63); }), lib::Errno::kEFAULT)
        << "compacted format";
    EXPECT_EQ(forge([](FakeMemory& m, uint64_t fp) { m.put<uint8_t>(fp + 512 + 40, 1); }), lib::Errno::kEFAULT)
        << "reserved header bytes";
    EXPECT_EQ(forge([](FakeMemory&, uint64_t) {}), lib::Errno::kNone) << "untouched";
    {
        Pushed p;
        auto uc = p.uc();
        uc.mcontext.fpstate += 8;
        p.set(uc);
        EXPECT_EQ(p.sigreturn(), lib::Errno::kEFAULT) << "misaligned";
        uc.mcontext.fpstate = 0x10000;
        p.set(uc);
        EXPECT_EQ(p.sigreturn(), lib::Errno::kEFAULT) << "unreadable";
        uc.mcontext.fpstate = 0;
        p.set(uc);
        arch::InterruptFrame regs = p.regs;
        auto result = restore_signal_frame(regs, p.memory, p.fpu.image);
        ASSERT_TRUE(result);
        EXPECT_FALSE(result.value().fpu_restored) << "no image: the FPU is reset";
    }
    {
        // A broken second magic: the FXSAVE part alone is taken, the rest
        // back to its initial state (XSTATE_BV = x87|SSE).
        Pushed p;
        uint64_t fpstate = p.uc().mcontext.fpstate;
        p.memory.put<uint32_t>(fpstate + kXsaveBytes, 0);
        ASSERT_EQ(p.sigreturn(), lib::Errno::kNone);
        arch::InterruptFrame regs = p.regs;
        ASSERT_TRUE(restore_signal_frame(regs, p.memory, p.fpu.image));
        uint64_t bv;
        memcpy(&bv, p.fpu.bytes.data() + 512, 8);
        EXPECT_EQ(bv, 0x3u);
    }
}

// ---- the reference: the frame the host's Linux builds for a real handler

struct Observed {
    uint64_t frame, info, uc, fpstate, interrupted_sp, uc_flags, xstate_size, xfeatures;
    uint64_t rip_in_frame, restorer;
    bool seen;
};
Observed g_observed;

void observe(int, siginfo_t* info, void* context) {
    auto* uc = static_cast<ucontext_t*>(context);
    g_observed.uc = reinterpret_cast<uint64_t>(uc);
    g_observed.frame = g_observed.uc - 8;
    g_observed.info = reinterpret_cast<uint64_t>(info);
    g_observed.fpstate = reinterpret_cast<uint64_t>(uc->uc_mcontext.fpregs);
    g_observed.interrupted_sp = uint64_t(uc->uc_mcontext.gregs[REG_RSP]);
    g_observed.uc_flags = uc->uc_flags;
    uapi::FpxSwBytes sw;
    memcpy(&sw, reinterpret_cast<uint8_t*>(uc->uc_mcontext.fpregs) + 464, sizeof sw);
    g_observed.xstate_size = sw.magic1 == uapi::kFP_XSTATE_MAGIC1 ? sw.xstate_size : 512;
    g_observed.xfeatures = sw.xfeatures;
    memcpy(&g_observed.restorer, reinterpret_cast<void*>(g_observed.frame), 8);
    g_observed.seen = true;
}

TEST(SignalFrameReference, SamePlacementAsTheHostKernel) {
    struct sigaction sa = {}, old;
    sa.sa_sigaction = observe;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    ASSERT_EQ(sigaction(SIGUSR1, &sa, &old), 0);
    g_observed = {};
    raise(SIGUSR1);
    sigaction(SIGUSR1, &old, nullptr);
    ASSERT_TRUE(g_observed.seen);
    bool xsave = (g_observed.uc_flags & uapi::kUC_FP_XSTATE) != 0;
    EXPECT_EQ(g_observed.uc_flags & ~uapi::kUC_FP_XSTATE, uapi::kUC_SIGCONTEXT_SS | uapi::kUC_STRICT_RESTORE_SS);
    EXPECT_EQ(g_observed.info, g_observed.frame + 312);

    // Our builder on the same interrupted RSP and the same FPU image size.
    std::vector<uint8_t> image(g_observed.xstate_size);
    UserFpuImage fpu{{image.data(), image.size()}, xsave, g_observed.xfeatures, 0xffff};
    uint64_t top = g_observed.interrupted_sp;
    FakeMemory memory(top - 64 * 1024, 64 * 1024);
    arch::InterruptFrame regs{};
    regs.rsp = top;
    AltStack alt;
    FrameRequest request = request_for(uapi::kSIGUSR1, uapi::kSA_SIGINFO);
    request.action.handler = reinterpret_cast<uint64_t>(observe);
    request.action.restorer = g_observed.restorer;
    ASSERT_TRUE(push_signal_frame(regs, request, alt, fpu, memory));
    EXPECT_EQ(regs.rsp, g_observed.frame) << "the handler's RSP";
    EXPECT_EQ(regs.rsi, g_observed.info);
    EXPECT_EQ(regs.rdx, g_observed.uc);
    EXPECT_EQ(memory.at<uapi::Ucontext>(regs.rdx).mcontext.fpstate, g_observed.fpstate);
}

}  // namespace
}  // namespace proc
