// The reference clocks; see reference_clock.hpp.
#include "kernel/time/reference_clock.hpp"

#include "kernel/acpi/acpi.hpp"
#include "kernel/arch/x86_64/io.hpp"
#include "kernel/console/log.hpp"
#include "kernel/dev/mmio.hpp"
#include "kernel/time/calibration.hpp"

namespace ktime {
namespace {

// --- HPET (IA-PC HPET Specification 1.0a §2.3) ------------------------------

constexpr uint64_t kHpetCapabilities = 0x00;
constexpr uint64_t kHpetConfiguration = 0x10;
constexpr uint64_t kHpetMainCounter = 0xf0;
constexpr uint64_t kHpetEnable = 1u << 0;             // ENABLE_CNF: the main counter runs
constexpr uint64_t kHpetCounter64 = 1u << 13;         // COUNT_SIZE_CAP
constexpr uint64_t kHpetMaxPeriodFs = 100'000'000;    // §2.3.4: at most 100 ns per tick
constexpr uint64_t kFemtosecondsPerSecond = 1'000'000'000'000'000ULL;

volatile uint64_t* g_hpet = nullptr;
bool g_hpet_64bit = false;
uint64_t g_hpet_extended = 0;

uint64_t hpet_register(uint64_t offset) {
    return g_hpet[offset / 8];
}

uint64_t read_hpet() {
    if (g_hpet_64bit) return hpet_register(kHpetMainCounter);
    uint32_t raw = reinterpret_cast<volatile uint32_t*>(g_hpet)[kHpetMainCounter / 4];
    g_hpet_extended = extend_counter(g_hpet_extended, raw, 32);
    return g_hpet_extended;
}

// --- ACPI PM timer (ACPI 6.5 §4.8.3.3) ---------------------------------------

constexpr uint64_t kPmTimerHz = 3'579'545;
uint16_t g_pm_port = 0;
unsigned g_pm_bits = 24;
uint64_t g_pm_extended = 0;

uint64_t read_pm_timer() {
    uint32_t raw = arch::inl(g_pm_port);
    if (g_pm_bits < 32) raw &= (1u << g_pm_bits) - 1;
    g_pm_extended = extend_counter(g_pm_extended, raw, g_pm_bits);
    return g_pm_extended;
}

// --- 8254 channel 2 ----------------------------------------------------------

constexpr uint64_t kPitHz = 1'193'182;
constexpr uint16_t kPitChannel2 = 0x42;
constexpr uint16_t kPitCommand = 0x43;
constexpr uint16_t kSystemControlB = 0x61;  // bit 0: channel 2 gate, bit 1: speaker data
// Command: channel 2 (bits 6..7 = 10), lobyte/hibyte (11), mode 2 (010), binary.
constexpr uint8_t kPitChannel2RateGenerator = 0b1011'0100;
constexpr uint8_t kPitChannel2Latch = 0b1000'0000;

uint16_t g_pit_previous = 0;
uint64_t g_pit_extended = 0;

uint16_t pit_channel2_count() {
    arch::outb(kPitCommand, kPitChannel2Latch);
    uint8_t low = arch::inb(kPitChannel2);
    uint8_t high = arch::inb(kPitChannel2);
    return uint16_t(low | (high << 8));
}

uint64_t read_pit() {
    uint16_t raw = pit_channel2_count();
    g_pit_extended = extend_down_counter16(g_pit_extended, g_pit_previous, raw);
    g_pit_previous = raw;
    return g_pit_extended;
}

}  // namespace

ReferenceClock hpet_reference() {
    const acpi::HpetInfo* info = acpi::hpet();
    if (!info || info->base.space != acpi::AddressSpace::kSystemMemory || info->base.address == 0) return {};
    if (!g_hpet) {
        auto mapped = dev::map_mmio(info->base.address, 0x400);
        if (!mapped.has_value()) {
            klog::warn("time: can not map the HPET at {:#x}: {}", info->base.address, mapped.error().message);
            return {};
        }
        g_hpet = static_cast<volatile uint64_t*>(mapped.value());
    }
    uint64_t capabilities = hpet_register(kHpetCapabilities);
    uint64_t period_fs = capabilities >> 32;
    if (period_fs == 0 || period_fs > kHpetMaxPeriodFs) {
        klog::warn("time: HPET reports an invalid period of {} fs; not used", period_fs);
        return {};
    }
    g_hpet_64bit = capabilities & kHpetCounter64;
    // Start the main counter if the firmware left it stopped (it keeps its
    // value; nothing here needs it to start at zero).
    uint64_t configuration = hpet_register(kHpetConfiguration);
    if (!(configuration & kHpetEnable)) g_hpet[kHpetConfiguration / 8] = configuration | kHpetEnable;
    g_hpet_extended = 0;
    return {ReferenceKind::kHpet, "HPET", kFemtosecondsPerSecond / period_fs, read_hpet};
}

ReferenceClock pm_timer_reference() {
    const acpi::FadtInfo* fadt = acpi::fadt();
    if (!fadt || !fadt->has_pm_timer() || fadt->pm_timer.space != acpi::AddressSpace::kSystemIo) return {};
    if (fadt->pm_timer.address > 0xffff) return {};
    g_pm_port = uint16_t(fadt->pm_timer.address);
    g_pm_bits = fadt->pm_timer_bits;
    g_pm_extended = 0;
    read_pm_timer();
    return {ReferenceKind::kPmTimer, "ACPI PM timer", kPmTimerHz, read_pm_timer};
}

ReferenceClock pit_reference() {
    // Gate on, speaker off, then a full 65536 count in mode 2 (it reloads
    // by itself, so the count keeps running down with no further writes).
    uint8_t control = arch::inb(kSystemControlB);
    arch::outb(kSystemControlB, uint8_t((control & ~0x02) | 0x01));
    arch::outb(kPitCommand, kPitChannel2RateGenerator);
    arch::outb(kPitChannel2, 0);
    arch::outb(kPitChannel2, 0);
    g_pit_previous = pit_channel2_count();
    g_pit_extended = 0;
    return {ReferenceKind::kPit, "PIT", kPitHz, read_pit};
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
