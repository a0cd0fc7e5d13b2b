// Extended CPU state: see extended_state.hpp.
#include "kernel/sched/extended_state.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/debug/assert.hpp"
#include "lib/x86_64/cpuid.hpp"
#include "lib/x86_64/registers.hpp"

namespace sched {

ExtendedStateInfo extended_state_detail::g_info;

namespace {

using extended_state_detail::g_info;

// XCR0 bits (SDM Vol. 1 §13.1, "XSAVE-Supported Features and State-Component Bitmaps").
constexpr uint64_t kX87 = 1u << 0;
constexpr uint64_t kSseState = 1u << 1;
constexpr uint64_t kAvx = 1u << 2;
constexpr uint64_t kOpmask = 1u << 5;
constexpr uint64_t kZmmHi256 = 1u << 6;
constexpr uint64_t kHi16Zmm = 1u << 7;
constexpr uint64_t kAvx512 = kOpmask | kZmmHi256 | kHi16Zmm;

// Offsets in the legacy region (SDM Vol. 1 §10.5.1, Table 10-2).
constexpr size_t kFcwOffset = 0;
constexpr size_t kMxcsrOffset = 24;
constexpr size_t kMxcsrMaskOffset = 28;

bool g_decided = false;

void xsetbv(uint32_t index, uint64_t value) {
    asm volatile("xsetbv" ::"c"(index), "a"(uint32_t(value)), "d"(uint32_t(value >> 32)) : "memory");
}

// The components to enable: x87 and SSE always (XCR0 bit 0 must be set, SDM
// §13.3), AVX where present, the AVX-512 trio only all together and with AVX.
uint64_t choose_features(uint64_t supported) {
    uint64_t features = kX87 | kSseState;
    if (supported & kAvx) {
        features |= kAvx;
        if ((supported & kAvx512) == kAvx512) features |= kAvx512;
    }
    return features;
}

alignas(64) uint8_t g_probe[512];

}  // namespace

const char* extended_state_format_name(ExtendedStateFormat format) {
    switch (format) {
    case ExtendedStateFormat::kFxsave: return "FXSAVE";
    case ExtendedStateFormat::kXsave: return "XSAVE";
    case ExtendedStateFormat::kXsaveopt: return "XSAVEOPT";
    }
    return "?";
}

void init_extended_state_this_cpu() {
    using namespace x86_64;
    // CR0: MP set, EM and TS clear, so x87/SSE instructions run instead of
    // raising #NM/#UD (SDM Vol. 3A §2.5, §13.1.3).
    uint64_t cr0 = read_cr0();
    write_cr0((cr0 | cr0::kMonitorCoprocessor) & ~(cr0::kEmulation | cr0::kTaskSwitched));
    uint64_t cr4 = read_cr4() | cr4::kOsFxsr | cr4::kOsXmmExceptions;
    bool xsave = has(feature::kXsave);
    if (xsave) cr4 |= cr4::kOsXsave;
    write_cr4(cr4);
    if (!g_decided) {
        if (xsave) {
            CpuidResult leaf = cpuid(leaf::kExtendedState, 0);
            uint64_t supported = leaf.eax | (uint64_t(leaf.edx) << 32);
            g_info.features = choose_features(supported);
            g_info.format = has(feature::kXsaveopt) ? ExtendedStateFormat::kXsaveopt : ExtendedStateFormat::kXsave;
        } else {
            g_info.format = ExtendedStateFormat::kFxsave;
        }
    }
    if (xsave) xsetbv(0, g_info.features);
    if (!g_decided) {
        if (xsave) {
            // EBX: the area size for the components XCR0 now enables.
            g_info.size = (cpuid(leaf::kExtendedState, 0).ebx + 63) & ~63u;
        }
        __builtin_memset(g_probe, 0, sizeof g_probe);
        asm volatile("fxsave %0" : "=m"(g_probe));
        uint32_t mask;
        __builtin_memcpy(&mask, g_probe + kMxcsrMaskOffset, 4);
        g_info.mxcsr_mask = mask != 0 ? mask : 0xffbf;  // 0 means the default mask (SDM §11.6.6)
        g_decided = true;
    }
}

const ExtendedStateInfo& extended_state_info() {
    return g_info;
}

void reset_extended_state(uint8_t* area) {
    __builtin_memset(area, 0, g_info.size);
    uint16_t fcw = 0x37f;
    uint32_t mxcsr = 0x1f80;
    __builtin_memcpy(area + kFcwOffset, &fcw, sizeof fcw);
    __builtin_memcpy(area + kMxcsrOffset, &mxcsr, sizeof mxcsr);
    // XSAVE header (offset 512): XSTATE_BV 0 = every component in its
    // initial state; XCOMP_BV 0 = standard format (SDM §13.4.2). Zeroed above.
}

}  // namespace sched
