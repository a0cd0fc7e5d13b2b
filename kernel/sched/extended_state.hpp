// Each thread's extended CPU state: the x87, SSE and AVX(-512) registers,
// saved when a thread that owns such state leaves a CPU and loaded when it
// comes back. The kernel itself is compiled without SSE
// (-mgeneral-regs-only), so these registers only ever hold user state (and
// the tests'); threads that never run user code skip the save entirely.
//
// The instruction is chosen once from CPUID (SDM Vol. 1 §13.2, §13.9-13.10):
//   XSAVEOPT  standard format, skips components unchanged since the last
//             XRSTOR from the same area (the "modified optimization")
//   XSAVE     standard format
//   FXSAVE    the 512-byte legacy image (x87 + SSE), when there is no XSAVE
// XSAVEC (compacted format) is not used: a signal frame hands the image to
// user space, which expects the standard format (docs/signals.md), so a
// compacted image would have to be converted on every signal.
//
// The enabled components (XCR0) are x87, SSE and, where the CPU has them,
// AVX and the AVX-512 opmask/ZMM state: the user-state components Linux
// enables too.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace sched {

enum class ExtendedStateFormat : uint8_t { kFxsave, kXsave, kXsaveopt };

struct ExtendedStateInfo {
    ExtendedStateFormat format = ExtendedStateFormat::kFxsave;
    uint32_t size = 512;          // bytes of one save area (64-byte aligned)
    uint64_t features = 0;        // XCR0: the components an image may hold (0 with FXSAVE)
    uint32_t mxcsr_mask = 0;      // the MXCSR bits this CPU supports (FXSAVE's MXCSR_MASK)
};

// On each CPU, before it runs threads: enables SSE (CR0.MP, CR4.OSFXSR,
// OSXMMEXCPT) and, with XSAVE, CR4.OSXSAVE and XCR0. The first call (boot
// CPU) also decides the format.
void init_extended_state_this_cpu();
const ExtendedStateInfo& extended_state_info();
const char* extended_state_format_name(ExtendedStateFormat format);

// A save area in the initial state: every component in its reset value
// (x87 control word 0x37f, MXCSR 0x1f80: all exceptions masked).
void reset_extended_state(uint8_t* area);
namespace extended_state_detail {
// What init_extended_state_this_cpu decided (extended_state_info()).
extern ExtendedStateInfo g_info;
}  // namespace extended_state_detail

// Saves this CPU's registers into `area` / loads them from it (64-byte
// aligned). Inline: every switch between user threads does both, and each
// is one instruction once the format is known.
inline void save_extended_state(uint8_t* area) {
    const ExtendedStateInfo& info = extended_state_detail::g_info;
    uint32_t low = uint32_t(info.features), high = uint32_t(info.features >> 32);
    // The usual format first (a CPU with XSAVE mostly has XSAVEOPT).
    if (__builtin_expect(info.format == ExtendedStateFormat::kXsaveopt, 1))
        asm volatile("xsaveopt64 (%0)" ::"r"(area), "a"(low), "d"(high) : "memory");
    else if (info.format == ExtendedStateFormat::kXsave)
        asm volatile("xsave64 (%0)" ::"r"(area), "a"(low), "d"(high) : "memory");
    else
        asm volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

inline void load_extended_state(const uint8_t* area) {
    const ExtendedStateInfo& info = extended_state_detail::g_info;
    uint32_t low = uint32_t(info.features), high = uint32_t(info.features >> 32);
    if (info.format == ExtendedStateFormat::kFxsave)
        asm volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
    else
        asm volatile("xrstor64 (%0)" ::"r"(area), "a"(low), "d"(high) : "memory");
}

// A switch's save of `save_area` and load of `load_area` (either nullptr:
// a thread without user state). The usual case, XSAVEOPT with both areas,
// tests the format once and passes EDX:EAX all ones: the requested-feature
// bitmap is XCR0 AND EDX:EAX (SDM Vol. 1 §13.6, §13.8), which is
// g_info.features (XCR0) without loading it.
inline void switch_extended_state(uint8_t* save_area, const uint8_t* load_area) {
    if (__builtin_expect(
            extended_state_detail::g_info.format == ExtendedStateFormat::kXsaveopt && save_area && load_area, 1)) {
        asm volatile("xsaveopt64 (%0)\n\txrstor64 (%1)" ::"r"(save_area), "r"(load_area), "a"(~0u), "d"(~0u)
                     : "memory");
        return;
    }
    if (save_area) save_extended_state(save_area);
    if (load_area) load_extended_state(load_area);
}

}  // namespace sched
