// The ACPI subsystem's public face: parse the firmware's tables once at boot
// (from the RSDP the boot loader found), print what they say, and give the
// rest of the kernel typed answers: CPUs and interrupt routing (MADT), fixed
// hardware (FADT), the HPET, PCIe ECAM ranges (MCFG), and raw AML bytes of
// the DSDT/SSDTs for a later interpreter.
//
//   acpi::init();                                // in kernel_main, after memory is up
//   acpi::print_summary();
//   const acpi::MadtInfo* madt = acpi::madt();   // null if the firmware gave none
//   lib::Bytes ssdt = acpi::table_bytes(acpi::Signature::of("SSDT"), 1);
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/acpi/platform.hpp"
#include "kernel/acpi/sleep_type.hpp"
#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace acpi {

// Parses everything reachable from boot::info().rsdp_physical. Safe to call
// without an RSDP (everything is then simply absent). Problems with the
// tables are kept in the platform's list and printed by print_summary().
void init();
bool initialized();

// The boot log: each table (signature, OEM ID, revision, length, address),
// then what the MADT, FADT, HPET and MCFG say, then every problem found.
void print_summary();

// Everything parsed (valid after init()).
const Platform& platform();
// The typed views, or null when that table is missing or unusable.
const MadtInfo* madt();
const FadtInfo* fadt();
const HpetInfo* hpet();
const McfgInfo* mcfg();

// The window the parser reads physical memory through: the HHDM, limited to
// memory-map regions and the legacy area below 1 MiB (no MMIO, no holes).
const PhysicalWindow& table_window();

// The index-th valid table with this signature (header included), or empty.
lib::Bytes table_bytes(Signature signature, size_t index = 0);

// Resets the machine: the FADT reset register (ACPI 6.5 §4.8.3.6) when the
// firmware offers one, else the 8042 keyboard controller's reset line
// (pulse command 0xFE on port 0x64), else a triple fault.
[[noreturn]] void reset();
// Turns the machine off: the \_S5 sleep type from the DSDT (or an SSDT)
// written with SLP_EN to the FADT's PM1a/PM1b control registers (ACPI 6.5
// §16.1.7, §4.8.3.2.1); QEMU then exits. Returns only on failure (no FADT,
// no \_S5, hardware-reduced ACPI, or the write had no effect), with
// interrupts off.
lib::Expected<void> power_off();
// The SLP_TYPa/b values of \_S5 (for the log and tests).
lib::Expected<SleepType> soft_off_sleep_type();

// reset()'s last resort on its own (for tests): load an empty IDT and trap.
[[noreturn]] void reset_by_triple_fault();

}  // namespace acpi
