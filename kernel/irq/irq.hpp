// Routing external interrupts to handlers: a legacy ISA IRQ or a global
// system interrupt gets a vector of its own, an I/O APIC redirection entry
// aimed at the routing CPU's local APIC (fixed delivery, physical
// destination), and a handler that runs with the line's context pointer.
// The layer sends the local APIC EOI after the handler returns; for a
// level-triggered line that EOI is broadcast to the I/O APIC and clears its
// Remote IRR (SDM Vol. 3A §11.8.5), so handlers never EOI themselves.
//
// The platform policy lives here: which I/O APICs exist and how ISA IRQs
// reach them comes from the MADT (kernel/acpi); the chips themselves are
// driven by arch (kernel/arch/x86_64/io_apic.hpp).
//
//   auto vector = irq::route_isa_irq(1, on_keyboard, &keyboard);   // IRQ 1, honouring overrides
//   auto vector = irq::route_gsi(irq::gsi_line(16, flags), on_nic, nic);
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/irq/irq_routing.hpp"
#include "lib/expected.hpp"

namespace irq {

using Handler = void (*)(void* context);

// The vectors handed out to lines (below the local APIC's own: timer 0xf0,
// error 0xfe, spurious 0xff; above the PIC's 0x20..0x2f and the test vectors).
inline constexpr uint8_t kFirstLineVector = 0x50;
inline constexpr uint8_t kLastLineVector = 0xdf;

// Maps and masks every I/O APIC the MADT lists (one log line each) and logs
// the ISA routing the MADT implies. ENODEV when external interrupts can not
// be routed (no local APIC, or no I/O APIC); available() says the same later.
lib::Expected<void> init();
bool available();

// Routes ISA IRQ `isa_irq` (0..15) through its override, unmasked. Returns
// the vector. Fails if the line is already routed, no I/O APIC serves it or
// the vectors ran out.
[[nodiscard]] lib::Expected<uint8_t> route_isa_irq(uint8_t isa_irq, Handler handler, void* context);
[[nodiscard]] lib::Expected<uint8_t> route_gsi(Line line, Handler handler, void* context);
// Masks the line and frees its vector.
[[nodiscard]] lib::Expected<void> unroute_gsi(uint32_t gsi);

[[nodiscard]] lib::Expected<void> mask_gsi(uint32_t gsi);
[[nodiscard]] lib::Expected<void> unmask_gsi(uint32_t gsi);

// How many interrupts have arrived on `gsi` since it was routed.
uint64_t delivery_count(uint32_t gsi);

}  // namespace irq
