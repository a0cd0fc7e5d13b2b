// The calling thread's user FPU/SSE/AVX registers as signal frames need
// them (docs/signals.md §3): saved from the CPU in the standard XSAVE
// format (or the FXSAVE image alone without CR4.OSXSAVE), loaded back from
// a checked image, or reset to their initial state for a handler.
//
// The kernel is built without SSE, so whatever thread is running in the
// kernel, the CPU's extended registers are its user state (the scheduler
// saves and loads them when it switches threads that run user code), so
// these work on the CPU directly. Plain XSAVE, never XSAVEOPT or XSAVEC:
// the image goes to user space, which reads the standard layout (SDM Vol. 1
// §13.4), and XSAVE writes every requested component (SDM Vol. 1 §13.7).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace proc {

struct UserFpuFormat {
    bool xsave = false;       // CR4.OSXSAVE: the XSAVE image, else FXSAVE's 512 bytes
    uint64_t features = 0;    // XCR0 (0 with FXSAVE)
    uint32_t size = 512;      // bytes of one image: CPUID.(EAX=0DH,ECX=0):EBX for XCR0
    uint32_t mxcsr_mask = 0;  // FXSAVE's MXCSR_MASK (0: the default 0xffbf)
};

// What this CPU uses (every CPU is set up alike; read on first use).
const UserFpuFormat& user_fpu_format();

// `area`: user_fpu_format().size bytes, 64-byte aligned.
void save_user_fpu(uint8_t* area);
// Loads an image restore_signal_frame() checked (XRSTOR with XCR0, or FXRSTOR).
void load_user_fpu(const uint8_t* area);
// Every component in its initial state: x87 control word 0x37f, MXCSR
// 0x1f80 (all exceptions masked), the registers zero (SDM Vol. 1 §10.2.3.1).
void reset_user_fpu();

// The x87 status and control words and MXCSR, for an FPU exception's si_code.
struct FpuExceptionState {
    uint16_t x87_status = 0, x87_control = 0;
    uint32_t mxcsr = 0;
};
FpuExceptionState fpu_exception_state();

}  // namespace proc
