// isa_irq_line(), gsi_line(); see irq_routing.hpp.
#include "kernel/irq/irq_routing.hpp"

namespace irq {

Line isa_irq_line(const acpi::MadtInfo* madt, uint8_t isa_irq) {
    Line line{isa_irq, false, false};
    const acpi::InterruptOverride* item = madt ? madt->override_for_isa_irq(isa_irq) : nullptr;
    if (!item) return line;
    line.gsi = item->gsi;
    line.active_low = item->flags.polarity == acpi::Polarity::kActiveLow;
    line.level_triggered = item->flags.trigger == acpi::TriggerMode::kLevel;
    return line;
}

Line gsi_line(uint32_t gsi, acpi::InterruptFlags flags) {
    Line line{gsi, true, true};
    if (flags.polarity == acpi::Polarity::kActiveHigh) line.active_low = false;
    if (flags.trigger == acpi::TriggerMode::kEdge) line.level_triggered = false;
    return line;
}

}  // namespace irq
