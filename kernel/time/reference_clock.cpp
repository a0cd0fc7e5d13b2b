// The choice of reference clock; see reference_clock.hpp. The counters'
// drivers are arch's (kernel/arch/x86_64/timers.hpp); where they are comes
// from the ACPI tables.
#include "kernel/time/reference_clock.hpp"

#include "kernel/acpi/acpi.hpp"
#include "kernel/arch/x86_64/timers.hpp"
#include "kernel/console/log.hpp"
#include "kernel/mm/mmio.hpp"

namespace ktime {
namespace {

constexpr size_t kHpetRegisterBlockSize = 0x400;  // IA-PC HPET Specification 1.0a §2.3.1

volatile void* g_hpet_registers = nullptr;

}  // namespace

ReferenceClock hpet_reference() {
    const acpi::HpetInfo* info = acpi::hpet();
    if (!info || info->base.space != acpi::AddressSpace::kSystemMemory || info->base.address == 0) return {};
    if (!g_hpet_registers) {
        auto mapped = mm::map_mmio(info->base.address, kHpetRegisterBlockSize);
        if (!mapped.has_value()) {
            klog::warn("time: can not map the HPET at {:#x}: {}", info->base.address, mapped.error().message);
            return {};
        }
        g_hpet_registers = mapped.value();
    }
    auto hz = arch::hpet::start(g_hpet_registers);
    if (!hz) {
        klog::warn("time: HPET at {:#x} not used: {}", info->base.address, hz.error().message);
        return {};
    }
    return {ReferenceKind::kHpet, "HPET", hz.value(), arch::hpet::read};
}

ReferenceClock pm_timer_reference() {
    const acpi::FadtInfo* fadt = acpi::fadt();
    if (!fadt || !fadt->has_pm_timer() || fadt->pm_timer.space != acpi::AddressSpace::kSystemIo) return {};
    if (fadt->pm_timer.address > 0xffff) return {};
    arch::pm_timer::start(uint16_t(fadt->pm_timer.address), fadt->pm_timer_bits);
    return {ReferenceKind::kPmTimer, "ACPI PM timer", arch::pm_timer::kHz, arch::pm_timer::read};
}

ReferenceClock pit_reference() {
    arch::pit::start_channel2();
    return {ReferenceKind::kPit, "PIT", arch::pit::kHz, arch::pit::read_channel2};
}

ReferenceClock select_reference_clock(lib::StringView preference) {
    if (preference == lib::StringView("hpet")) {
        if (ReferenceClock clock = hpet_reference(); clock.present()) return clock;
    } else if (preference == lib::StringView("pmtimer")) {
        if (ReferenceClock clock = pm_timer_reference(); clock.present()) return clock;
    } else if (preference == lib::StringView("pit")) {
        return pit_reference();
    }
    if (ReferenceClock clock = hpet_reference(); clock.present()) return clock;
    if (ReferenceClock clock = pm_timer_reference(); clock.present()) return clock;
    return pit_reference();
}

}  // namespace ktime
