// Provoking exceptions on purpose, for in-kernel tests:
//
//   arch::FaultRecord fault = arch::expect_fault(arch::vector::kPageFault, read_byte, (void*)0x10);
//   KEXPECT(fault.faulted);
//   KEXPECT_EQ(fault.cr2, 0x10u);
//
// expect_fault arms an expectation on this CPU, saves a recovery point (the
// registers, RSP, RIP and RFLAGS in an interrupt frame, like setjmp) and calls
// fn(arg). If an exception arrives while armed, the exception handler
// records it and rewrites its own return frame so that IRETQ lands back at
// the recovery point instead of at the faulting instruction: expect_fault
// returns the record and the test goes on. Exceptions are recorded whether
// or not their vector is the expected one (the test checks `vector`), except
// #BP and NMI when they are not the expected vector: those resume as usual.
// fn must not hold locks or other state that a jump out of it would leak.
#pragma once

#include <stdint.h>

#include "kernel/arch/x86_64/interrupt_frame.hpp"

namespace arch {

struct FaultRecord {
    bool faulted = false;
    uint8_t vector = 0;
    uint64_t error_code = 0;
    uint64_t cr2 = 0;            // read at entry for #PF; 0 otherwise
    uint64_t rip = 0;            // the interrupted RIP as the CPU pushed it
    uint64_t rsp = 0;            // the interrupted RSP
    uint64_t handler_stack = 0;  // where the handler's frame was (to check IST stacks)
    uint64_t dr6 = 0;            // for #DB: why
};

struct FaultExpectation {
    bool armed = false;
    uint8_t vector = 0;
    InterruptFrame recovery{};  // the state expect_fault resumes at
    FaultRecord record{};
};

FaultRecord expect_fault(uint8_t vector, void (*fn)(void*), void* arg);

}  // namespace arch

// Saves the registers as arch_capture_registers does and returns 0; returns
// 1 when an exception handler resumes the saved point (capture_registers.S).
extern "C" [[gnu::returns_twice]] uint64_t arch_save_recovery_point(arch::InterruptFrame* point);
