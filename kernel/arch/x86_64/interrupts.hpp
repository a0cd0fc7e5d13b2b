// Interrupt and exception entry: the one frame type every vector's stub
// builds (kernel/arch/x86_64/interrupt_stubs.S), and the dispatch to
// handlers. Exceptions (vectors 0..31) are handled in exceptions.cpp; other
// vectors go to a handler registered here, or are reported as unexpected.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/debug/panic.hpp"

namespace arch {

// The stack at the moment the stub calls into C++, lowest address first:
// the general registers the stub pushed, the vector and error code (0 for
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
// Offsets the stub relies on (interrupt_stubs.S).
static_assert(offsetof(InterruptFrame, rax) == 14 * 8);
static_assert(offsetof(InterruptFrame, vector) == 15 * 8);
static_assert(offsetof(InterruptFrame, rip) == 17 * 8);

// The interrupted code's registers in the panic report's shape.
debug::Registers registers_from_frame(const InterruptFrame& frame);

// A handler for an external vector (32..255). Runs with interrupts off on
// the interrupted stack (or its IST stack); returning resumes the
// interrupted code.
using InterruptHandler = void (*)(InterruptFrame& frame);

// Installs (or, with nullptr, removes) the handler of `vector` (>= 32).
// Exceptions have fixed handlers and are refused.
bool set_interrupt_handler(uint8_t vector, InterruptHandler handler);

// The NMI's handler (runs on the NMI IST stack), e.g. for the panic's
// stop-other-CPUs broadcast. Without one an NMI is reported and panics.
void set_nmi_handler(InterruptHandler handler);

// How many #BP (int3) this CPU has resumed from: a breakpoint is reported on
// the log and execution continues after the int3.
uint64_t breakpoint_count();

}  // namespace arch

// The C++ side of the stubs: called with the frame on the handler's stack.
extern "C" void arch_handle_interrupt(arch::InterruptFrame* frame);
