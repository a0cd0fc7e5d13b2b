// The labels of loader/smp/trampoline.S: the code to copy and the fields of
// its parameter block. Only their addresses are used, as offsets from
// smp_trampoline_start (trampoline.cpp fills the block; the host tests check
// the offsets against the assembled file).
#pragma once

#include <stdint.h>

extern "C" {
extern const uint8_t smp_trampoline_start[];
extern const uint8_t smp_trampoline_end[];
extern const uint8_t smp_trampoline_protected_mode[];
extern const uint8_t smp_trampoline_long_mode[];
extern const uint8_t smp_trampoline_park[];
extern const uint8_t smp_trampoline_gdt[];
extern const uint8_t smp_tp_temporary_gdtr[];
extern const uint8_t smp_tp_kernel_gdtr[];
extern const uint8_t smp_tp_far_jump_32[];
extern const uint8_t smp_tp_far_jump_64[];
extern const uint8_t smp_tp_cr0[];
extern const uint8_t smp_tp_cr4[];
extern const uint8_t smp_tp_efer_set[];
extern const uint8_t smp_tp_temporary_cr3[];
extern const uint8_t smp_tp_set_pat[];
extern const uint8_t smp_tp_enable_x2apic[];
extern const uint8_t smp_tp_started[];
extern const uint8_t smp_tp_alive[];
extern const uint8_t smp_tp_kernel_cr3[];
extern const uint8_t smp_tp_code_selector[];
extern const uint8_t smp_tp_data_selector[];
extern const uint8_t smp_tp_pat[];
extern const uint8_t smp_tp_stack_top[];
extern const uint8_t smp_tp_info[];
extern const uint8_t smp_tp_park[];
extern const uint8_t smp_tp_lapic_count[];
extern const uint8_t smp_tp_lapic_writes[];
}
