// The registers of interrupted (or panicking) code: the one frame every
// vector's stub builds (interrupt_stubs.S), which handlers read and change,
// and which the panic report prints. Offsets are relied on by the stubs and
// by capture_registers.S.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace arch {

// The stack at the moment a stub calls into C++, lowest address first: the
// general registers the stub pushed, the vector and error code (0 for
// vectors without one, pushed by the stub to keep one layout), then what the
// CPU pushed (SDM Vol. 3A §6.14.2, Figure 6-9: in 64-bit mode SS:RSP is
// always pushed). A handler may change fields; the stub restores from them.
struct InterruptFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(InterruptFrame) == 22 * 8);
// Offsets the assembly relies on.
static_assert(offsetof(InterruptFrame, rbp) == 8 * 8);
static_assert(offsetof(InterruptFrame, rax) == 14 * 8);
static_assert(offsetof(InterruptFrame, vector) == 15 * 8);
static_assert(offsetof(InterruptFrame, rip) == 17 * 8);
static_assert(offsetof(InterruptFrame, rflags) == 19 * 8);
static_assert(offsetof(InterruptFrame, rsp) == 20 * 8);

}  // namespace arch

// Fills *out with this CPU's registers as they are inside the caller: RIP
// and RSP as after the call returns, CS and SS as loaded, vector and error
// code 0 (capture_registers.S).
extern "C" void arch_capture_registers(arch::InterruptFrame* out);
