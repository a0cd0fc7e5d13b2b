// Which signal, si_code and si_addr an exception in user mode raises, as
// Linux's x86 trap handlers choose them (arch/x86/kernel/traps.c and
// fpu's exception code; Intel SDM Vol. 3A §6.15 for the vectors). Pure:
// the caller gives what the CPU said (vector, error code, RIP) and, for
// the x87 and SIMD exceptions, the FPU's status and control words.
#pragma once

#include <stdint.h>

#include "kernel/abi/linux_signal.hpp"

namespace proc {

struct FaultSignal {
    int signal = 0;  // 0: nothing to raise (a spurious FPU exception)
    int code = 0;
    uint64_t address = 0;
};

// SDM Vol. 3A Table 6-1.
namespace trap_vector {
inline constexpr uint64_t kDivideError = 0;
inline constexpr uint64_t kDebug = 1;
inline constexpr uint64_t kBreakpoint = 3;
inline constexpr uint64_t kOverflow = 4;
inline constexpr uint64_t kBoundRange = 5;
inline constexpr uint64_t kInvalidOpcode = 6;
inline constexpr uint64_t kSegmentNotPresent = 11;
inline constexpr uint64_t kStackSegment = 12;
inline constexpr uint64_t kGeneralProtection = 13;
inline constexpr uint64_t kPageFault = 14;
inline constexpr uint64_t kX87FloatingPoint = 16;
inline constexpr uint64_t kAlignmentCheck = 17;
inline constexpr uint64_t kSimdFloatingPoint = 19;
}  // namespace trap_vector

// The FPU exception's si_code (Linux's fpu__exception_code): from the x87
// status word against its control word's masks, or from MXCSR's flags
// against its own masks (bits 7..12 mask flags 0..5). 0 when no unmasked
// exception is flagged.
constexpr int fpu_exception_code(uint64_t vector, uint16_t x87_status, uint16_t x87_control, uint32_t mxcsr) {
    uint32_t flagged =
        vector == trap_vector::kX87FloatingPoint ? uint32_t(x87_status & ~x87_control) : (~(mxcsr >> 7) & mxcsr);
    if (flagged & 0x01) return uapi::kFPE_FLTINV;  // invalid operation (and x87 stack faults)
    if (flagged & 0x04) return uapi::kFPE_FLTDIV;  // divide by zero
    if (flagged & 0x08) return uapi::kFPE_FLTOVF;  // overflow
    if (flagged & 0x12) return uapi::kFPE_FLTUND;  // denormal, underflow
    if (flagged & 0x20) return uapi::kFPE_FLTRES;  // precision
    return 0;
}

// A non-page-fault exception. `debug_single_step`: DR6.BS was set (#DB).
constexpr FaultSignal fault_signal(uint64_t vector, uint64_t rip, bool debug_single_step = false, int fpu_code = 0) {
    switch (vector) {
        case trap_vector::kDivideError: return {uapi::kSIGFPE, uapi::kFPE_INTDIV, rip};
        case trap_vector::kDebug:
            return {uapi::kSIGTRAP, debug_single_step ? uapi::kTRAP_TRACE : uapi::kTRAP_BRKPT, rip};
        case trap_vector::kBreakpoint: return {uapi::kSIGTRAP, uapi::kSI_KERNEL, 0};
        case trap_vector::kInvalidOpcode: return {uapi::kSIGILL, uapi::kILL_ILLOPN, rip};
        case trap_vector::kSegmentNotPresent:
        case trap_vector::kStackSegment: return {uapi::kSIGBUS, uapi::kSI_KERNEL, 0};
        case trap_vector::kAlignmentCheck: return {uapi::kSIGBUS, uapi::kBUS_ADRALN, 0};
        case trap_vector::kX87FloatingPoint:
        case trap_vector::kSimdFloatingPoint:
            return fpu_code ? FaultSignal{uapi::kSIGFPE, fpu_code, rip} : FaultSignal{};
        default: return {uapi::kSIGSEGV, uapi::kSI_KERNEL, 0};  // #GP, #OF, #BR and the rest
    }
}

// A page fault the memory manager could not resolve: no mapping there (or
// not user memory at all), or a mapping without the right (SEGV_ACCERR);
// `bus_error`: a file mapping beyond its file's end (SIGBUS, BUS_ADRERR).
constexpr FaultSignal page_fault_signal(uint64_t address, bool mapped, bool bus_error) {
    if (bus_error) return {uapi::kSIGBUS, uapi::kBUS_ADRERR, address};
    return {uapi::kSIGSEGV, mapped ? uapi::kSEGV_ACCERR : uapi::kSEGV_MAPERR, address};
}

}  // namespace proc
