// Handing the CPU to the kernel (facts sheet §3). See handoff.S.
#pragma once

#include <stdint.h>

#include "lib/expected.hpp"

namespace loader {

struct HandoffState {
    uint64_t cr3;
    uint64_t gdtr;       // identity pointer to the Gdtr below
    uint64_t stack_top;  // HHDM virtual
    uint64_t entry;
};
static_assert(sizeof(HandoffState) == 32);

struct __attribute__((packed)) Gdtr {
    uint16_t limit;
    uint64_t base;
};

// Facts sheet §3: null, 16-bit code, 16-bit data, 32-bit code, 32-bit data,
// 64-bit code (0x28), 64-bit data (0x30).
inline constexpr uint16_t kKernelCodeSelector = 0x28;
inline constexpr uint16_t kKernelDataSelector = 0x30;
inline constexpr uint64_t kGdtEntries = 7;

// Fills `gdt` (kGdtEntries descriptors) with the Limine layout.
void fill_limine_gdt(uint64_t* gdt);

// The code range that must be identity-mapped for the CR3 switch.
uint64_t handoff_code_start();
uint64_t handoff_code_end();

// Sets EFER.NXE (if the CPU has NX) and the PAT (facts sheet §2). Call after
// ExitBootServices, before building nothing else.
void prepare_cpu_state(bool nx, bool pat);

[[noreturn]] void hand_off(const HandoffState& state);

}  // namespace loader
