// MADT decoding (ACPI 6.5 §5.2.12). Entry layouts are Tables 5.22 - 5.48.
#include "lib/acpi/madt.hpp"

#include "lib/acpi/tables.hpp"
#include "lib/bytes.hpp"

namespace acpi {

using lib::read_u16;
using lib::read_u32;
using lib::read_u64;
using lib::read_u8;
namespace {

constexpr size_t kEntriesOffset = 44;  // header + Local Interrupt Controller Address + Flags

// Interrupt Controller Structure types (§5.2.12, Table 5.21) and the length
// each must at least have.
enum EntryType : uint8_t {
    kLocalApic = 0,                 // §5.2.12.2, 8 bytes
    kIoApic = 1,                    // §5.2.12.3, 12 bytes
    kInterruptSourceOverride = 2,   // §5.2.12.5, 10 bytes
    kNmiSource = 3,                 // §5.2.12.6, 8 bytes
    kLocalApicNmi = 4,              // §5.2.12.7, 6 bytes
    kLocalApicAddressOverride = 5,  // §5.2.12.8, 12 bytes
    kLocalX2Apic = 9,               // §5.2.12.12, 16 bytes
    kLocalX2ApicNmi = 10,           // §5.2.12.13, 12 bytes
};

constexpr uint8_t minimum_length(uint8_t type) {
    switch (type) {
        case kLocalApic: return 8;
        case kIoApic: return 12;
        case kInterruptSourceOverride: return 10;
        case kNmiSource: return 8;
        case kLocalApicNmi: return 6;
        case kLocalApicAddressOverride: return 12;
        case kLocalX2Apic: return 16;
        case kLocalX2ApicNmi: return 12;
        default: return 2;
    }
}

constexpr uint32_t kApicEnabled = 1u << 0;  // Table 5.23
constexpr uint32_t kApicOnlineCapable = 1u << 1;
constexpr uint8_t kAllProcessorsXApic = 0xff;  // §5.2.12.7: UID 0xFF means every processor

// Adds to a fixed list, reporting (once) when it is full.
template <typename T, size_t N>
bool append(T (&list)[N], size_t& count, const T& item, Diagnostics& problems, const char* full_message) {
    if (count == N) {
        problems.report(signature::kMadt, full_message, N);
        return false;
    }
    list[count++] = item;
    return true;
}

void add_cpu(MadtInfo& out, const LocalApic& cpu, Diagnostics& problems) {
    // A processor listed twice (e.g. as xAPIC and x2APIC) would be started
    // twice: keep the first entry.
    for (const LocalApic& known : out.cpu_list()) {
        if (known.apic_id == cpu.apic_id) {
            problems.report(signature::kMadt, "APIC ID listed twice; later entry skipped", cpu.apic_id);
            return;
        }
    }
    if (out.cpu_count == MadtInfo::kMaxCpus) {
        problems.report(signature::kMadt, "more CPUs than supported; extra ignored", cpu.apic_id);
        return;
    }
    out.cpus[out.cpu_count++] = cpu;
}

bool check_flags(InterruptFlags flags, Diagnostics& problems, size_t offset) {
    if (!flags.has_reserved_value()) return true;
    problems.report(signature::kMadt, "entry has reserved polarity/trigger bits; skipped (offset)", offset);
    return false;
}

void decode_entry(lib::Bytes entry, size_t offset, MadtInfo& out, Diagnostics& problems) {
    switch (entry[0]) {
        case kLocalApic: {
            uint32_t flags = read_u32(entry, 4);
            add_cpu(out,
                    LocalApic{read_u8(entry, 2), read_u8(entry, 3), (flags & kApicEnabled) != 0,
                              (flags & kApicOnlineCapable) != 0, false},
                    problems);
            break;
        }
        case kLocalX2Apic: {
            uint32_t flags = read_u32(entry, 8);
            add_cpu(out,
                    LocalApic{read_u32(entry, 12), read_u32(entry, 4), (flags & kApicEnabled) != 0,
                              (flags & kApicOnlineCapable) != 0, true},
                    problems);
            break;
        }
        case kIoApic: {
            IoApic io_apic{read_u8(entry, 2), read_u32(entry, 4), read_u32(entry, 8)};
            if (io_apic.address == 0) {
                problems.report(signature::kMadt, "I/O APIC with a null address; skipped (offset)", offset);
                break;
            }
            append(out.io_apics, out.io_apic_count, io_apic, problems, "more I/O APICs than supported; extra ignored");
            break;
        }
        case kInterruptSourceOverride: {
            InterruptOverride item{read_u8(entry, 2), read_u8(entry, 3), read_u32(entry, 4),
                                   InterruptFlags::decode(read_u16(entry, 8))};
            if (!check_flags(item.flags, problems, offset)) break;
            if (item.bus != 0) {
                // §5.2.12.5: Bus is always 0 (ISA).
                problems.report(signature::kMadt, "interrupt source override for a bus other than ISA; skipped (bus)",
                                item.bus);
                break;
            }
            if (out.override_for_isa_irq(item.source)) {
                problems.report(signature::kMadt, "second override for the same ISA IRQ; skipped (IRQ)", item.source);
                break;
            }
            append(out.overrides, out.override_count, item, problems, "more overrides than supported; extra ignored");
            break;
        }
        case kNmiSource: {
            NmiSource item{read_u32(entry, 4), InterruptFlags::decode(read_u16(entry, 2))};
            if (!check_flags(item.flags, problems, offset)) break;
            append(out.nmi_sources, out.nmi_source_count, item, problems,
                   "more NMI sources than supported; extra ignored");
            break;
        }
        case kLocalApicNmi:
        case kLocalX2ApicNmi: {
            bool x2apic = entry[0] == kLocalX2ApicNmi;
            LocalNmi item{};
            item.x2apic = x2apic;
            if (x2apic) {
                item.flags = InterruptFlags::decode(read_u16(entry, 2));
                item.processor_uid = read_u32(entry, 4);
                item.lint = read_u8(entry, 8);
            } else {
                uint8_t uid = read_u8(entry, 2);
                item.processor_uid = uid == kAllProcessorsXApic ? LocalNmi::kAllProcessors : uid;
                item.flags = InterruptFlags::decode(read_u16(entry, 3));
                item.lint = read_u8(entry, 5);
            }
            if (!check_flags(item.flags, problems, offset)) break;
            if (item.lint > 1) {
                problems.report(signature::kMadt, "local APIC NMI names a LINT pin other than 0 or 1; skipped",
                                item.lint);
                break;
            }
            append(out.local_nmis, out.local_nmi_count, item, problems,
                   "more local NMIs than supported; extra ignored");
            break;
        }
        case kLocalApicAddressOverride: {
            uint64_t address = read_u64(entry, 4);
            if (address == 0) {
                problems.report(signature::kMadt, "local APIC address override is null; ignored", offset);
                break;
            }
            out.local_apic_address = address;
            break;
        }
        default: ++out.unknown_entry_count; break;  // newer or platform-specific types
    }
}

}  // namespace

const char* polarity_name(Polarity polarity) {
    switch (polarity) {
        case Polarity::kConforms: return "conforming";
        case Polarity::kActiveHigh: return "active-high";
        case Polarity::kReserved: return "reserved";
        case Polarity::kActiveLow: return "active-low";
    }
    return "?";
}

const char* trigger_name(TriggerMode trigger) {
    switch (trigger) {
        case TriggerMode::kConforms: return "conforming";
        case TriggerMode::kEdge: return "edge";
        case TriggerMode::kReserved: return "reserved";
        case TriggerMode::kLevel: return "level";
    }
    return "?";
}

size_t MadtInfo::usable_cpu_count() const {
    size_t count = 0;
    for (const LocalApic& cpu : cpu_list())
        if (cpu.usable()) ++count;
    return count;
}

const InterruptOverride* MadtInfo::override_for_isa_irq(uint8_t irq) const {
    for (const InterruptOverride& item : override_list())
        if (item.source == irq) return &item;
    return nullptr;
}

uint32_t MadtInfo::isa_irq_to_gsi(uint8_t irq) const {
    const InterruptOverride* item = override_for_isa_irq(irq);
    return item ? item->gsi : irq;
}

const IoApic* MadtInfo::io_apic_for_gsi(uint32_t gsi) const {
    const IoApic* best = nullptr;
    for (const IoApic& io_apic : io_apic_list())
        if (io_apic.gsi_base <= gsi && (!best || io_apic.gsi_base > best->gsi_base)) best = &io_apic;
    return best;
}

void parse_madt(lib::Bytes table, MadtInfo& out, Diagnostics& problems) {
    // Field by field: a whole `MadtInfo{}` temporary is ~6 KiB of kernel stack.
    out.local_apic_address = 0;
    out.pcat_compat = false;
    out.cpu_count = out.io_apic_count = out.override_count = out.nmi_source_count = out.local_nmi_count = 0;
    out.unknown_entry_count = 0;
    if (table.size() < kEntriesOffset) {
        problems.report(signature::kMadt, "shorter than its 44-byte fixed part; ignored", table.size());
        return;
    }
    out.local_apic_address = read_u32(table, 36);
    out.pcat_compat = (read_u32(table, 40) & 1) != 0;

    size_t offset = kEntriesOffset;
    while (offset < table.size()) {
        size_t remaining = table.size() - offset;
        if (remaining < 2) {
            problems.report(signature::kMadt, "entry header cut off at the table end (offset)", offset);
            break;
        }
        uint8_t type = table[offset];
        uint8_t length = table[offset + 1];
        if (length < 2) {
            // Stepping by 0 or 1 would loop forever or misalign every later
            // entry: nothing after this point can be trusted.
            problems.report(signature::kMadt, "entry with length below 2; rest of the table ignored (offset)", offset);
            break;
        }
        if (length > remaining) {
            problems.report(signature::kMadt, "entry runs past the table end; rest ignored (offset)", offset);
            break;
        }
        lib::Bytes entry = table.subspan(offset, length);
        if (length < minimum_length(type)) {
            problems.report(signature::kMadt, "entry shorter than its type's structure; skipped (offset)", offset);
        } else {
            decode_entry(entry, offset, out, problems);
        }
        offset += length;
    }
    if (out.local_apic_address == 0) problems.report(signature::kMadt, "no local APIC address");
}

}  // namespace acpi
