// asm_constants.h restates, for the assembly files, constants the typed
// headers define; here the compiler holds the two to the same value.
#include "lib/x86_64/asm_constants.h"

#include <gtest/gtest.h>

#include "lib/x86_64/apic.hpp"
#include "lib/x86_64/cpuid.hpp"
#include "lib/x86_64/pic.hpp"
#include "lib/x86_64/registers.hpp"

namespace x86_64 {
namespace {

static_assert(X86_CR0_PE == cr0::kProtectionEnable);
static_assert(X86_CR0_ET == cr0::kExtensionType);
static_assert(X86_CR0_WP == cr0::kWriteProtect);
static_assert(X86_CR0_PG == cr0::kPaging);
static_assert(X86_CR4_PAE == cr4::kPhysicalAddressExtension);
static_assert(X86_CR4_LA57 == cr4::kFiveLevelPaging);
static_assert(X86_RFLAGS_RESERVED_ONE == rflags::kReservedOne);
static_assert(X86_MSR_APIC_BASE == msr::kApicBase);
static_assert(X86_MSR_EFER == msr::kEfer);
static_assert(X86_MSR_GS_BASE == msr::kGsBase);
static_assert(X86_EFER_LME == efer::kLongModeEnable);
static_assert(X86_EFER_LMA == efer::kLongModeActive);
static_assert(X86_EFER_NXE == efer::kNoExecuteEnable);
static_assert((1ULL << X86_APIC_BASE_EXTD_BIT) == apic::kBaseX2apicEnable);
static_assert(X86_APIC_BASE_EXTD == apic::kBaseX2apicEnable);
static_assert(X86_APIC_BASE_EN == apic::kBaseGlobalEnable);
static_assert(X86_APIC_BASE_ADDRESS_LOW == (apic::kBaseAddressMask & 0xffff'ffffULL));
static_assert(X86_X2APIC_MSR_BASE == apic::x2apic_msr(apic::Register(0)));
static_assert(X86_CPUID_LEAF_FEATURES == leaf::kFeatures);
static_assert(feature::kX2apic.leaf == X86_CPUID_LEAF_FEATURES && feature::kX2apic.reg == CpuidRegister::kEcx &&
              feature::kX2apic.bit == X86_CPUID_X2APIC_ECX_BIT);
static_assert(X86_PIC_MASTER_DATA == pic::kMasterData);
static_assert(X86_PIC_SLAVE_DATA == pic::kSlaveData);

// The entry state handoff.S gives the kernel (docs/limine-protocol.md §7):
// CR0 = PE | ET | WP | PG, CR4 keeps PAE and LA57, EFER keeps LME | LMA | NXE.
TEST(AsmConstants, HandoffMasksAreTheProtocolsEntryState) {
    EXPECT_EQ(X86_CR0_PG | X86_CR0_WP | X86_CR0_ET | X86_CR0_PE, 0x80010011u);
    EXPECT_EQ(X86_CR4_LA57 | X86_CR4_PAE, 0x1020u);
    EXPECT_EQ(X86_EFER_NXE | X86_EFER_LMA | X86_EFER_LME, 0xd00u);
}

}  // namespace
}  // namespace x86_64
