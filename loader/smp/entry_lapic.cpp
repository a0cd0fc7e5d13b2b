// entry_lapic_program(); see entry_lapic.hpp.
#include "loader/smp/entry_lapic.hpp"

#include "lib/x86_64/apic.hpp"

namespace loader::smp {
namespace {

namespace apic = x86_64::apic;

// The CMCI entry exists when the APIC has seven LVT entries, the thermal
// one with six, the performance-counter one with five (SDM §11.5.1;
// apic::max_lvt_entry).
constexpr uint32_t kMasked = apic::lvt_entry(0, apic::DeliveryMode::kFixed, true);

}  // namespace

LapicProgram entry_lapic_program(lib::Span<const acpi::LocalNmi> local_nmis, uint32_t processor_uid,
                                 unsigned max_lvt_entry) {
    LapicProgram program;
    auto add = [&](uint32_t offset, uint32_t value) {
        if (program.count < kMaxLapicWrites) program.writes[program.count++] = LapicWrite{offset, value};
    };
    // SVR 0x1FF: software enable (bit 8) and spurious vector 0xFF.
    add(uint32_t(apic::Register::kSpuriousVector), apic::spurious_vector_register(0xff));
    add(uint32_t(apic::Register::kTaskPriority), 0);
    add(uint32_t(apic::Register::kLvtTimer), kMasked);
    if (max_lvt_entry >= 5) add(uint32_t(apic::Register::kLvtThermal), kMasked);
    if (max_lvt_entry >= 4) add(uint32_t(apic::Register::kLvtPerformance), kMasked);
    if (max_lvt_entry >= 6) add(uint32_t(apic::Register::kLvtCmci), kMasked);
    add(uint32_t(apic::Register::kLvtError), kMasked);
    // LINT0 and LINT1 are masked too; the ones the MADT names this CPU's
    // (or every CPU's) NMI input are set up for it, ready for the kernel to
    // unmask, as Limine 12.5.2 hands them over (measured: LINT1 = 0x10400
    // on QEMU, whose MADT names LINT1 of every CPU). NMI delivery is always
    // edge triggered (the trigger bit is only read for fixed delivery); the
    // polarity is the MADT's, active high where it conforms to the bus.
    uint32_t lint[2] = {kMasked, kMasked};
    for (const acpi::LocalNmi& nmi : local_nmis) {
        if (nmi.lint > 1) continue;
        if (nmi.processor_uid != acpi::LocalNmi::kAllProcessors && nmi.processor_uid != processor_uid) continue;
        uint32_t value = apic::lvt_entry(0, apic::DeliveryMode::kNmi, true);
        if (nmi.flags.polarity == acpi::Polarity::kActiveLow) value |= apic::kLvtActiveLow;
        lint[nmi.lint] = value;
    }
    add(uint32_t(apic::Register::kLvtLint0), lint[0]);
    add(uint32_t(apic::Register::kLvtLint1), lint[1]);
    return program;
}

}  // namespace loader::smp
