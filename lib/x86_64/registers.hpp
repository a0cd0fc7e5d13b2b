// Control registers, RFLAGS, debug status and the model-specific registers
// the loader and the kernel touch, with their bits by name. Pure values: the
// instructions that read and write them are in instructions.hpp.
//   CR0, CR4: Intel SDM Vol. 3A §2.5 "Control Registers", Figure 2-7
//   RFLAGS:   SDM Vol. 1 §3.4.3, Figure 3-8
//   DR6:      SDM Vol. 3A §18.2.3
//   MSRs:     SDM Vol. 4 Table 2-2 "IA-32 Architectural MSRs"; IA32_EFER in
//             Vol. 3A §2.2.1, IA32_APIC_BASE in §11.4.4
#pragma once

#include <stdint.h>

namespace x86_64 {

namespace cr0 {
inline constexpr uint64_t kProtectionEnable = 1ULL << 0;    // PE
inline constexpr uint64_t kMonitorCoprocessor = 1ULL << 1;  // MP
inline constexpr uint64_t kEmulation = 1ULL << 2;           // EM
inline constexpr uint64_t kTaskSwitched = 1ULL << 3;        // TS: x87/SSE use raises #NM
inline constexpr uint64_t kExtensionType = 1ULL << 4;       // ET
inline constexpr uint64_t kNumericError = 1ULL << 5;        // NE
inline constexpr uint64_t kWriteProtect = 1ULL << 16;       // WP: CPL 0 honours read-only pages
inline constexpr uint64_t kAlignmentMask = 1ULL << 18;      // AM (with RFLAGS.AC, CPL 3 only)
inline constexpr uint64_t kNotWriteThrough = 1ULL << 29;    // NW
inline constexpr uint64_t kCacheDisable = 1ULL << 30;       // CD
inline constexpr uint64_t kPaging = 1ULL << 31;             // PG
}  // namespace cr0

namespace cr4 {
inline constexpr uint64_t kDebuggingExtensions = 1ULL << 3;             // DE
inline constexpr uint64_t kPageSizeExtensions = 1ULL << 4;              // PSE
inline constexpr uint64_t kPhysicalAddressExtension = 1ULL << 5;        // PAE
inline constexpr uint64_t kMachineCheckEnable = 1ULL << 6;              // MCE
inline constexpr uint64_t kPageGlobalEnable = 1ULL << 7;                // PGE
inline constexpr uint64_t kPerformanceCounterEnable = 1ULL << 8;        // PCE
inline constexpr uint64_t kOsFxsr = 1ULL << 9;                          // OSFXSR
inline constexpr uint64_t kOsXmmExceptions = 1ULL << 10;                // OSXMMEXCPT
inline constexpr uint64_t kUserModeInstructionPrevention = 1ULL << 11;  // UMIP
inline constexpr uint64_t kFiveLevelPaging = 1ULL << 12;                // LA57
inline constexpr uint64_t kPcidEnable = 1ULL << 17;                     // PCIDE
inline constexpr uint64_t kOsXsave = 1ULL << 18;                        // OSXSAVE
inline constexpr uint64_t kSmep = 1ULL << 20;
inline constexpr uint64_t kSmap = 1ULL << 21;
}  // namespace cr4

namespace rflags {
inline constexpr uint64_t kReservedOne = 1ULL << 1;        // always reads as 1
inline constexpr uint64_t kTrap = 1ULL << 8;               // TF: single-step
inline constexpr uint64_t kInterruptEnable = 1ULL << 9;    // IF
inline constexpr uint64_t kDirection = 1ULL << 10;         // DF
inline constexpr uint64_t kVirtual8086 = 1ULL << 17;       // VM
inline constexpr uint64_t kAlignmentCheck = 1ULL << 18;    // AC: alignment check / SMAP access control
inline constexpr uint64_t kIoPrivilegeLevel = 3ULL << 12;  // IOPL
inline constexpr uint64_t kNestedTask = 1ULL << 14;        // NT
inline constexpr uint64_t kResume = 1ULL << 16;            // RF
inline constexpr uint64_t kId = 1ULL << 21;                // ID: CPUID available
}  // namespace rflags

namespace dr6 {
inline constexpr uint64_t kSingleStep = 1ULL << 14;  // BS: the #DB came from RFLAGS.TF
}  // namespace dr6

// Model-specific register numbers.
namespace msr {
inline constexpr uint32_t kApicBase = 0x1b;            // IA32_APIC_BASE (bits: apic.hpp)
inline constexpr uint32_t kXapicDisableStatus = 0xbd;  // IA32_XAPIC_DISABLE_STATUS
inline constexpr uint32_t kArchCapabilities = 0x10a;   // IA32_ARCH_CAPABILITIES
inline constexpr uint32_t kPat = 0x277;                // IA32_PAT (layout: page_table.hpp)
inline constexpr uint32_t kTscDeadline = 0x6e0;        // IA32_TSC_DEADLINE (SDM Vol. 3A §11.5.4.1)
inline constexpr uint32_t kEfer = 0xc0000080;          // IA32_EFER
inline constexpr uint32_t kFsBase = 0xc0000100;
inline constexpr uint32_t kGsBase = 0xc0000101;
inline constexpr uint32_t kKernelGsBase = 0xc0000102;  // swapped with GS base by SWAPGS
// IA32_TSC_AUX (SDM Vol. 3A §18.17.2): what RDTSCP and RDPID return in
// ECX; Linux's (node << 12) | cpu, which the vDSO's getcpu reads.
inline constexpr uint32_t kTscAux = 0xc0000103;
// SYSCALL/SYSRET (SDM Vol. 3A §5.8.8): the selectors, the 64-bit entry
// point and the RFLAGS bits SYSCALL clears.
inline constexpr uint32_t kStar = 0xc0000081;
inline constexpr uint32_t kLstar = 0xc0000082;
inline constexpr uint32_t kCstar = 0xc0000083;
inline constexpr uint32_t kSyscallFlagMask = 0xc0000084;  // IA32_FMASK
}  // namespace msr

namespace efer {
inline constexpr uint64_t kSyscallEnable = 1ULL << 0;     // SCE
inline constexpr uint64_t kLongModeEnable = 1ULL << 8;    // LME
inline constexpr uint64_t kLongModeActive = 1ULL << 10;   // LMA
inline constexpr uint64_t kNoExecuteEnable = 1ULL << 11;  // NXE: bit 63 of a page-table entry is NX
}  // namespace efer

// IA32_ARCH_CAPABILITIES bit 21 says IA32_XAPIC_DISABLE_STATUS exists; its
// bit 0 says the legacy xAPIC is disabled (only x2APIC mode works).
namespace arch_capabilities {
inline constexpr uint64_t kXapicDisableStatus = 1ULL << 21;
}  // namespace arch_capabilities
namespace xapic_disable_status {
inline constexpr uint64_t kLegacyXapicDisabled = 1ULL << 0;
}  // namespace xapic_disable_status

}  // namespace x86_64
