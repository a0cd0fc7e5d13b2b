// Handing the CPU to the kernel (docs/limine-protocol.md §3). See handoff.S.
#pragma once

#include <stdint.h>

#include "lib/expected.hpp"
#include "loader/gdt.hpp"

namespace loader {

struct __attribute__((packed)) Gdtr {
    uint16_t limit;
    uint64_t base;
};

// Lives in one page below 4 GiB that the kernel's tables identity-map (the
// 5-level path uses it as a stack in 32-bit code); offsets fixed for handoff.S.
struct HandoffState {
    uint64_t cr3;
    uint64_t stack_top;  // HHDM virtual
    uint64_t entry;
    uint64_t five_level;
    Gdtr gdtr_physical;  // base = the GDT's physical address (for the 5-level detour)
    uint8_t pad0[6];
    Gdtr gdtr_virtual;  // base = the GDT's HHDM address (what the kernel keeps)
    uint8_t pad1[6];
};
static_assert(__builtin_offsetof(HandoffState, five_level) == 24);
static_assert(__builtin_offsetof(HandoffState, gdtr_physical) == 32);
static_assert(__builtin_offsetof(HandoffState, gdtr_virtual) == 48);

// The hand-off code is position independent; it is copied to a page below
// 4 GiB (the 5-level path runs it as 32-bit code, and the firmware may have
// loaded the loader above 4 GiB), which the kernel's tables identity-map.
// Call while boot services are up; returns that page.
lib::Expected<uint64_t> place_handoff_code();

// Sets EFER.NXE (if the CPU has NX) and the PAT (docs/limine-protocol.md §2). Call after
// ExitBootServices, before building nothing else.
void prepare_cpu_state(bool nx, bool pat);

// Runs the copy made by place_handoff_code().
[[noreturn]] void hand_off(uint64_t code_page, HandoffState* state);

}  // namespace loader
