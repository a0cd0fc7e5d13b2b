// The kernel side of ACPI: the physical window over the tables, the one parsed Platform,
// the boot-log summary and the machine reset.
#include "kernel/acpi/acpi.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/io.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/acpi/sleep_type.hpp"
#include "kernel/console/log.hpp"
#include "kernel/mm/mmio.hpp"
#include "lib/utility.hpp"

namespace acpi {
namespace {

// Physical memory as the ACPI parser reads it, limited to where ACPI tables
// may live: memory-map regions (firmware puts tables in ACPI reclaimable,
// ACPI NVS or reserved memory, ACPI 6.5 §15.1) and the legacy area below
// 1 MiB (the BIOS RSDP search area, §5.2.5.1). A corrupt pointer into an
// MMIO hole or beyond RAM is refused instead of being read. Tables outside
// the kernel's direct map (reserved memory, and from base revision 3 on
// nothing of the kind is in the loader's HHDM: docs/limine-protocol.md §7)
// are mapped write-back and read-only as they are first read.
class TableWindow final : public PhysicalWindow {
public:
    lib::Bytes view(uint64_t physical, uint64_t length) const override {
        uint64_t end;
        if (length == 0 || !lib::checked_add(physical, length, end)) return {};
        if (!readable(physical, end)) return {};
        auto mapped = mm::map_firmware(physical, length);
        if (!mapped) return {};
        return lib::Bytes(static_cast<const uint8_t*>(*mapped), length);
    }

private:
    static constexpr uint64_t kLegacyAreaEnd = 1ull << 20;

    static bool usable_region(const boot::MemoryRegion& region) { return region.type != boot::MemoryType::kBadMemory; }

    // True if [begin, end) is covered by qualifying regions, which may be
    // adjacent (a table may straddle an ACPI reclaimable / NVS boundary).
    static bool readable(uint64_t begin, uint64_t end) {
        if (end <= kLegacyAreaEnd) return true;
        if (begin < kLegacyAreaEnd) begin = kLegacyAreaEnd;
        const boot::BootInfo& info = boot::info();
        // Each step moves `begin` to the end of a region, so at most
        // memory_count steps are needed.
        for (size_t step = 0; step <= info.memory_count && begin < end; ++step) {
            bool advanced = false;
            for (size_t i = 0; i < info.memory_count; ++i) {
                const boot::MemoryRegion& region = info.memory[i];
                if (!usable_region(region) || begin < region.base || begin - region.base >= region.length) continue;
                begin = region.base + region.length;
                advanced = true;
                break;
            }
            if (!advanced) return false;
        }
        return begin >= end;
    }
};

TableWindow g_window;
Platform g_platform;
bool g_initialized = false;

void print_tables() {
    const TableDirectory& tables = g_platform.tables;
    const Rsdp& rsdp = tables.rsdp();
    klog::info("acpi: RSDP at {:#x}: revision {}, OEM '{}', using the {} at {:#x}", rsdp.physical, rsdp.revision,
               rsdp.oem_id, tables.uses_xsdt() ? "XSDT" : "RSDT", tables.root_physical());
    for (const TableRecord& table : tables.tables()) {
        klog::info("acpi:   {} OEM '{}' '{}' rev {} length {} at {:#x}", table.header.signature.printable().text,
                   table.header.oem_id, table.header.oem_table_id, table.header.revision, table.header.length,
                   table.physical);
    }
}

void print_madt(const MadtInfo& madt) {
    klog::info("acpi: MADT: {} CPUs ({} usable), local APIC at {:#x}{}", madt.cpu_count, madt.usable_cpu_count(),
               madt.local_apic_address, madt.pcat_compat ? ", dual 8259 present" : "");
    for (const LocalApic& cpu : madt.cpu_list()) {
        klog::info("acpi:   CPU uid {} {}APIC id {}{}", cpu.processor_uid, cpu.x2apic ? "x2" : "", cpu.apic_id,
                   cpu.enabled ? "" : (cpu.online_capable ? " (online capable)" : " (disabled)"));
    }
    for (const IoApic& io_apic : madt.io_apic_list())
        klog::info("acpi:   IO-APIC id {} at {:#x}, GSI base {}", io_apic.id, io_apic.address, io_apic.gsi_base);
    for (const InterruptOverride& item : madt.override_list()) {
        // "Conforming" means ISA's own convention: active high, edge triggered.
        klog::info("acpi:   override ISA IRQ {} -> GSI {} ({}{}, {}{})", item.source, item.gsi,
                   item.flags.active_low() ? "active-low" : "active-high",
                   item.flags.polarity == Polarity::kConforms ? " (ISA default)" : "",
                   item.flags.level_triggered() ? "level" : "edge",
                   item.flags.trigger == TriggerMode::kConforms ? " (ISA default)" : "");
    }
    for (const NmiSource& item : madt.nmi_source_list())
        klog::info("acpi:   NMI source GSI {} ({}, {})", item.gsi, polarity_name(item.flags.polarity),
                   trigger_name(item.flags.trigger));
    for (const LocalNmi& item : madt.local_nmi_list()) {
        if (item.processor_uid == LocalNmi::kAllProcessors)
            klog::info("acpi:   local NMI on LINT{} of every CPU", item.lint);
        else
            klog::info("acpi:   local NMI on LINT{} of CPU uid {}", item.lint, item.processor_uid);
    }
}

void print_fadt(const FadtInfo& fadt) {
    klog::info("acpi: FADT: revision {}.{}, SCI IRQ {}, DSDT at {:#x}, century register {:#x}", fadt.revision,
               fadt.minor_revision, fadt.sci_interrupt, fadt.dsdt_address, fadt.century_register);
    if (fadt.has_pm_timer())
        klog::info("acpi:   PM timer: {} {:#x}, {} bits", address_space_name(fadt.pm_timer.space),
                   fadt.pm_timer.address, fadt.pm_timer_bits);
    else
        klog::info("acpi:   PM timer: none");
    if (fadt.reset_supported)
        klog::info("acpi:   reset register: {} {:#x} <- {:#x}", address_space_name(fadt.reset_register.space),
                   fadt.reset_register.address, fadt.reset_value);
    else
        klog::info("acpi:   reset register: none");
    BootArchitectureFlags arch = fadt.boot_architecture;
    klog::info("acpi:   boot architecture {:#x}:{}{}{}{}{}{}", arch.raw, arch.legacy_devices() ? " legacy-devices" : "",
               arch.has_8042() ? " 8042" : "", arch.vga_not_present() ? " no-VGA" : "",
               arch.msi_not_supported() ? " no-MSI" : "", arch.pcie_aspm_controls() ? " no-ASPM" : "",
               arch.cmos_rtc_not_present() ? " no-CMOS-RTC" : "");
}

void print_problems() {
    const Diagnostics& problems = g_platform.problems;
    if (problems.empty()) {
        klog::info("acpi: no problems found in the tables");
        return;
    }
    for (size_t i = 0; i < problems.count(); ++i) {
        const Problem& problem = problems[i];
        if (problem.repeats)
            klog::warn("acpi: problem: {}: {} ({:#x}; {} more times)", problem.table.text, problem.message,
                       problem.detail, problem.repeats);
        else
            klog::warn("acpi: problem: {}: {} ({:#x})", problem.table.text, problem.message, problem.detail);
    }
    if (problems.dropped()) klog::warn("acpi: ... and {} more problems", problems.dropped());
}

// A byte write to the FADT reset register (§4.8.3.6: 8 bits wide, offset 0).
void write_reset_register(const GenericAddress& reg, uint8_t value) {
    switch (reg.space) {
        case AddressSpace::kSystemIo:
            if (reg.address <= 0xffff) arch::outb(static_cast<uint16_t>(reg.address), value);
            break;
        case AddressSpace::kSystemMemory:
            // A memory-mapped reset register is device memory, outside the
            // table window: mapped uncached (refused if it is RAM).
            if (auto mapped = mm::map_mmio(reg.address, 1)) *static_cast<volatile uint8_t*>(*mapped) = value;
            break;
        case AddressSpace::kPciConfig: {
            // Configuration mechanism #1 (PCI Local Bus Specification 3.0
            // §3.2.2.3.2) on bus 0: enable bit, device, function, dword offset.
            uint32_t address = (1u << 31) | (uint32_t(reg.pci_device() & 0x1f) << 11) |
                               (uint32_t(reg.pci_function() & 0x7) << 8) | (reg.pci_offset() & 0xfc);
            arch::outl(0xcf8, address);
            arch::outb(static_cast<uint16_t>(0xcfc + (reg.pci_offset() & 3)), value);
            break;
        }
        default: break;
    }
}

// The PM1 control registers are 16 bits (§4.8.3.2.1), in I/O space or
// memory (device memory, mapped uncached when used); other spaces are
// refused when power-off looks for them.
struct Pm1Register {
    const GenericAddress* where = nullptr;
    volatile uint16_t* memory = nullptr;  // the mapping, for system-memory registers

    bool open(const GenericAddress& reg) {
        where = &reg;
        if (reg.space == AddressSpace::kSystemIo) return reg.address <= 0xfffe;
        if (reg.space != AddressSpace::kSystemMemory) return false;
        auto mapped = mm::map_mmio(reg.address, 2);
        if (!mapped) return false;
        memory = static_cast<volatile uint16_t*>(*mapped);
        return true;
    }
    uint16_t read() const {
        return memory ? *memory : arch::inw(static_cast<uint16_t>(where->address));
    }
    void write(uint16_t value) const {
        if (memory)
            *memory = value;
        else
            arch::outw(static_cast<uint16_t>(where->address), value);
    }
};

// PM1 control bits (§4.8.3.2.1, Table 4.13).
constexpr uint16_t kSciEnable = 1u << 0;
constexpr uint16_t kSleepTypeMask = 7u << 10;
constexpr unsigned kSleepTypeShift = 10;
constexpr uint16_t kSleepEnable = 1u << 13;

// About `microseconds` µs: each write to the POST port takes ~1 µs on ISA timing.
void short_wait(uint32_t microseconds) {
    for (uint32_t i = 0; i < microseconds; ++i) arch::io_wait();
}

}  // namespace

void init() {
    g_platform.parse(g_window, boot::info().rsdp_physical);
    g_initialized = true;
}

bool initialized() {
    return g_initialized;
}

const Platform& platform() {
    return g_platform;
}
const PhysicalWindow& table_window() {
    return g_window;
}
const MadtInfo* madt() {
    return g_platform.has_madt ? &g_platform.madt : nullptr;
}
const FadtInfo* fadt() {
    return g_platform.has_fadt ? &g_platform.fadt : nullptr;
}
const HpetInfo* hpet() {
    return g_platform.has_hpet ? &g_platform.hpet : nullptr;
}
const McfgInfo* mcfg() {
    return g_platform.has_mcfg ? &g_platform.mcfg : nullptr;
}

lib::Bytes table_bytes(Signature signature, size_t index) {
    return g_platform.tables.table_bytes(signature, index);
}

void print_summary() {
    if (!g_platform.tables.found_rsdp()) {
        klog::warn("acpi: no usable RSDP; no ACPI tables");
        print_problems();
        return;
    }
    print_tables();
    if (const MadtInfo* info = madt())
        print_madt(*info);
    else
        klog::warn("acpi: no MADT");
    if (const FadtInfo* info = fadt())
        print_fadt(*info);
    else
        klog::warn("acpi: no FADT");
    if (const HpetInfo* info = hpet())
        klog::info("acpi: HPET: base {:#x}, {} comparators, {}-bit counter, minimum tick {}, PCI vendor {:#06x}",
                   info->base.address, info->comparator_count, info->counter_64bit ? 64 : 32, info->minimum_tick,
                   info->pci_vendor_id);
    else
        klog::info("acpi: HPET: none");
    if (const McfgInfo* info = mcfg()) {
        for (const EcamRange& range : info->range_list())
            klog::info("acpi: MCFG: segment {} buses {}-{} ECAM at {:#x}", range.segment, range.start_bus,
                       range.end_bus, range.base);
        if (info->range_count == 0) klog::info("acpi: MCFG: no usable ranges");
    } else {
        klog::info("acpi: MCFG: none");
    }
    size_t aml_tables = g_platform.tables.count(signature::kDsdt) + g_platform.tables.count(signature::kSsdt);
    klog::info("acpi: {} AML tables (DSDT + SSDTs) kept for later", aml_tables);
    print_problems();
}

[[noreturn]] void reset() {
    arch::cli();
    if (g_initialized && g_platform.has_fadt && g_platform.fadt.reset_supported) {
        const FadtInfo& fadt = g_platform.fadt;
        klog::info("acpi: reset through the FADT reset register ({} {:#x} <- {:#x})",
                   address_space_name(fadt.reset_register.space), fadt.reset_register.address, fadt.reset_value);
        klog::flush();
        write_reset_register(fadt.reset_register, fadt.reset_value);
        short_wait(100000);
    }
    // The 8042's output port bit 0 drives the CPU reset line; command 0xFE
    // pulses it. Wait (bounded) for the input buffer to drain first.
    klog::info("acpi: reset through the 8042 keyboard controller");
    klog::flush();
    for (int i = 0; i < 100000 && (arch::inb(0x64) & 0x02); ++i) arch::io_wait();
    arch::outb(0x64, 0xfe);
    short_wait(100000);
    reset_by_triple_fault();
}

lib::Expected<SleepType> soft_off_sleep_type() {
    lib::Error last = lib::Error::make(lib::ErrorCode::kENOENT, "ACPI: no DSDT or SSDT to look for \\_S5 in");
    // The DSDT first, then each SSDT (§5.2.11: both hold definition blocks).
    const Signature kinds[] = {signature::kDsdt, signature::kSsdt};
    for (Signature signature : kinds) {
        for (size_t index = 0;; ++index) {
            lib::Bytes table = table_bytes(signature, index);
            if (table.empty()) break;
            constexpr size_t kHeaderSize = 36;  // §5.2.6, the system description table header
            if (table.size() <= kHeaderSize) continue;
            auto found = find_sleep_type(table.subspan(kHeaderSize), '5');
            if (found) return found;
            last = found.error();
        }
    }
    return last;
}

lib::Expected<void> power_off() {
    if (!g_initialized || !g_platform.has_fadt)
        return lib::Error::make(lib::ErrorCode::kEOPNOTSUPP, "power-off: no FADT");
    const FadtInfo& fadt = g_platform.fadt;
    if (fadt.hardware_reduced())
        return lib::Error::make(lib::ErrorCode::kEOPNOTSUPP, "power-off: hardware-reduced ACPI (no PM1 registers)");
    Pm1Register a, b;
    if (!a.open(fadt.pm1a_control))
        return lib::Error::make(lib::ErrorCode::kEOPNOTSUPP, "power-off: no usable PM1a control register");
    bool use_b = fadt.pm1b_control.present();
    if (use_b && !b.open(fadt.pm1b_control))
        return lib::Error::make(lib::ErrorCode::kEOPNOTSUPP, "power-off: PM1b control register not usable");
    SleepType type = TRY(soft_off_sleep_type());

    arch::cli();
    // The PM1 registers respond once the platform is in ACPI mode (SCI_EN
    // set, §16.3.1): firmware that boots in legacy mode switches when
    // ACPI_ENABLE is written to SMI_CMD (§4.8.2.1). Wait a bounded time.
    if (!(a.read() & kSciEnable) && fadt.smi_command_port != 0 && fadt.acpi_enable_value != 0 &&
        fadt.smi_command_port <= 0xffff) {
        arch::outb(static_cast<uint16_t>(fadt.smi_command_port), fadt.acpi_enable_value);
        for (int i = 0; i < 3000 && !(a.read() & kSciEnable); ++i) short_wait(1000);
    }
    klog::info("acpi: power off (\\_S5: SLP_TYPa={} SLP_TYPb={})", type.a, type.b);
    klog::flush();
    // §16.1.7: write SLP_TYPx, then SLP_EN with it, to PM1a and PM1b.
    uint16_t value_a = (a.read() & ~(kSleepTypeMask | kSleepEnable)) | uint16_t(type.a << kSleepTypeShift);
    uint16_t value_b = use_b ? uint16_t((b.read() & ~(kSleepTypeMask | kSleepEnable)) | (type.b << kSleepTypeShift)) : 0;
    a.write(value_a);
    if (use_b) b.write(value_b);
    a.write(value_a | kSleepEnable);
    if (use_b) b.write(value_b | kSleepEnable);
    // A real machine is off within microseconds; an emulator acts on the
    // request in its own time (QEMU's main loop, which a busy host may not
    // run for a while). About 1.5 s at 2.8 GHz (TSC ticks: no calibrated
    // clock is needed here).
    const uint64_t start = arch::rdtsc();
    while (arch::rdtsc() - start < (uint64_t(1) << 32)) arch::pause();
    return lib::Error::make(lib::ErrorCode::kEIO, "power-off: the machine is still running after SLP_EN");
}

[[noreturn]] void reset_by_triple_fault() {
    arch::cli();
    klog::info("acpi: reset by triple fault");
    klog::flush();
    // An IDT of limit 0: the breakpoint cannot be delivered, nor the #GP
    // that follows, nor the #DF, so the processor shuts down, which the
    // chipset turns into a reset.
    struct [[gnu::packed]] {
        uint16_t limit;
        uint64_t base;
    } empty_idt{0, 0};
    asm volatile("lidt %0; int3" ::"m"(empty_idt) : "memory");
    arch::halt_forever();
}

}  // namespace acpi
