/* The hardware facts the assembly files use, as preprocessor constants: a .S
 * file cannot include the typed C++ headers. Each is the constant named
 * beside it (registers.hpp, apic.hpp, cpuid.hpp, pic.hpp), and
 * asm_constants_test.cpp checks at compile time that the two agree, so the
 * fact is still written once. */
#pragma once

/* CR0 and CR4 (SDM Vol. 3A §2.5, Figure 2-7). */
#define X86_CR0_PE 0x00000001   /* cr0::kProtectionEnable */
#define X86_CR0_ET 0x00000010   /* cr0::kExtensionType */
#define X86_CR0_WP 0x00010000   /* cr0::kWriteProtect */
#define X86_CR0_PG 0x80000000   /* cr0::kPaging */
#define X86_CR4_PAE 0x00000020  /* cr4::kPhysicalAddressExtension */
#define X86_CR4_LA57 0x00001000 /* cr4::kFiveLevelPaging */

/* RFLAGS (SDM Vol. 1 §3.4.3): bit 1 always reads as 1. */
#define X86_RFLAGS_RESERVED_ONE 0x2 /* rflags::kReservedOne */

/* MSRs (SDM Vol. 4 Table 2-2) and their bits. */
#define X86_MSR_APIC_BASE 0x1b      /* msr::kApicBase */
#define X86_MSR_EFER 0xc0000080     /* msr::kEfer */
#define X86_MSR_GS_BASE 0xc0000101  /* msr::kGsBase */
#define X86_EFER_LME 0x100          /* efer::kLongModeEnable */
#define X86_EFER_LMA 0x400          /* efer::kLongModeActive */
#define X86_EFER_NXE 0x800          /* efer::kNoExecuteEnable */
#define X86_APIC_BASE_EXTD_BIT 10   /* apic::kBaseX2apicEnable */
#define X86_APIC_BASE_EXTD 0x400    /* apic::kBaseX2apicEnable */
#define X86_APIC_BASE_EN 0x800      /* apic::kBaseGlobalEnable */
#define X86_APIC_BASE_ADDRESS_LOW 0xfffff000 /* apic::kBaseAddressMask, its low 32 bits */
#define X86_X2APIC_MSR_BASE 0x800   /* apic::x2apic_msr(offset 0) */

/* CPUID.01H:ECX[21], x2APIC (feature::kX2apic). */
#define X86_CPUID_LEAF_FEATURES 0x1  /* leaf::kFeatures */
#define X86_CPUID_X2APIC_ECX_BIT 21

/* The 8259 PICs' data (mask) ports (pic.hpp). */
#define X86_PIC_MASTER_DATA 0x21 /* pic::kMasterData */
#define X86_PIC_SLAVE_DATA 0xa1  /* pic::kSlaveData */
