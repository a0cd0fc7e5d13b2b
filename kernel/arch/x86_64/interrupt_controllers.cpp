// The 8259 PICs and the local APIC; see interrupt_controllers.hpp.
#include "kernel/arch/x86_64/interrupt_controllers.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/init.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/arch/x86_64/io.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "lib/x86_64/pic.hpp"

namespace arch {
namespace {

using apic::Register;
namespace pic = x86_64::pic;

constexpr uint8_t kMasterVectorBase = kPicVectorBase;
constexpr uint8_t kSlaveVectorBase = kPicVectorBase + 8;
static_assert(pic::valid_vector_base(kMasterVectorBase) && pic::valid_vector_base(kSlaveVectorBase));
// The wait for an xAPIC IPI to leave: far longer than delivery takes.
constexpr uint32_t kIcrIdleSpins = 1'000'000;

// Each CPU's mode is in its hot block (percpu.hpp): the loader enables
// x2APIC on all of them or on none, but each CPU finds out for itself. The
// xAPIC register page is at the same address for all (each CPU sees its own
// APIC there, SDM §11.4.1).
volatile uint32_t* g_xapic_registers = nullptr;  // the MMIO page, mapped uncached by the layer above

ApicMode this_cpu_mode() {
    return ApicMode(percpu_detail::load<uint8_t, PERCPU_APIC_MODE>());
}
void set_this_cpu_mode(ApicMode mode) {
    percpu_detail::store<uint8_t, PERCPU_APIC_MODE>(uint8_t(mode));
}
uint64_t g_spurious = 0;

uint32_t read_register(Register r) {
    if (this_cpu_mode() == ApicMode::kX2apic) return uint32_t(rdmsr(apic::x2apic_msr(r)));
    return g_xapic_registers[uint16_t(r) / 4];
}

void write_register(Register r, uint32_t value) {
    if (this_cpu_mode() == ApicMode::kX2apic)
        wrmsr(apic::x2apic_msr(r), value);
    else
        g_xapic_registers[uint16_t(r) / 4] = value;
}

// --- 8259 --------------------------------------------------------------------

uint8_t pic_in_service(uint16_t command_port) {
    outb(command_port, pic::kOcw3ReadIsr);
    return inb(command_port);
}

// IRQ 7 / IRQ 15 without their ISR bit set is the PIC's spurious interrupt
// (8259A data sheet, "Interrupt Sequence"): no EOI for it, except that a
// spurious IRQ 15 went through the master's cascade input, which is
// genuinely in service there.
void handle_pic_irq7(InterruptFrame&) {
    if (!(pic_in_service(pic::kMasterCommand) & 0x80)) {
        __atomic_fetch_add(&g_spurious, 1, __ATOMIC_RELAXED);
        return;
    }
    klog::warn("pic: IRQ 7 arrived although every PIC input is masked");
    outb(pic::kMasterCommand, pic::kOcw2Eoi);
}

void handle_pic_irq15(InterruptFrame&) {
    if (!(pic_in_service(pic::kSlaveCommand) & 0x80)) {
        __atomic_fetch_add(&g_spurious, 1, __ATOMIC_RELAXED);
        outb(pic::kMasterCommand, pic::kOcw2Eoi);
        return;
    }
    klog::warn("pic: IRQ 15 arrived although every PIC input is masked");
    outb(pic::kSlaveCommand, pic::kOcw2Eoi);
    outb(pic::kMasterCommand, pic::kOcw2Eoi);
}

// --- local APIC ------------------------------------------------------------

// SDM §11.9: the spurious vector is not in service, so it gets no EOI.
void handle_apic_spurious(InterruptFrame&) {
    __atomic_fetch_add(&g_spurious, 1, __ATOMIC_RELAXED);
}

// SDM §11.5.3: write ESR before reading it, so it latches the errors seen
// since the last write.
void handle_apic_error(InterruptFrame&) {
    write_register(Register::kErrorStatus, 0);
    uint32_t errors = read_register(Register::kErrorStatus);
    klog::warn("apic: error interrupt, ESR={:#x}", errors);
    local_apic_eoi();
}

}  // namespace

void init_legacy_pic() {
    // ICW1..ICW4 to each chip, with a short pause between writes for old
    // hardware; then mask every input (OCW1).
    outb(pic::kMasterCommand, pic::kIcw1Init | pic::kIcw1NeedIcw4);
    io_wait();
    outb(pic::kSlaveCommand, pic::kIcw1Init | pic::kIcw1NeedIcw4);
    io_wait();
    outb(pic::kMasterData, kMasterVectorBase);
    io_wait();
    outb(pic::kSlaveData, kSlaveVectorBase);
    io_wait();
    outb(pic::kMasterData, pic::kIcw3MasterHasSlaveOnIrq2);
    io_wait();
    outb(pic::kSlaveData, pic::kIcw3SlaveIdentity);
    io_wait();
    outb(pic::kMasterData, pic::kIcw4Mode8086);
    io_wait();
    outb(pic::kSlaveData, pic::kIcw4Mode8086);
    io_wait();
    outb(pic::kMasterData, pic::kMaskAll);
    outb(pic::kSlaveData, pic::kMaskAll);
    ASSERT(set_interrupt_handler(kMasterVectorBase + pic::kSpuriousInput, handle_pic_irq7));
    ASSERT(set_interrupt_handler(kSlaveVectorBase + pic::kSpuriousInput, handle_pic_irq15));
}

uint64_t local_apic_registers_physical() {
    if (!has(feature::kApic)) return 0;
    uint64_t base = rdmsr(msr::kApicBase);
    if (base & apic::kBaseX2apicEnable) return 0;  // registers are MSRs
    return base & apic::kBaseAddressMask;
}

void set_local_apic_registers(volatile void* page) {
    g_xapic_registers = static_cast<volatile uint32_t*>(page);
}

void init_local_apic() {
    if (!has(feature::kApic)) {
        klog::warn("apic: this CPU has no local APIC");
        return;
    }
    uint64_t base = rdmsr(msr::kApicBase);
    // x2APIC if the loader switched it on (leaving it is not allowed without
    // disabling the APIC, SDM §11.12.5); xAPIC otherwise.
    if (base & apic::kBaseX2apicEnable) {
        set_this_cpu_mode(ApicMode::kX2apic);
    } else {
        if (!(base & apic::kBaseGlobalEnable)) wrmsr(msr::kApicBase, base | apic::kBaseGlobalEnable);
        // The register page is device memory, which no revision of the
        // boot protocol promises in the HHDM: the layer above mapped it.
        if (!g_xapic_registers)
            PANIC("apic: the xAPIC register page at {:#x} is not mapped", base & apic::kBaseAddressMask);
        set_this_cpu_mode(ApicMode::kXapic);
    }
    ASSERT(set_interrupt_handler(kApicSpuriousVector, handle_apic_spurious));
    ASSERT(set_interrupt_handler(kApicErrorVector, handle_apic_error));

    write_register(Register::kSpuriousVector, apic::spurious_vector_register(kApicSpuriousVector));
    write_register(Register::kTaskPriority, 0);  // accept every priority class
    write_register(Register::kLvtTimer, apic::lvt_entry(0, apic::DeliveryMode::kFixed, true));
    write_register(Register::kLvtThermal, apic::lvt_entry(0, apic::DeliveryMode::kFixed, true));
    write_register(Register::kLvtPerformance, apic::lvt_entry(0, apic::DeliveryMode::kFixed, true));
    // LINT0 would carry the PIC's ExtINT (the PIC is masked and retired);
    // LINT1 is the NMI input on PC platforms (MP spec; the MADT's Local APIC
    // NMI entries may say otherwise once ACPI is read).
    write_register(Register::kLvtLint0, apic::lvt_entry(0, apic::DeliveryMode::kExtInt, true));
    write_register(Register::kLvtLint1, apic::lvt_entry(0, apic::DeliveryMode::kNmi, false));
    write_register(Register::kLvtError, apic::lvt_entry(kApicErrorVector, apic::DeliveryMode::kFixed, false));
    write_register(Register::kErrorStatus, 0);
    write_register(Register::kErrorStatus, 0);
    local_apic_eoi();  // drop anything the firmware left in service
}

ApicMode local_apic_mode() {
    return this_cpu_mode();
}

const char* apic_mode_name(ApicMode mode) {
    return mode == ApicMode::kX2apic ? "x2APIC" : mode == ApicMode::kXapic ? "xAPIC" : "none";
}

uint32_t local_apic_id() {
    uint32_t id = read_register(Register::kId);
    return this_cpu_mode() == ApicMode::kX2apic ? id : apic::xapic_id(id);
}

void local_apic_eoi() {
    write_register(Register::kEoi, 0);
}

void local_apic_send(const apic::IpiCommand& command) {
    if (this_cpu_mode() == ApicMode::kX2apic) {
        // WRMSR to the ICR is not serializing: earlier stores the target
        // must see could still sit in the store buffer (SDM §11.12.3).
        memory_fence();
        wrmsr(apic::kX2apicIcrMsr, apic::x2apic_icr(command));
        return;
    }
    write_register(Register::kInterruptCommandHigh, apic::xapic_icr_high(command.destination));
    write_register(Register::kInterruptCommandLow, apic::icr_low(command));
    for (uint32_t spin = 0;
         spin < kIcrIdleSpins && (read_register(Register::kInterruptCommandLow) & apic::kIcrDeliveryPending); ++spin)
        pause();
}

bool local_apic_in_service(uint8_t vector) {
    return (read_register(apic::in_service_register(vector)) & apic::in_service_bit(vector)) != 0;
}

uint32_t local_apic_read(Register r) {
    return read_register(r);
}

void local_apic_write(Register r, uint32_t value) {
    write_register(r, value);
}

uint64_t spurious_interrupt_count() {
    return __atomic_load_n(&g_spurious, __ATOMIC_RELAXED);
}

}  // namespace arch
