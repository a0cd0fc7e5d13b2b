// Interrupt and exception entry: the frame every vector's stub builds
// (interrupt_frame.hpp, interrupt_stubs.S) and the dispatch to handlers.
// Exceptions (vectors 0..31) are handled in exceptions.cpp; other vectors go
// to a handler registered here, or are reported as unexpected.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "lib/expected.hpp"

namespace arch {

// A handler for an external vector (32..255). Runs with interrupts off on
// the interrupted stack (or its IST stack); returning resumes the
// interrupted code.
using InterruptHandler = void (*)(InterruptFrame& frame);

// Installs (or, with nullptr, removes) the handler of `vector`. Exceptions
// (vectors below 32) have fixed handlers: kInvalid for them.
[[nodiscard]] lib::Expected<void> set_interrupt_handler(uint8_t vector, InterruptHandler handler);

// The NMI's handler (runs on the NMI IST stack), e.g. for the panic's
// stop-other-CPUs broadcast. Without one an NMI is reported and panics.
void set_nmi_handler(InterruptHandler handler);

// Handlers of external vectors and the NMI handler run with this CPU's
// interrupt depth (percpu.hpp) raised by one. When an external vector's
// handler returns to code that may be preempted (the outermost interrupt,
// preempt_count() 0, the interrupted code had interrupts on), `hook` runs
// last, still with interrupts off, on the interrupted stack: the
// scheduler's way in. It switches threads there if a reschedule is pending
// (percpu.hpp: reschedule_pending(), set by the tick, a wake-up or the
// reschedule IPI). nullptr: none.
void set_trap_exit_hook(InterruptHandler hook);
// The hook installed now (a test that installs its own puts it back).
InterruptHandler trap_exit_hook();

// How many #BP (int3) this CPU has resumed from: a breakpoint is reported on
// the log and execution continues after the int3.
uint64_t breakpoint_count();

// Fault reports say what they can about the addresses involved, with help
// from layers above arch once those can answer: the symbol at a code address
// (kernel/debug) and what the memory manager knows of a data address such as
// CR2 (kernel/mm). A describer writes NUL-terminated text into `out` and
// returns its length (0: nothing to say). It runs inside the exception
// handler: it must take no lock and must not fault.
using AddressDescriber = size_t (*)(uint64_t address, char* out, size_t size);
void set_code_address_describer(AddressDescriber describer);
void set_data_address_describer(AddressDescriber describer);
// The code describer's text for `address` (" symbol+0x12"-style), or "".
void describe_code_address(uint64_t address, char* out, size_t size);

}  // namespace arch

// The C++ side of the stubs: called with the frame on the handler's stack.
extern "C" void arch_handle_interrupt(arch::InterruptFrame* frame);
