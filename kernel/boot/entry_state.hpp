// The CPU state the loader handed over, recorded by kernel/boot/entry.S
// before anything changed it, so the boot protocol tests can check facts
// sheet §3 (registers zero, return address 0, flags, control registers,
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

static_assert(offsetof(EntryState, rflags) == 128);
static_assert(offsetof(EntryState, efer) == 168);
static_assert(offsetof(EntryState, cs) == 176);
static_assert(offsetof(EntryState, gdtr_limit) == 188);
static_assert(offsetof(EntryState, entered_via_request) == 198);
static_assert(offsetof(EntryState, tsc) == 200);

const EntryState& entry_state();

}  // namespace boot

extern "C" boot::EntryState boot_entry_state;
