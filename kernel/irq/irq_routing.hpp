// Where a legacy ISA IRQ really arrives: its global system interrupt and the
// electrical shape of the line, from the MADT's Interrupt Source Overrides
// (ACPI 6.5 §5.2.12.5). Without an override an ISA IRQ is GSI == IRQ, active
// high, edge triggered; an override's "conforms to the bus" polarity or
// trigger also means ISA's (active high, edge). Pure logic, host-tested.
#pragma once

#include <stdint.h>

#include "lib/acpi/madt.hpp"

namespace irq {

struct Line {
    uint32_t gsi = 0;
    bool active_low = false;
    bool level_triggered = false;

    bool operator==(const Line&) const = default;
};

// `madt` may be null (no ACPI): identity mapping, ISA defaults.
Line isa_irq_line(const acpi::MadtInfo* madt, uint8_t isa_irq);

// For PCI and other non-ISA GSIs the "conforms" defaults are the opposite:
// active low, level triggered (ACPI 6.5 §5.2.12.5, Table 5.26 note).
Line gsi_line(uint32_t gsi, acpi::InterruptFlags flags);

}  // namespace irq
