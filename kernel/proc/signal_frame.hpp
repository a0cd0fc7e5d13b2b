// The x86_64 signal frame: building Linux's rt_sigframe on the user stack
// for a handler, and taking it apart again in rt_sigreturn(2) with
// everything a program could have forged checked (docs/signals.md §3).
// Pure functions over the user registers (arch::InterruptFrame) and a small
// user-memory interface, so host tests run them on a simulated stack.
//
//   handler's RSP -> | pretcode (sa_restorer) |  <- 8 mod 16, as after a CALL
//                    | ucontext (uc_mcontext: registers, uc_sigmask, uc_stack)
//                    | siginfo                |
//                    | (padding)              |
//   64-byte aligned  | FPU image: FXSAVE (512 bytes) [+ XSAVE rest + MAGIC2]
//                    | (padding)              |
//                    | 128-byte red zone      |  (not on a fresh alternate stack)
//   interrupted RSP  ...
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_signal.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/proc/signal_set.hpp"
#include "kernel/proc/signal_state.hpp"
#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace proc {

// User memory as the frame code reaches it: uaccess in the kernel, an
// array in the host tests. Each returns false when the range is not
// (entirely) accessible.
class UserMemory {
public:
    virtual bool read(void* destination, uint64_t address, size_t size) = 0;
    virtual bool write(uint64_t address, const void* source, size_t size) = 0;

protected:
    ~UserMemory() = default;
};

// The thread's extended state in the layout user space sees: the standard
// (non-compacted) XSAVE format (Intel SDM Vol. 1 §13.4) when `xsave`,
// else the 512-byte FXSAVE image alone.
struct UserFpuImage {
    lib::Span<uint8_t> bytes;  // FXSAVE: 512; XSAVE: CPUID.(EAX=0DH,ECX=0):EBX for XCR0
    bool xsave = false;
    uint64_t features = 0;    // XCR0: the components the image may hold
    uint32_t mxcsr_mask = 0;  // MXCSR bits the CPU supports (FXSAVE's MXCSR_MASK; 0: 0xffbf)
};

// The bytes of stack a frame takes at most, beyond the red zone: what
// sigaltstack users must leave room for (AT_MINSIGSTKSZ).
uint64_t signal_frame_size(const UserFpuImage& fpu);

struct FrameRequest {
    int signal = 0;
    uapi::Siginfo info{};
    uapi::KernelSigaction action{};
    SignalSet saved_mask = 0;  // uc_sigmask: mask_to_save()
    // The exception that raised the signal, for uc_mcontext (0 otherwise).
    uint64_t trap_number = 0;
    uint64_t error_code = 0;
    uint64_t fault_address = 0;
};

// Pushes the frame for `request` and points `regs` at the handler (RDI the
// signal, RSI &info, RDX &uc, RSP the frame; DF, TF and RF cleared). Uses
// the alternate stack for SA_ONSTACK when it is set up and not in use, and
// disarms an SS_AUTODISARM stack. EFAULT when there is no restorer
// (x86_64 programs must give SA_RESTORER), the stack cannot be written, or
// the frame would overflow the alternate stack: the caller then forces
// SIGSEGV. `fpu` is the thread's current extended state; the caller resets
// the registers to their initial state for the handler.
lib::Expected<void> push_signal_frame(arch::InterruptFrame& regs, const FrameRequest& request, AltStack& alt_stack,
                                      const UserFpuImage& fpu, UserMemory& memory);

struct SigreturnResult {
    SignalSet mask = 0;         // the mask to restore (SIGKILL, SIGSTOP left out)
    uapi::StackT alt_stack{};   // uc_stack: sigaltstack(2) it again (errors ignored)
    bool fpu_restored = false;  // `fpu.bytes` holds the state to load; else reset it
};

// rt_sigreturn(2): the frame is at RSP - 8 (the handler's RET popped
// pretcode). Restores the general registers, RIP and the RFLAGS bits a
// program may change; refuses (EFAULT: the caller forces SIGSEGV, as Linux
// ends up doing) a frame that cannot be read, a code or stack selector
// other than the user ones, a non-canonical or kernel-half RIP, and an
// FPU image the CPU would fault on (reserved MXCSR bits, an XSAVE header
// with unknown components, a compacted format or non-zero reserved bytes).
// On success RAX is the interrupted code's RAX: the caller must not treat
// it as a system call's result (no restart).
lib::Expected<SigreturnResult> restore_signal_frame(arch::InterruptFrame& regs, UserMemory& memory,
                                                    const UserFpuImage& fpu);

}  // namespace proc
