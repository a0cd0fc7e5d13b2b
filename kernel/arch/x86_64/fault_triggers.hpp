// Small functions that raise one exception each, for expect_fault() tests
// (cpu_ktests.cpp) and the deliberate fatal faults (run_fault_selftest).
// Each has the shape expect_fault wants, void(void*), and is out of line so
// a report's backtrace names it.
#pragma once

#include <stdint.h>

#include "lib/expected.hpp"

namespace arch::fault_triggers {

// The addresses the page-fault and #GP triggers use.
inline constexpr uint64_t kUnmappedLowAddress = 0x10;
inline constexpr uint64_t kNonCanonicalAddress = 0x8000'0000'0000'0000ULL;
// GDT index 583 with TI = 0, RPL 0: far beyond the kernel's 7-entry GDT.
inline constexpr uint16_t kBadSelector = 0x1238;

void read_byte(void* address);                 // #PF (or #GP if non-canonical)
void write_byte(void* address);                // #PF
void call_address(void* address);              // #PF with I/D set if not executable
void divide_by_zero(void*);                    // #DE
void single_step(void*);                       // #DB (TF)
void breakpoint(void*);                        // #BP
void invalid_opcode(void*);                    // #UD (ud2)
void x87_with_task_switched(void*);            // #NM (CR0.TS, then an x87 instruction)
void load_bad_data_selector(void*);            // #GP(selector)
void load_system_selector(void*);              // #GP(selector): the TSS selector into DS
void stack_relative_non_canonical(void*);      // #SS(0): non-canonical address through RSP
void software_interrupt_nmi(void*);            // INT 2: the NMI handler on its IST stack
void software_interrupt_machine_check(void*);  // INT 18: the #MC handler on its IST stack

// A 16 KiB stack in .bss with a not-present guard page below it, made so
// by arm_guarded_stack() (an error if the page tables do not allow it) and
// undone by disarm_guarded_stack(). overflow_guarded_stack recurses on it
// without bound: the #PF on the guard page can not push its frame on the
// same stack, so the CPU raises #DF, which arrives on its IST stack.
[[nodiscard]] lib::Expected<void> arm_guarded_stack();
void disarm_guarded_stack();
void overflow_guarded_stack(void*);
// The guarded stack's bounds, for checks.
uint64_t guarded_stack_bottom();
uint64_t guarded_stack_top();

// The execute test's target: a `ret` in writable, non-executable data.
void* data_page_code();

}  // namespace arch::fault_triggers
