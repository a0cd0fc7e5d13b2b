// The kernel's GDT layout, the 64-bit TSS and IDT gates as typed, constexpr
// encoders (Intel SDM Vol. 3A §8.7 / Figure 8-11 "64-Bit TSS Format",
// §6.14.1 / Figure 6-8 "64-Bit IDT Gate Descriptors"); the segment and TSS
// descriptor encodings themselves come from lib/x86_64/descriptors.hpp.
// Pure values, no asm: host-tested in descriptors_test.cpp.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86_64/interrupt_frame_asm.h"
#include "lib/x86_64/descriptors.hpp"

namespace arch {

// Selectors and code/data/TSS descriptor encodings are hardware facts shared
// with the loader (lib/x86_64/descriptors.hpp); arch names them here.
using x86_64::code_segment;
using x86_64::data_segment;
using x86_64::descriptor_dpl;
using x86_64::make_selector;
using x86_64::PrivilegeLevel;
using x86_64::SegmentWidth;
using x86_64::SystemDescriptor;
using x86_64::system_descriptor_base;
using x86_64::system_descriptor_limit;
using x86_64::tss_descriptor;
namespace descriptor_bits = x86_64::descriptor_bits;

// The kernel's GDT. The order is the one SYSCALL/SYSRET impose (SDM Vol. 2B,
// SYSRET: SS = STAR[63:48] + 8, 64-bit CS = STAR[63:48] + 16), so user data
// sits directly below user code; the TSS takes two slots (16 bytes). The
// user selectors are Linux's (__USER_DS 0x2b, __USER_CS 0x33), which
// programs see in their signal frames; slots 3 and 4 stay null (Linux's
// per-CPU and 32-bit user code segments: no compatibility mode here).
namespace gdt_index {
inline constexpr uint16_t kNull = 0;
inline constexpr uint16_t kKernelCode = 1;
inline constexpr uint16_t kKernelData = 2;
inline constexpr uint16_t kSysretBase = 4;  // STAR[63:48]: the selector SYSRET adds 8 and 16 to
inline constexpr uint16_t kUserData = 5;
inline constexpr uint16_t kUserCode = 6;
inline constexpr uint16_t kTss = 7;  // and 8
inline constexpr uint16_t kCount = 9;
}  // namespace gdt_index

inline constexpr uint16_t kKernelCodeSelector = make_selector(gdt_index::kKernelCode);                     // 0x08
inline constexpr uint16_t kKernelDataSelector = make_selector(gdt_index::kKernelData);                     // 0x10
inline constexpr uint16_t kSysretBaseSelector = make_selector(gdt_index::kSysretBase, PrivilegeLevel::kUser);  // 0x23
inline constexpr uint16_t kUserDataSelector = make_selector(gdt_index::kUserData, PrivilegeLevel::kUser);  // 0x2b
inline constexpr uint16_t kUserCodeSelector = make_selector(gdt_index::kUserCode, PrivilegeLevel::kUser);  // 0x33
inline constexpr uint16_t kTssSelector = make_selector(gdt_index::kTss);                                   // 0x38
static_assert(kUserDataSelector == ARCH_USER_DATA_SELECTOR && kUserCodeSelector == ARCH_USER_CODE_SELECTOR,
              "interrupt_frame_asm.h names the user selectors the assembly pushes");

// The kernel's flat 64-bit segments.
constexpr uint64_t code_segment_64(PrivilegeLevel dpl) {
    return code_segment(SegmentWidth::k64, dpl);
}
constexpr uint64_t data_segment(PrivilegeLevel dpl) {
    return data_segment(SegmentWidth::k64, dpl);
}

// ---------------------------------------------------------------------------
// The 64-bit TSS (SDM §8.7, Figure 8-11). No I/O permission bitmap: an I/O
// map base at or beyond the limit means every port access from CPL3 faults.

inline constexpr size_t kIstSlots = 7;  // IST1..IST7; 0 in a gate means "no stack switch"

struct [[gnu::packed]] Tss {
    uint32_t reserved0 = 0;
    uint64_t rsp[3] = {};  // stacks for privilege changes to CPL 0..2
    uint64_t reserved1 = 0;
    uint64_t ist[kIstSlots] = {};  // ist[0] is IST1
    uint64_t reserved2 = 0;
    uint16_t reserved3 = 0;
    uint16_t io_map_base = sizeof(uint32_t) * 26;  // == sizeof(Tss): no bitmap
};
static_assert(sizeof(Tss) == 104);
static_assert(offsetof(Tss, rsp) == 4);
static_assert(offsetof(Tss, ist) == 36);
static_assert(offsetof(Tss, io_map_base) == 102);

// ---------------------------------------------------------------------------
// IDT gates (SDM §6.14.1, Figure 6-8). Interrupt gates clear IF on entry;
// trap gates leave it. The kernel uses interrupt gates throughout, so every
// handler starts with interrupts off and decides itself when to allow them.

enum class GateType : uint8_t { kInterrupt = 0xe, kTrap = 0xf };

struct GateDescriptor {
    uint64_t low;
    uint64_t high;
};

struct GateOptions {
    GateType type = GateType::kInterrupt;
    PrivilegeLevel dpl = PrivilegeLevel::kKernel;  // lowest CPL that may use INT n on it
    uint8_t ist = 0;                               // 1..7: switch to that IST stack; 0: none
};

constexpr GateDescriptor make_gate(uint64_t handler, uint16_t code_selector, GateOptions options) {
    uint64_t low = (handler & 0xffff) | (uint64_t(code_selector) << 16) | (uint64_t(options.ist & 7) << 32) |
                   (uint64_t(options.type) << 40) | (uint64_t(options.dpl) << 45) | (1ULL << 47) |
                   ((handler >> 16 & 0xffff) << 48);
    return GateDescriptor{low, handler >> 32};
}

constexpr uint64_t gate_handler(GateDescriptor g) {
    return (g.low & 0xffff) | ((g.low >> 48) << 16) | (g.high << 32);
}
constexpr uint16_t gate_selector(GateDescriptor g) {
    return uint16_t(g.low >> 16);
}
constexpr uint8_t gate_ist(GateDescriptor g) {
    return uint8_t(g.low >> 32 & 7);
}
constexpr unsigned gate_dpl(GateDescriptor g) {
    return unsigned(g.low >> 45) & 3;
}
constexpr bool gate_present(GateDescriptor g) {
    return (g.low >> 47 & 1) != 0;
}
constexpr GateType gate_type(GateDescriptor g) {
    return GateType(g.low >> 40 & 0xf);
}

// ---------------------------------------------------------------------------
// The operand of LGDT/LIDT (SDM §3.5.1, Figure 3-11; §6.10).
struct [[gnu::packed]] DescriptorTablePointer {
    uint16_t limit;  // size in bytes - 1
    uint64_t base;
};
static_assert(sizeof(DescriptorTablePointer) == 10);

}  // namespace arch
