// CPU features by name, each a bit of one CPUID leaf (Intel SDM Vol. 2A,
// CPUID: leaf 01H Tables 3-10/3-11, leaf 07H Table 3-8, leaves 8000_0001H
// and 8000_0007H). `has(feature)` asks the CPU (checking first that the
// leaf exists); the decoding itself is pure and host-tested.
//
//   if (x86_64::has(x86_64::feature::kX2apic)) ...
#pragma once

#include <stdint.h>

#include "lib/x86_64/instructions.hpp"

namespace x86_64 {

enum class CpuidRegister : uint8_t { kEax, kEbx, kEcx, kEdx };

struct CpuFeature {
    uint32_t leaf;
    uint32_t subleaf;
    CpuidRegister reg;
    uint8_t bit;
};

namespace feature {
inline constexpr CpuFeature kTsc{0x1, 0, CpuidRegister::kEdx, 4};
inline constexpr CpuFeature kApic{0x1, 0, CpuidRegister::kEdx, 9};         // an on-chip local APIC
inline constexpr CpuFeature kPageGlobal{0x1, 0, CpuidRegister::kEdx, 13};  // PGE
inline constexpr CpuFeature kPat{0x1, 0, CpuidRegister::kEdx, 16};
inline constexpr CpuFeature kX2apic{0x1, 0, CpuidRegister::kEcx, 21};
inline constexpr CpuFeature kTscDeadline{0x1, 0, CpuidRegister::kEcx, 24};
inline constexpr CpuFeature kRdrand{0x1, 0, CpuidRegister::kEcx, 30};
inline constexpr CpuFeature kHypervisor{0x1, 0, CpuidRegister::kEcx, 31};         // running under a hypervisor
inline constexpr CpuFeature kErms{0x7, 0, CpuidRegister::kEbx, 9};                // enhanced REP MOVSB/STOSB
inline constexpr CpuFeature kFiveLevelPaging{0x7, 0, CpuidRegister::kEcx, 16};    // LA57
inline constexpr CpuFeature kArchCapabilities{0x7, 0, CpuidRegister::kEdx, 29};   // IA32_ARCH_CAPABILITIES MSR
inline constexpr CpuFeature kNoExecute{0x8000'0001, 0, CpuidRegister::kEdx, 20};  // NX (execute disable)
inline constexpr CpuFeature kPage1GiB{0x8000'0001, 0, CpuidRegister::kEdx, 26};
inline constexpr CpuFeature kInvariantTsc{0x8000'0007, 0, CpuidRegister::kEdx, 8};
// For user mode (issue 11): protections, the random-number instructions,
// and what the vDSO and AT_HWCAP2 report.
inline constexpr CpuFeature kFsgsbase{0x7, 0, CpuidRegister::kEbx, 0};  // RDFSBASE/WRFSBASE... at CPL 3
inline constexpr CpuFeature kSmep{0x7, 0, CpuidRegister::kEbx, 7};      // supervisor-mode execution prevention
inline constexpr CpuFeature kRdseed{0x7, 0, CpuidRegister::kEbx, 18};
inline constexpr CpuFeature kSmap{0x7, 0, CpuidRegister::kEbx, 20};  // supervisor-mode access prevention
inline constexpr CpuFeature kUmip{0x7, 0, CpuidRegister::kEcx, 2};   // user-mode instruction prevention
inline constexpr CpuFeature kRdpid{0x7, 0, CpuidRegister::kEcx, 22};
inline constexpr CpuFeature kSyscall{0x8000'0001, 0, CpuidRegister::kEdx, 11};  // SYSCALL/SYSRET in 64-bit mode
inline constexpr CpuFeature kRdtscp{0x8000'0001, 0, CpuidRegister::kEdx, 27};
// Extended state (x87/SSE/AVX) for threads (SDM Vol. 1 §13.2, "Enumeration
// of CPU Support for XSAVE Instructions and XSAVE-Supported Features").
inline constexpr CpuFeature kFxsr{0x1, 0, CpuidRegister::kEdx, 24};       // FXSAVE/FXRSTOR
inline constexpr CpuFeature kSse{0x1, 0, CpuidRegister::kEdx, 25};
inline constexpr CpuFeature kXsave{0x1, 0, CpuidRegister::kEcx, 26};      // XSAVE/XRSTOR, XSETBV, XCR0
inline constexpr CpuFeature kXsaveopt{0xd, 1, CpuidRegister::kEax, 0};    // XSAVEOPT
inline constexpr CpuFeature kXsavec{0xd, 1, CpuidRegister::kEax, 1};      // XSAVEC (compacted format)
}  // namespace feature

// Leaves 0 and 8000_0000H report the highest basic / extended leaf.
inline constexpr uint32_t kExtendedLeafBase = 0x8000'0000;

// Leaves that answer questions other than feature bits (SDM Vol. 2A, CPUID).
namespace leaf {
inline constexpr uint32_t kFeatures = 0x1;            // EBX[31:24]: initial xAPIC ID
inline constexpr uint32_t kTopology = 0xb;            // EDX: x2APIC ID; EBX = 0 when the level is invalid
inline constexpr uint32_t kExtendedState = 0xd;       // subleaf 0: EDX:EAX the XCR0 bits, EBX the area for XCR0
inline constexpr uint32_t kTscCrystal = 0x15;         // EAX/EBX: TSC/crystal ratio, ECX: crystal Hz
inline constexpr uint32_t kHypervisor = 0x4000'0000;  // EBX/ECX/EDX: the hypervisor's vendor signature
}  // namespace leaf

// The initial xAPIC ID in leaf 01H's EBX[31:24] (SDM Vol. 3A §11.4.6).
constexpr uint32_t initial_xapic_id_of(const CpuidResult& leaf_1) {
    return leaf_1.ebx >> 24;
}

constexpr uint32_t register_of(const CpuidResult& result, CpuidRegister reg) {
    switch (reg) {
        case CpuidRegister::kEax: return result.eax;
        case CpuidRegister::kEbx: return result.ebx;
        case CpuidRegister::kEcx: return result.ecx;
        case CpuidRegister::kEdx: return result.edx;
    }
    return 0;
}

// Whether `result` (the output of `feature`'s leaf) has the feature's bit.
constexpr bool feature_bit(const CpuidResult& result, CpuFeature feature) {
    return (register_of(result, feature.reg) >> feature.bit) & 1u;
}

// Whether a leaf below `max_leaf` of its range (basic or extended) exists.
constexpr bool leaf_exists(uint32_t leaf, uint32_t max_basic_leaf, uint32_t max_extended_leaf) {
    return leaf >= kExtendedLeafBase ? leaf <= max_extended_leaf && max_extended_leaf >= kExtendedLeafBase
                                     : leaf <= max_basic_leaf;
}

inline bool has(CpuFeature feature) {
    uint32_t max_leaf = feature.leaf >= kExtendedLeafBase ? cpuid(kExtendedLeafBase).eax : cpuid(0).eax;
    bool exists = feature.leaf >= kExtendedLeafBase ? leaf_exists(feature.leaf, 0, max_leaf)
                                                    : leaf_exists(feature.leaf, max_leaf, 0);
    return exists && feature_bit(cpuid(feature.leaf, feature.subleaf), feature);
}

// This CPU's APIC ID without touching the APIC: the x2APIC ID from leaf 0BH
// (EDX, all 32 bits) when the CPU has that leaf, else the initial xAPIC ID
// in CPUID.01H:EBX[31:24] (SDM Vol. 3A §11.4.6; the two agree below 255).
inline uint32_t initial_apic_id() {
    if (cpuid(0).eax >= leaf::kTopology) {
        CpuidResult topology = cpuid(leaf::kTopology, 0);
        if (topology.ebx != 0) return topology.edx;
    }
    return initial_xapic_id_of(cpuid(leaf::kFeatures));
}

// This CPU's 8-bit initial xAPIC ID (what an xAPIC-mode ID register reads).
inline uint32_t initial_xapic_id() {
    return initial_xapic_id_of(cpuid(leaf::kFeatures));
}

}  // namespace x86_64
