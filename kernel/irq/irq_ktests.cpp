// In-kernel tests of the I/O APIC routing (suite "irq"): the 8254's channel 0
// (ISA IRQ 0, which the MADT on PCs overrides to GSI 2) routed through its
// override delivers interrupts to its handler; the redirection entry reads
// back as programmed; unrouting masks the line and frees it.
#include "kernel/acpi/acpi.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/interrupt_controllers.hpp"
#include "kernel/arch/x86_64/io_apic.hpp"
#include "kernel/arch/x86_64/timers.hpp"
#include "kernel/irq/irq.hpp"
#include "kernel/test/ktest.hpp"
#include "kernel/time/time.hpp"

namespace {

using namespace arch;

constexpr uint16_t kPitDivisorFor1kHz = 1193;

volatile uint32_t g_pit_interrupts = 0;
void on_pit(void* context) {
    g_pit_interrupts = g_pit_interrupts + 1;
    *static_cast<volatile bool*>(context) = true;
}

}  // namespace

KTEST(irq, io_apics_found_and_isa_lines_resolved) {
    KASSERT(irq::available());
    KEXPECT_GE(io_apic::chip_count(), 1u);
    KEXPECT(io_apic::serves(0));
    irq::Line timer = irq::isa_irq_line(acpi::madt(), 0);
    KEXPECT(io_apic::serves(timer.gsi));
    KEXPECT(!timer.level_triggered);
    // Every ISA IRQ resolves to a GSI some I/O APIC has.
    for (uint8_t isa = 0; isa < 16; ++isa) KEXPECT(io_apic::serves(irq::isa_irq_line(acpi::madt(), isa).gsi));
}

KTEST(irq, pit_irq0_is_delivered_through_its_override) {
    KASSERT(irq::available());
    volatile bool seen = false;
    g_pit_interrupts = 0;
    irq::Line line = irq::isa_irq_line(acpi::madt(), 0);
    auto vector = irq::route_isa_irq(0, on_pit, const_cast<bool*>(&seen));
    KASSERT(vector.has_value());
    KEXPECT_GE(vector.value(), irq::kFirstLineVector);
    KEXPECT_LE(vector.value(), irq::kLastLineVector);

    auto entry = io_apic::read_entry(line.gsi);
    KASSERT(entry.has_value());
    KEXPECT_EQ(entry.value().vector, vector.value());
    KEXPECT(!entry.value().masked);
    KEXPECT_EQ(entry.value().destination, local_apic_id());
    KEXPECT_EQ(entry.value().active_low, line.active_low);
    KEXPECT_EQ(entry.value().level_triggered, line.level_triggered);
    // Routing the same line twice is refused.
    KEXPECT(!irq::route_isa_irq(0, on_pit, nullptr).has_value());

    bool were_enabled = interrupts_enabled();
    pit::program_channel0_periodic(kPitDivisorFor1kHz);
    sti();
    uint64_t give_up = ktime::now_ns() + 500'000'000;
    while (g_pit_interrupts < 20 && ktime::now_ns() < give_up) hlt();
    pit::program_channel0_one_shot(0xffff);  // quiet again
    if (!were_enabled) cli();
    KEXPECT_GE(g_pit_interrupts, 20u);
    KEXPECT(seen);
    KEXPECT_GE(irq::delivery_count(line.gsi), 20u);

    KEXPECT(irq::unroute_gsi(line.gsi).has_value());
    auto masked = io_apic::read_entry(line.gsi);
    KASSERT(masked.has_value());
    KEXPECT(masked.value().masked);
    KEXPECT(!irq::unroute_gsi(line.gsi).has_value());
}
