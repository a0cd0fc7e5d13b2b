// The legacy 8259 PICs and this CPU's local APIC (register facts:
// lib/x86_64/pic.hpp, lib/x86_64/apic.hpp).
//
// The PICs are remapped to vectors 0x20..0x2f and fully masked: interrupts
// come through the APICs, and a PIC that is merely masked can still raise a
// spurious IRQ 7/15, which must then land on a vector of its own (not on an
// exception) and be dropped. The local APIC is used in x2APIC mode when the
// loader enabled it, in xAPIC (MMIO) mode otherwise; it gets the spurious
// vector 0xff, a task priority of 0, its LVT timer, thermal, performance and
// LINT0 entries masked, LINT1 as NMI and an error vector.
#pragma once

#include <stdint.h>

#include "lib/x86_64/apic.hpp"

namespace arch {

namespace apic = x86_64::apic;

// Where the kernel moves the PICs' 16 IRQs: right after the exceptions, so a
// stray legacy IRQ can never be mistaken for one (the BIOS default, 0x08,
// overlaps #DF..#MF). Master 0x20..0x27, slave 0x28..0x2f.
inline constexpr uint8_t kPicVectorBase = 0x20;
inline constexpr uint8_t kApicErrorVector = 0xfe;
inline constexpr uint8_t kApicSpuriousVector = 0xff;

// Remaps and masks both 8259s and installs the spurious-IRQ handlers.
void init_legacy_pic();

// The physical address of the xAPIC register page (IA32_APIC_BASE, SDM
// §11.4.4), or 0 when there is none to map (no local APIC, or x2APIC mode,
// whose registers are MSRs).
uint64_t local_apic_registers_physical();
// Where the kernel mapped that page (uncached): arch cannot map memory.
// Every CPU's xAPIC answers at the same address (SDM §11.4.1).
void set_local_apic_registers(volatile void* page);

// Brings up the local APIC of the calling CPU (the BSP now; each AP later);
// in xAPIC mode after set_local_apic_registers().
void init_local_apic();

enum class ApicMode : uint8_t { kNone, kXapic, kX2apic };
ApicMode local_apic_mode();
const char* apic_mode_name(ApicMode mode);

uint32_t local_apic_id();
// Ends the interrupt being handled (for vectors the local APIC delivered).
void local_apic_eoi();
// Sends an IPI (xAPIC: waits, bounded, until the previous one left).
void local_apic_send(const apic::IpiCommand& command);
// Whether `vector` is in service on this CPU (its ISR bit).
bool local_apic_in_service(uint8_t vector);

// One local APIC register, in either mode, for the drivers of the APIC's own
// functions (lapic_timer.cpp).
uint32_t local_apic_read(apic::Register r);
void local_apic_write(apic::Register r, uint32_t value);

// How many spurious interrupts were dropped (APIC vector 0xff; PIC IRQ 7/15
// without their ISR bit).
uint64_t spurious_interrupt_count();

}  // namespace arch
