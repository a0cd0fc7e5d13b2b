// The CPU state the loader handed over, recorded by kernel/boot/entry.S
// before anything changed it, so the boot protocol tests can check docs/limine-protocol.md
// §3 (registers zero, return address 0, flags, control registers,
// EFER, selectors, GDT). Offsets must match entry.S.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace boot {

struct [[gnu::packed]] EntryState {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rflags;
    uint64_t return_address;  // the word at [rsp]: must be 0
    uint64_t cr0, cr3, cr4;
    uint64_t efer;
    uint16_t cs, ds, es, ss, fs, gs;
    uint16_t gdtr_limit;
    uint64_t gdtr_base;
    uint8_t entered_via_request;  // 1: through the Entry Point request's address
    uint8_t pad;
    uint64_t tsc;                 // time stamp counter right after the registers were saved
};

// The offsets entry.S writes at.
static_assert(offsetof(EntryState, rflags) == 128 && offsetof(EntryState, efer) == 168);
static_assert(offsetof(EntryState, cs) == 176 && offsetof(EntryState, gdtr_limit) == 188);
static_assert(offsetof(EntryState, entered_via_request) == 198 && offsetof(EntryState, tsc) == 200);

const EntryState& entry_state();

// The size of the stack the kernel asks the loader for (Stack Size request,
// kernel/boot/limine.cpp) and gives the boot CPU's own kernel stack later
// (kernel/mm): larger than the protocol's 64 KiB default, so that a loader
// ignoring the request is noticed by the boot tests.
inline constexpr uint64_t kBootStackSize = 128 * 1024;

struct StackRange {
    uint64_t bottom;  // lowest usable address
    uint64_t top;     // one past the highest
};

// The stack the loader entered the kernel on: RSP at entry is its top minus
// the pushed return address 0 (docs/limine-protocol.md §3), and it is
// kBootStackSize bytes large when the loader honoured the request.
StackRange loader_stack();

}  // namespace boot

extern "C" boot::EntryState boot_entry_state;
