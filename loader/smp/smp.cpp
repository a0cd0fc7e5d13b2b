// SMP start-up for the Limine SMP feature: the orchestration around the
// pure pieces (cpu_list, response, trampoline, tsc_delay). See smp.hpp for
// the contract with main.cpp and trampoline.S for the AP's path.
#include "loader/smp/smp.hpp"

#include "lib/utility.hpp"
#include "lib/x86_64/apic.hpp"
#include "lib/x86_64/cpuid.hpp"
#include "lib/x86_64/page_table.hpp"
#include "lib/x86_64/registers.hpp"
#include "loader/cpu.hpp"
#include "loader/madt.hpp"
#include "loader/smp/cpu_list.hpp"
#include "loader/smp/entry_lapic.hpp"
#include "loader/smp/response.hpp"
#include "loader/smp/trampoline.hpp"
#include "loader/smp/tsc_delay.hpp"
#include "protocol/limine.hpp"

namespace loader::smp {
namespace {

using lib::Error;
using lib::ErrorCode;

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kBelow640KiB = 0xa0000;
constexpr uint64_t kBelow1MiB = 0x100000;     // a SIPI vector names a page below 1 MiB
constexpr uint64_t kBelow4GiB = 0x100000000;  // CR3 loaded from 32-bit code
constexpr uint64_t kAnywhere = ~0ULL;
constexpr uint64_t kMaxStackSize = 1ULL << 30;     // a sanity bound on the Stack Size request

// The waits of the "typical BSP initialization sequence" (Intel SDM Vol. 3A
// §9.4.4.1): 10 ms after INIT, 200 us after each STARTUP IPI. How long an
// AP may take from its SIPI to reporting in is ours to choose. Real CPUs
// need microseconds; under QEMU's TCG every virtual CPU is a host thread and
// the APs already parked spin, so with 8 vCPUs on 2 host cores the last AP
// was measured at ~110 ms. One second costs nothing when CPUs answer and
// only delays the boot by that much per CPU that never does.
constexpr uint64_t kAfterInitMicroseconds = 10000;
constexpr uint64_t kAfterStartupMicroseconds = 200;
constexpr uint64_t kReportInTimeoutMicroseconds = 1000000;
constexpr uint64_t kIcrIdleTimeoutMicroseconds = 1000;

namespace apic = x86_64::apic;
namespace feature = x86_64::feature;
namespace msr = x86_64::msr;

struct State {
    bool prepared = false;
    bool want_x2apic = false;
    uint64_t hhdm_offset = 0;
    uint32_t bsp_apic_id = 0;
    uint64_t local_apic_address = 0;             // from the MADT; 0 = take IA32_APIC_BASE
    lib::Span<const acpi::LocalNmi> local_nmis;  // the MADT's LINT NMI inputs
    CpuList cpus;
    uint64_t stack_size = 0;
    uint64_t stacks_physical[kMaxCpus] = {};  // per CpuList entry; 0 for the BSP
    uint64_t trampoline_physical = 0;
    uint64_t temporary_tables_physical = 0;
    uint64_t response_physical = 0;
    ResponseBlock response;
    TscRate tsc;
    StartReport report;
};

// Constant-initialised: the loader runs no global constructors.
constinit State g_state;

uint8_t* identity(uint64_t physical) {
    return reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(physical));
}

// The BSP's APIC id as the MADT lists it: the x2APIC id from leaf 0BH when
// the CPU has that leaf, else the initial xAPIC id in CPUID.01H:EBX[31:24]
// (SDM Vol. 3A §11.4.6; both agree below 255).
uint32_t read_bsp_apic_id() {
    return x86_64::initial_apic_id();
}

bool cpu_has_x2apic() {
    return x86_64::has(feature::kX2apic);
}
bool cpu_has_pat() {
    return x86_64::has(feature::kPat);
}
bool cpu_has_tsc() {
    return x86_64::has(feature::kTsc);
}

void delay(uint64_t microseconds) {
    uint64_t ticks = g_state.tsc.ticks_for(microseconds);
    uint64_t start = cpu::rdtsc();
    while (cpu::rdtsc() - start < ticks) cpu::pause();
}

// Polls `condition` until it holds or `timeout` microseconds have passed.
template <typename Condition>
bool wait_for(uint64_t timeout, Condition condition) {
    uint64_t ticks = g_state.tsc.ticks_for(timeout);
    uint64_t start = cpu::rdtsc();
    for (;;) {
        if (condition()) return true;
        if (cpu::rdtsc() - start >= ticks) return condition();
        cpu::pause();
    }
}

// Sending IPIs through the BSP's local APIC, xAPIC (MMIO) or x2APIC (MSR).
class LocalApic {
public:
    LocalApic(bool x2apic_mode, uint64_t mmio_base) : x2apic_mode_(x2apic_mode), mmio_base_(mmio_base) {}

    void send(const apic::IpiCommand& command) const {
        if (x2apic_mode_) {
            cpu::memory_fence();
            cpu::wrmsr(apic::kX2apicIcrMsr, apic::x2apic_icr(command));
            return;
        }
        wait_until_idle();
        cpu::mmio_write32(mmio_base_ + uint32_t(apic::Register::kInterruptCommandHigh),
                          apic::xapic_icr_high(command.destination));
        cpu::mmio_write32(mmio_base_ + uint32_t(apic::Register::kInterruptCommandLow), apic::icr_low(command));
        wait_until_idle();
    }

    uint32_t read(uint32_t offset) const {
        if (x2apic_mode_) return uint32_t(cpu::rdmsr(apic::x2apic_msr(apic::Register(offset))));
        return cpu::mmio_read32(mmio_base_ + offset);
    }
    void write(uint32_t offset, uint32_t value) const {
        if (x2apic_mode_)
            cpu::wrmsr(apic::x2apic_msr(apic::Register(offset)), value);
        else
            cpu::mmio_write32(mmio_base_ + offset, value);
    }
    unsigned max_lvt_entry() const { return apic::max_lvt_entry(read(uint32_t(apic::Register::kVersion))); }

private:
    // xAPIC: the previous IPI must have left before the ICR is rewritten
    // (delivery status, ICR bit 12). Bounded: a stuck bit must not hang boot.
    void wait_until_idle() const {
        (void)wait_for(kIcrIdleTimeoutMicroseconds, [&] {
            return (cpu::mmio_read32(mmio_base_ + uint32_t(apic::Register::kInterruptCommandLow)) &
                    apic::kIcrDeliveryPending) == 0;
        });
    }

    bool x2apic_mode_;
    uint64_t mmio_base_;
};

// Whether the platform has locked the APICs in x2APIC mode: IA32_ARCH_
// CAPABILITIES (enumerated by CPUID.(EAX=07H,ECX=0):EDX[29]) bit 21 says
// IA32_XAPIC_DISABLE_STATUS exists, whose bit 0 means "legacy xAPIC
// disabled" (SDM Vol. 4, Table 2-2). Leaving x2APIC then would #GP.
bool xapic_disabled_by_platform() {
    if (!x86_64::has(feature::kArchCapabilities)) return false;
    if ((cpu::rdmsr(msr::kArchCapabilities) & x86_64::arch_capabilities::kXapicDisableStatus) == 0) return false;
    return (cpu::rdmsr(msr::kXapicDisableStatus) & x86_64::xapic_disable_status::kLegacyXapicDisabled) != 0;
}

// Whether every listed CPU could be addressed in xAPIC mode.
bool all_ids_fit_xapic() {
    for (size_t i = 0; i < g_state.cpus.count; ++i)
        if (!can_send_ipi_to(g_state.cpus.cpus[i].apic_id, false)) return false;
    return true;
}

// Puts the BSP's local APIC in the mode the kernel asked for, when the CPU
// and platform allow it; returns whether it is in x2APIC mode now.
// - x2APIC asked for and available: xAPIC -> x2APIC, the legal transition
//   (enable, then set EXTD; SDM §11.12.5).
// - xAPIC asked for but the firmware left x2APIC on (it does with many CPUs):
//   x2APIC -> disabled -> xAPIC, as Limine does, unless some APIC id needs
//   x2APIC or the platform forbids xAPIC; then x2APIC stays and the
//   response flag says so.
bool configure_bsp_apic_mode() {
    uint64_t base = cpu::rdmsr(msr::kApicBase);
    if ((base & apic::kBaseX2apicEnable) != 0) {
        if (g_state.want_x2apic || !all_ids_fit_xapic() || xapic_disabled_by_platform()) return true;
        base &= ~(apic::kBaseGlobalEnable | apic::kBaseX2apicEnable);
        cpu::wrmsr(msr::kApicBase, base);
        cpu::wrmsr(msr::kApicBase, base | apic::kBaseGlobalEnable);
        return false;
    }
    if (!g_state.want_x2apic || !cpu_has_x2apic()) return false;
    // xAPIC -> x2APIC is the legal transition: enable, then set EXTD.
    base |= apic::kBaseGlobalEnable;
    cpu::wrmsr(msr::kApicBase, base);
    cpu::wrmsr(msr::kApicBase, base | apic::kBaseX2apicEnable);
    return true;
}

// SIPI(-SIPI) for one AP that got its INIT at least 10 ms ago (SDM Vol. 3A
// §9.4.4.1), waiting a bounded time for it to report in. Returns the alive
// value it reported, or 0.
uint32_t start_one(const LocalApic& local_apic, uint8_t* trampoline, uint32_t apic_id, uint8_t vector) {
    uint64_t sipi_time = cpu::rdtsc();
    local_apic.send(apic::startup_ipi(apic_id, vector));
    delay(kAfterStartupMicroseconds);
    // A second SIPI only if the first one was lost: an AP already running
    // ignores it anyway (it is not in wait-for-SIPI any more).
    if (read_ap_started(trampoline) == 0 && read_ap_alive(trampoline) == 0) {
        local_apic.send(apic::startup_ipi(apic_id, vector));
        delay(kAfterStartupMicroseconds);
    }
    uint32_t alive = 0;
    (void)wait_for(kReportInTimeoutMicroseconds, [&] {
        alive = read_ap_alive(trampoline);
        return alive != 0;
    });
    if (alive != 0) {
        uint64_t elapsed = g_state.tsc.microseconds_for(cpu::rdtsc() - sipi_time);
        g_state.report.slowest_report_in_microseconds =
            lib::max(g_state.report.slowest_report_in_microseconds, elapsed);
    } else {
        // Send it back to wait-for-SIPI so that it cannot wake up later and
        // run on the next AP's stack with the next AP's smp_info.
        local_apic.send(apic::init_ipi(apic_id));
        delay(kAfterStartupMicroseconds);
    }
    return alive;
}

uint64_t pages_for(uint64_t bytes) {
    return lib::align_up(bytes, kPageSize) / kPageSize;
}

uint64_t allocate(const PageAllocator& allocator, uint64_t pages, uint64_t below) {
    return allocator.allocate(allocator.context, pages, below);
}

// Without a usable MADT the response lists the BSP alone (smp.hpp: not an
// error); the reason goes into the report.
void list_bsp_only(const char* problem) {
    build_cpu_list(nullptr, g_state.bsp_apic_id, g_state.cpus);
    g_state.report.madt_found = false;
    g_state.report.madt_problem = problem;
}

void read_cpus_from_madt(const PrepareInfo& info) {
    g_state.local_apic_address = 0;
    g_state.local_nmis = {};
    const char* problem = nullptr;
    const acpi::MadtInfo* madt = read_madt(info.rsdp, &problem);
    if (madt == nullptr) return list_bsp_only(problem);
    g_state.report.madt_found = true;
    g_state.report.madt_problem = problem;  // entries skipped, if any
    g_state.local_apic_address = madt->local_apic_address;
    g_state.local_nmis = madt->local_nmi_list();
    build_cpu_list(madt, g_state.bsp_apic_id, g_state.cpus);
}

}  // namespace

lib::Expected<void> prepare(const PrepareInfo& info) {
    g_state.prepared = false;
    g_state.report = StartReport{};
    g_state.want_x2apic = info.want_x2apic;
    g_state.hhdm_offset = info.hhdm_offset;
    g_state.bsp_apic_id = read_bsp_apic_id();
    read_cpus_from_madt(info);
    g_state.report.cpus_listed = g_state.cpus.count;

    const PageAllocator& allocator = info.allocator;
    if (allocator.allocate == nullptr) return Error::make(ErrorCode::kEINVAL, "SMP: no page allocator given");

    // The response comes first: whatever happens to the APs, the kernel
    // gets a response listing at least the BSP.
    uint64_t block_bytes = response_block_size(g_state.cpus.count);
    g_state.response_physical = allocate(allocator, pages_for(block_bytes), kAnywhere);
    if (g_state.response_physical == 0) return Error::make(ErrorCode::kENOMEM, "SMP: no memory for the response");
    g_state.response = ResponseBlock(identity(g_state.response_physical), info.hhdm_offset + g_state.response_physical,
                                     g_state.cpus.count);

    // The trampoline page is promised by trampoline_physical() even on a
    // single CPU, so main.cpp's mapping code has one path.
    // Conventional memory below 640 KiB first: every page there is a usable
    // SIPI target; above it, the vectors A0h-BFh are not (apic.hpp).
    g_state.trampoline_physical = allocate(allocator, 1, kBelow640KiB);
    if (g_state.trampoline_physical == 0) g_state.trampoline_physical = allocate(allocator, 1, kBelow1MiB);
    if (g_state.trampoline_physical == 0 || !apic::is_valid_startup_page(g_state.trampoline_physical)) {
        g_state.trampoline_physical = 0;
        return Error::make(ErrorCode::kENOMEM, "SMP: no usable page below 1 MiB for the AP trampoline");
    }

    if (g_state.cpus.ap_count() > 0) {
        g_state.temporary_tables_physical = allocate(allocator, kTemporaryTablePages, kBelow4GiB);
        if (g_state.temporary_tables_physical == 0)
            return Error::make(ErrorCode::kENOMEM, "SMP: no memory below 4 GiB for the APs' first page tables");

        uint64_t stack_size = info.stack_size != 0 ? info.stack_size : limine::kDefaultStackSize;
        if (stack_size > kMaxStackSize) return Error::make(ErrorCode::kERANGE, "SMP: AP stack size above 1 GiB");
        g_state.stack_size = lib::align_up(stack_size, kPageSize);
        for (size_t i = 0; i < g_state.cpus.count; ++i) {
            g_state.stacks_physical[i] = 0;
            if (g_state.cpus.cpus[i].is_bsp) continue;
            g_state.stacks_physical[i] = allocate(allocator, g_state.stack_size / kPageSize, kAnywhere);
            if (g_state.stacks_physical[i] == 0)
                return Error::make(ErrorCode::kENOMEM, "SMP: no memory for an AP stack");
        }

        // No BS->Stall after ExitBootServices: time the TSC against it now.
        g_state.tsc = TscRate{};
        if (info.stall_microseconds != nullptr && cpu_has_tsc()) {
            uint64_t before = cpu::rdtsc();
            info.stall_microseconds(kCalibrationMicroseconds);
            uint64_t after = cpu::rdtsc();
            g_state.tsc = TscRate::from_measurement(after - before, kCalibrationMicroseconds);
        }
        g_state.report.tsc_ticks_per_millisecond = g_state.tsc.ticks_per_millisecond();
    }

    g_state.prepared = true;
    return {};
}

uint64_t trampoline_physical() {
    return g_state.trampoline_physical;
}

namespace {

TrampolineSetup trampoline_setup(const StartInfo& info, bool x2apic_mode) {
    TrampolineSetup setup{};
    setup.page_physical = g_state.trampoline_physical;
    setup.hhdm_offset = g_state.hhdm_offset;
    setup.registers = ap_control_registers(cpu::read_cr0(), cpu::read_cr4(), info.five_level_paging, info.nx);
    setup.temporary_cr3 = static_cast<uint32_t>(
        build_temporary_tables(reinterpret_cast<uint64_t*>(identity(g_state.temporary_tables_physical)),
                               g_state.temporary_tables_physical, info.five_level_paging));
    setup.kernel_cr3 = info.pml4_physical;
    setup.gdtr_base_virtual = info.gdtr_base_virtual;
    setup.gdtr_limit = info.gdtr_limit;
    setup.code_selector = info.code_selector;
    setup.data_selector = info.data_selector;
    setup.set_pat = cpu_has_pat();
    setup.pat = x86_64::paging::kPatLayout;
    setup.enable_x2apic = x2apic_mode;
    return setup;
}

// Starts every AP of the list; marks those that report in online. Returns
// whether all of them reported x2APIC mode.
bool start_all_aps(const StartInfo& info, bool x2apic_mode) {
    StartReport& report = g_state.report;
    uint8_t* trampoline = identity(g_state.trampoline_physical);
    install_trampoline(trampoline, trampoline_setup(info, x2apic_mode));

    uint64_t mmio_base = g_state.local_apic_address;
    if (mmio_base == 0) mmio_base = cpu::rdmsr(msr::kApicBase) & apic::kBaseAddressMask;
    LocalApic local_apic(x2apic_mode, mmio_base);
    uint8_t vector = apic::startup_vector(g_state.trampoline_physical);

    // INIT to every AP first and one 10 ms wait for all: each AP still sees
    // INIT, >= 10 ms, SIPI, but the boot does not pay the wait per CPU.
    for (size_t i = 0; i < g_state.cpus.count; ++i) {
        const SmpCpu& cpu = g_state.cpus.cpus[i];
        if (!cpu.is_bsp && can_send_ipi_to(cpu.apic_id, x2apic_mode)) local_apic.send(apic::init_ipi(cpu.apic_id));
    }
    delay(kAfterInitMicroseconds);

    // Then one AP at a time: they share the trampoline's parameter block.
    bool all_x2apic = true;
    for (size_t i = 0; i < g_state.cpus.count; ++i) {
        SmpCpu& cpu = g_state.cpus.cpus[i];
        if (cpu.is_bsp) continue;
        if (!can_send_ipi_to(cpu.apic_id, x2apic_mode)) {
            ++report.aps_unreachable;
            continue;
        }
        uint64_t stack_top = g_state.hhdm_offset + g_state.stacks_physical[i] + g_state.stack_size;
        set_ap_parameters(trampoline, stack_top, g_state.response.info_virtual(i));
        // The APs' local APICs are like the BSP's (one Max LVT Entry for all).
        set_ap_lapic_program(trampoline,
                             entry_lapic_program(g_state.local_nmis, cpu.processor_uid, local_apic.max_lvt_entry()));
        uint32_t alive = start_one(local_apic, trampoline, cpu.apic_id, vector);
        if (alive == 0) {
            ++report.aps_failed;
            if (report.aps_failed == 1) report.first_failed_apic_id = cpu.apic_id;
            continue;
        }
        cpu.online = true;
        ++report.aps_started;
        if (alive != kApAliveX2apic) all_x2apic = false;
    }
    return all_x2apic;
}

}  // namespace

limine::SmpResponse* start_aps(const StartInfo& info) {
    if (!g_state.prepared) return nullptr;
    StartReport& report = g_state.report;
    uint64_t start_time = cpu::rdtsc();

    bool x2apic_mode = configure_bsp_apic_mode();
    report.x2apic_requested = g_state.want_x2apic;
    report.x2apic_available = cpu_has_x2apic();
    bool all_x2apic = x2apic_mode;

    if (g_state.cpus.ap_count() > 0) {
        // Without a running TSC every wait would be zero or endless: list
        // the BSP alone rather than guess.
        if (!g_state.tsc.is_valid())
            report.skipped_no_timer = true;
        else if (!start_all_aps(info, x2apic_mode))
            all_x2apic = false;
    }

    report.x2apic_enabled = all_x2apic;
    report.start_aps_microseconds = g_state.tsc.microseconds_for(cpu::rdtsc() - start_time);
    return g_state.response.finish(g_state.cpus, g_state.bsp_apic_id, all_x2apic);
}

const StartReport& start_report() {
    return g_state.report;
}

void set_bsp_entry_lapic_state(const void* rsdp) {
    if (!x86_64::has(feature::kApic)) return;
    uint64_t base = cpu::rdmsr(msr::kApicBase);
    if ((base & apic::kBaseGlobalEnable) == 0) cpu::wrmsr(msr::kApicBase, base |= apic::kBaseGlobalEnable);
    bool x2apic_mode = (base & apic::kBaseX2apicEnable) != 0;
    LocalApic local_apic(x2apic_mode, base & apic::kBaseAddressMask);
    // The BSP's ACPI processor UID, from its MADT entry (0 without one).
    const char* problem = nullptr;
    const acpi::MadtInfo* madt = read_madt(rsdp, &problem);
    uint32_t apic_id = read_bsp_apic_id(), processor_uid = 0;
    lib::Span<const acpi::LocalNmi> nmis;
    if (madt) {
        nmis = madt->local_nmi_list();
        for (const acpi::LocalApic& entry : madt->cpu_list())
            if (entry.apic_id == apic_id) processor_uid = entry.processor_uid;
    }
    LapicProgram program = entry_lapic_program(nmis, processor_uid, local_apic.max_lvt_entry());
    for (uint32_t i = 0; i < program.count; ++i) local_apic.write(program.writes[i].offset, program.writes[i].value);
}

}  // namespace loader::smp
