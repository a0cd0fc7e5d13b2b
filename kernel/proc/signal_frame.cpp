// The x86_64 signal frame (signal_frame.hpp). The layout is Linux's
// (arch/x86 signal.c's get_sigframe and setup_rt_frame): programs and
// debuggers read it, and glibc's restorer hands it back to rt_sigreturn.
#include "kernel/proc/signal_frame.hpp"

#include "kernel/arch/x86_64/descriptors.hpp"
#include "lib/x86_64/registers.hpp"

namespace proc {
namespace {

constexpr uint64_t kRedZone = 128;              // the System V AMD64 ABI's red zone below RSP (§3.2.2)
constexpr uint64_t kFpuAlignment = 64;          // XSAVE needs 64 bytes (SDM Vol. 1 §13.4), FXSAVE 16
constexpr uint64_t kLowerHalfEnd = 1ULL << 47;  // 48-bit canonical lower half (SDM Vol. 1 §3.3.7.1)

// XSAVE header (SDM Vol. 1 §13.4.2), after the 512-byte legacy area.
constexpr size_t kXstateBvOffset = uapi::kFxsaveSize;
constexpr size_t kXcompBvOffset = uapi::kFxsaveSize + 8;
constexpr uint64_t kLegacyFeatures = 0x3;       // x87 and SSE: all an FXSAVE image holds
constexpr uint32_t kDefaultMxcsrMask = 0xffbf;  // when FXSAVE reports 0 (SDM Vol. 1 §11.6.6)

// RFLAGS bits rt_sigreturn takes from the frame (Linux's FIX_EFLAGS): the
// arithmetic flags, DF, TF, RF and AC; never IF, IOPL, VM or NT.
constexpr uint64_t kRestorableFlags = (1ULL << 0) | (1ULL << 2) | (1ULL << 4) | (1ULL << 6) | (1ULL << 7) |
                                      (1ULL << 11) | x86_64::rflags::kTrap | x86_64::rflags::kDirection | (1ULL << 16) |
                                      x86_64::rflags::kAlignmentCheck;
constexpr uint64_t kHandlerClearedFlags = x86_64::rflags::kTrap | x86_64::rflags::kDirection | (1ULL << 16);

lib::Error fault(const char* message) {
    return lib::Error::make(lib::Errno::kEFAULT, message);
}

constexpr uint64_t round_down(uint64_t value, uint64_t alignment) {
    return value & ~(alignment - 1);
}

size_t fpu_frame_bytes(const UserFpuImage& fpu) {
    return fpu.bytes.size() + (fpu.xsave ? uapi::kFP_XSTATE_MAGIC2_SIZE : 0);
}

template <typename T>
T load(const uint8_t* bytes) {
    T value;
    __builtin_memcpy(&value, bytes, sizeof value);
    return value;
}

uapi::Sigcontext sigcontext_of(const arch::InterruptFrame& regs, const FrameRequest& request, uint64_t fpstate) {
    uapi::Sigcontext sc{};
    sc.r8 = regs.r8, sc.r9 = regs.r9, sc.r10 = regs.r10, sc.r11 = regs.r11;
    sc.r12 = regs.r12, sc.r13 = regs.r13, sc.r14 = regs.r14, sc.r15 = regs.r15;
    sc.rdi = regs.rdi, sc.rsi = regs.rsi, sc.rbp = regs.rbp, sc.rbx = regs.rbx;
    sc.rdx = regs.rdx, sc.rax = regs.rax, sc.rcx = regs.rcx, sc.rsp = regs.rsp;
    sc.rip = regs.rip;
    sc.eflags = regs.rflags;
    sc.cs = uint16_t(regs.cs);
    sc.ss = uint16_t(regs.ss);
    sc.err = request.error_code;
    sc.trapno = request.trap_number;
    sc.oldmask = request.saved_mask;
    sc.cr2 = request.fault_address;
    sc.fpstate = fpstate;
    return sc;
}

// Reads and checks the FPU image at `address` into `fpu.bytes` (Linux's
// fpu__restore_sig: an XSAVE image only with both magic numbers right,
// else the FXSAVE part alone).
lib::Expected<void> restore_fpu(uint64_t address, UserMemory& memory, const UserFpuImage& fpu) {
    uint8_t* bytes = fpu.bytes.data();
    size_t capacity = fpu.bytes.size();
    if (address % (fpu.xsave ? kFpuAlignment : 16) != 0) return fault("sigreturn: misaligned FPU image");
    uapi::Fpstate legacy;
    if (!memory.read(&legacy, address, sizeof legacy)) return fault("sigreturn: FPU image not readable");
    uint32_t supported = fpu.mxcsr_mask ? fpu.mxcsr_mask : kDefaultMxcsrMask;
    if (legacy.mxcsr & ~supported) return fault("sigreturn: reserved MXCSR bits set");
    __builtin_memset(bytes, 0, capacity);
    __builtin_memcpy(bytes, &legacy, sizeof legacy);
    if (!fpu.xsave) return {};

    const uapi::FpxSwBytes& sw = legacy.sw_reserved;
    bool extended = sw.magic1 == uapi::kFP_XSTATE_MAGIC1 &&
                    sw.xstate_size >= uapi::kFxsaveSize + uapi::kXsaveHeaderSize && sw.xstate_size <= capacity &&
                    sw.xstate_size <= sw.extended_size;
    uint32_t magic2 = 0;
    if (extended &&
        (!memory.read(&magic2, address + sw.xstate_size, sizeof magic2) || magic2 != uapi::kFP_XSTATE_MAGIC2))
        extended = false;
    if (!extended) {
        // An FXSAVE image: x87 and SSE from it, the rest in its initial state.
        uint64_t features = kLegacyFeatures & fpu.features;
        __builtin_memcpy(bytes + kXstateBvOffset, &features, sizeof features);
        return {};
    }
    if (!memory.read(bytes + sizeof legacy, address + sizeof legacy, sw.xstate_size - sizeof legacy))
        return fault("sigreturn: XSAVE image not readable");
    // What XRSTOR would fault on (SDM Vol. 1 §13.8.1): components the
    // kernel did not enable, the compacted form, reserved header bytes.
    uint64_t xstate_bv = load<uint64_t>(bytes + kXstateBvOffset);
    if (xstate_bv & ~fpu.features) return fault("sigreturn: XSAVE image with unknown components");
    if (load<uint64_t>(bytes + kXcompBvOffset) != 0) return fault("sigreturn: compacted XSAVE image");
    for (size_t i = 16; i < uapi::kXsaveHeaderSize; ++i)
        if (bytes[kXstateBvOffset + i] != 0) return fault("sigreturn: reserved XSAVE header bytes set");
    // Components the program did not list come back in their initial state.
    xstate_bv &= sw.xfeatures | kLegacyFeatures;
    __builtin_memcpy(bytes + kXstateBvOffset, &xstate_bv, sizeof xstate_bv);
    return {};
}

}  // namespace

uint64_t signal_frame_size(const UserFpuImage& fpu) {
    // The FPU image and its alignment, then the frame, its 16-byte
    // alignment and the 8 bytes that make RSP look like after a CALL.
    return fpu_frame_bytes(fpu) + (kFpuAlignment - 1) + sizeof(uapi::RtSigframe) + 15 + 8;
}

lib::Expected<void> push_signal_frame(arch::InterruptFrame& regs, const FrameRequest& request, AltStack& alt_stack,
                                      const UserFpuImage& fpu, UserMemory& memory) {
    if (!(request.action.flags & uapi::kSA_RESTORER)) return fault("signal: handler without SA_RESTORER");
    const uint64_t interrupted_sp = regs.rsp;
    bool nested_on_alt = alt_stack.contains(interrupted_sp);
    uint64_t sp = interrupted_sp - kRedZone;
    bool entering_alt = false;
    if ((request.action.flags & uapi::kSA_ONSTACK) && alt_stack.size != 0 && !alt_stack.contains(sp)) {
        sp = alt_stack.sp + alt_stack.size;
        entering_alt = true;
    }
    uint64_t fpstate = round_down(sp - fpu_frame_bytes(fpu), kFpuAlignment);
    uint64_t frame = round_down(fpstate - sizeof(uapi::RtSigframe), 16) - 8;
    // sigaltstack(2): a frame that would not fit is an overflow, not a
    // silent write below the stack.
    if ((nested_on_alt || entering_alt) && !alt_stack.within(frame))
        return fault("signal: the frame does not fit on the alternate stack");

    if (fpu.xsave) {
        // The software bytes of the FXSAVE area say an XSAVE image follows
        // (they are free for software: SDM Vol. 1 §10.5.1).
        uapi::FpxSwBytes sw{};
        sw.magic1 = uapi::kFP_XSTATE_MAGIC1;
        sw.xstate_size = uint32_t(fpu.bytes.size());
        sw.extended_size = uint32_t(fpu.bytes.size() + uapi::kFP_XSTATE_MAGIC2_SIZE);
        sw.xfeatures = fpu.features;
        __builtin_memcpy(fpu.bytes.data() + offsetof(uapi::Fpstate, sw_reserved), &sw, sizeof sw);
    }
    if (!memory.write(fpstate, fpu.bytes.data(), fpu.bytes.size())) return fault("signal: stack not writable");
    if (fpu.xsave) {
        uint32_t magic2 = uapi::kFP_XSTATE_MAGIC2;
        if (!memory.write(fpstate + fpu.bytes.size(), &magic2, sizeof magic2))
            return fault("signal: stack not writable");
    }

    uapi::RtSigframe out{};
    out.pretcode = request.action.restorer;
    out.uc.flags = uapi::kUC_SIGCONTEXT_SS | uapi::kUC_STRICT_RESTORE_SS | (fpu.xsave ? uapi::kUC_FP_XSTATE : 0);
    out.uc.stack = alt_stack.report(interrupted_sp);
    out.uc.mcontext = sigcontext_of(regs, request, fpstate);
    out.uc.sigmask = request.saved_mask;
    if (request.action.flags & uapi::kSA_SIGINFO) out.info = request.info;
    if (!memory.write(frame, &out, sizeof out)) return fault("signal: stack not writable");

    if (alt_stack.flags & uapi::kSS_AUTODISARM) alt_stack.disarm();
    regs.rdi = uint64_t(request.signal);
    regs.rsi = frame + offsetof(uapi::RtSigframe, info);
    regs.rdx = frame + offsetof(uapi::RtSigframe, uc);
    regs.rax = 0;
    regs.rsp = frame;
    regs.rip = request.action.handler;
    regs.cs = arch::kUserCodeSelector;
    regs.ss = arch::kUserDataSelector;
    regs.rflags &= ~kHandlerClearedFlags;
    return {};
}

lib::Expected<SigreturnResult> restore_signal_frame(arch::InterruptFrame& regs, UserMemory& memory,
                                                    const UserFpuImage& fpu) {
    uint64_t frame = regs.rsp - 8;
    uapi::Ucontext uc;
    if (!memory.read(&uc, frame + offsetof(uapi::RtSigframe, uc), sizeof uc))
        return fault("sigreturn: frame not readable");
    const uapi::Sigcontext& sc = uc.mcontext;
    // What IRET would fault on in Linux (and what SYSRET must never see):
    // another code segment, another stack segment when the frame asks for
    // it to be restored strictly, a RIP outside the lower canonical half.
    if ((sc.cs | 3) != arch::kUserCodeSelector) return fault("sigreturn: not the user code segment");
    if ((uc.flags & uapi::kUC_STRICT_RESTORE_SS) && (sc.ss | 3) != arch::kUserDataSelector)
        return fault("sigreturn: not the user stack segment");
    if (sc.rip >= kLowerHalfEnd) return fault("sigreturn: RIP outside user space");

    SigreturnResult result;
    if (sc.fpstate != 0) {
        TRY(restore_fpu(sc.fpstate, memory, fpu));
        result.fpu_restored = true;
    }
    regs.r8 = sc.r8, regs.r9 = sc.r9, regs.r10 = sc.r10, regs.r11 = sc.r11;
    regs.r12 = sc.r12, regs.r13 = sc.r13, regs.r14 = sc.r14, regs.r15 = sc.r15;
    regs.rdi = sc.rdi, regs.rsi = sc.rsi, regs.rbp = sc.rbp, regs.rbx = sc.rbx;
    regs.rdx = sc.rdx, regs.rax = sc.rax, regs.rcx = sc.rcx, regs.rsp = sc.rsp;
    regs.rip = sc.rip;
    regs.rflags = (regs.rflags & ~kRestorableFlags) | (sc.eflags & kRestorableFlags);
    regs.cs = arch::kUserCodeSelector;
    regs.ss = arch::kUserDataSelector;
    result.mask = uc.sigmask & ~kUnblockableSignals;
    result.alt_stack = uc.stack;
    return result;
}

}  // namespace proc
