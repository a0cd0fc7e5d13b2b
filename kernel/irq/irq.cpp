// Interrupt routing through the I/O APICs; see irq.hpp.
#include "kernel/irq/irq.hpp"

#include "kernel/acpi/acpi.hpp"
#include "kernel/arch/x86_64/interrupt_controllers.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/arch/x86_64/io_apic.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "kernel/mm/mmio.hpp"
#include "kernel/sync/spinlock.hpp"

namespace irq {
namespace {

namespace io_apic = arch::io_apic;
using arch::InterruptFrame;

constexpr size_t kIoApicRegisterBlockSize = 0x20;  // IOREGSEL .. IOWIN + 4 (82093AA datasheet §3.0)

struct Slot {
    Handler handler = nullptr;
    void* context = nullptr;
    uint32_t gsi = 0;
    uint64_t deliveries = 0;
};

constexpr size_t kSlotCount = size_t(kLastLineVector) - kFirstLineVector + 1;
Slot g_slots[kSlotCount];
ksync::Spinlock g_slots_lock;  // allocation and release; dispatch reads without it
bool g_available = false;

Slot& slot_of(uint8_t vector) {
    return g_slots[vector - kFirstLineVector];
}

Slot* slot_for_gsi(uint32_t gsi) {
    for (Slot& slot : g_slots)
        if (slot.handler && slot.gsi == gsi) return &slot;
    return nullptr;
}

void dispatch(InterruptFrame& frame) {
    Slot& slot = slot_of(uint8_t(frame.vector));
    Handler handler = __atomic_load_n(&slot.handler, __ATOMIC_ACQUIRE);
    __atomic_fetch_add(&slot.deliveries, 1, __ATOMIC_RELAXED);
    if (handler) handler(slot.context);
    arch::local_apic_eoi();
}

// Hands every I/O APIC of the MADT to the driver; returns how many work.
size_t add_io_apics(const acpi::MadtInfo* madt) {
    if (!madt || madt->io_apic_count == 0) {
        klog::warn("ioapic: the MADT lists no I/O APIC; external interrupts stay off");
        return 0;
    }
    for (const acpi::IoApic& entry : madt->io_apic_list()) {
        auto mapped = mm::map_mmio(entry.address, kIoApicRegisterBlockSize);
        if (!mapped.has_value()) {
            klog::error("ioapic: can not map the I/O APIC at {:#x}: {}", entry.address, mapped.error().message);
            continue;
        }
        auto chip = io_apic::add_chip(entry.id, mapped.value(), entry.address, entry.gsi_base);
        if (!chip.has_value()) {
            klog::error("ioapic: I/O APIC at {:#x} skipped: {}", entry.address, chip.error().message);
            continue;
        }
        klog::info("ioapic: id {} version {:#x} at {:#x}: GSIs {}-{}, all masked", chip->id, chip->version,
                   chip->address, chip->gsi_base, chip->gsi_base + chip->inputs - 1);
    }
    return io_apic::chip_count();
}

}  // namespace

lib::Expected<void> init() {
    // The I/O APICs are mapped and masked even when nothing can be routed.
    if (add_io_apics(acpi::madt()) == 0)
        return lib::Error::make(lib::ErrorCode::kENODEV, "no usable I/O APIC in the MADT");
    if (arch::local_apic_mode() == arch::ApicMode::kNone)
        return lib::Error::make(lib::ErrorCode::kENODEV, "no local APIC to deliver external interrupts");
    g_available = true;
    // The ISA lines that do not arrive where their number says.
    const acpi::MadtInfo* madt = acpi::madt();
    for (uint8_t isa = 0; isa < 16; ++isa) {
        Line line = isa_irq_line(madt, isa);
        if (line == Line{isa, false, false}) continue;
        klog::info("irq: ISA IRQ {} -> GSI {} (active {}, {} triggered)", isa, line.gsi,
                   line.active_low ? "low" : "high", line.level_triggered ? "level" : "edge");
    }
    return {};
}

bool available() {
    return g_available;
}

lib::Expected<uint8_t> route_isa_irq(uint8_t isa_irq, Handler handler, void* context) {
    if (isa_irq >= 16) return lib::Error::make(lib::ErrorCode::kERANGE, "ISA IRQs are 0..15");
    return route_gsi(isa_irq_line(acpi::madt(), isa_irq), handler, context);
}

lib::Expected<uint8_t> route_gsi(Line line, Handler handler, void* context) {
    if (!g_available) return lib::Error::make(lib::ErrorCode::kEOPNOTSUPP, "no I/O APIC to route through");
    if (!handler) return lib::Error::make(lib::ErrorCode::kEINVAL, "no handler");
    if (!io_apic::serves(line.gsi)) return lib::Error::make(lib::ErrorCode::kENOENT, "no I/O APIC serves this GSI");
    uint32_t destination = arch::local_apic_id();
    // Physical destination mode names an 8-bit APIC ID (datasheet §3.2.4);
    // larger x2APIC IDs would need interrupt remapping.
    if (destination > 0xff) return lib::Error::make(lib::ErrorCode::kEOPNOTSUPP, "APIC ID above 255");

    uint8_t vector = 0;
    {
        ksync::Guard guard(g_slots_lock);
        if (slot_for_gsi(line.gsi)) return lib::Error::make(lib::ErrorCode::kEEXIST, "GSI already routed");
        for (size_t i = 0; i < kSlotCount; ++i) {
            if (g_slots[i].handler) continue;
            vector = uint8_t(kFirstLineVector + i);
            g_slots[i].context = context;
            g_slots[i].gsi = line.gsi;
            g_slots[i].deliveries = 0;
            __atomic_store_n(&g_slots[i].handler, handler, __ATOMIC_RELEASE);
            break;
        }
        if (vector == 0) return lib::Error::make(lib::ErrorCode::kENOMEM, "no free interrupt vector");
    }
    ASSERT(arch::set_interrupt_handler(vector, dispatch));

    io_apic::RedirectionEntry entry;
    entry.vector = vector;
    entry.delivery = io_apic::Delivery::kFixed;
    entry.active_low = line.active_low;
    entry.level_triggered = line.level_triggered;
    entry.masked = false;
    entry.destination = uint8_t(destination);
    if (auto written = io_apic::write_entry(line.gsi, entry); !written.has_value()) {
        (void)unroute_gsi(line.gsi);
        return written.error();
    }
    return vector;
}

lib::Expected<void> unroute_gsi(uint32_t gsi) {
    ksync::Guard guard(g_slots_lock);
    Slot* slot = slot_for_gsi(gsi);
    if (!slot) return lib::Error::make(lib::ErrorCode::kENOENT, "GSI not routed");
    (void)io_apic::set_masked(gsi, true);
    uint8_t vector = uint8_t(kFirstLineVector + (slot - g_slots));
    ASSERT(arch::set_interrupt_handler(vector, nullptr));
    __atomic_store_n(&slot->handler, Handler(nullptr), __ATOMIC_RELEASE);
    return {};
}

lib::Expected<void> mask_gsi(uint32_t gsi) {
    return io_apic::set_masked(gsi, true);
}

lib::Expected<void> unmask_gsi(uint32_t gsi) {
    return io_apic::set_masked(gsi, false);
}

uint64_t delivery_count(uint32_t gsi) {
    ksync::Guard guard(g_slots_lock);
    Slot* slot = slot_for_gsi(gsi);
    return slot ? __atomic_load_n(&slot->deliveries, __ATOMIC_RELAXED) : 0;
}

}  // namespace irq
