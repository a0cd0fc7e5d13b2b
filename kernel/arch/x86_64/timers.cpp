// The HPET, ACPI PM timer and 8254 drivers; see timers.hpp.
#include "kernel/arch/x86_64/timers.hpp"

#include "kernel/arch/x86_64/io.hpp"
#include "lib/counter.hpp"
#include "lib/x86_64/hpet.hpp"

namespace arch {

using lib::extend_counter;

// --- HPET ------------------------------------------------------------------------

namespace hpet {

using namespace x86_64::hpet;  // registers and capability bits (lib/x86_64/hpet.hpp)

namespace {

constexpr uint64_t kFemtosecondsPerSecond = 1'000'000'000'000'000ULL;

volatile uint64_t* g_registers = nullptr;
bool g_counter_64 = false;
uint64_t g_extended = 0;

}  // namespace

lib::Expected<uint64_t> start(volatile void* registers) {
    g_registers = static_cast<volatile uint64_t*>(registers);
    Capabilities capabilities = decode_capabilities(g_registers[kCapabilitiesRegister / 8]);
    uint64_t period_fs = capabilities.period_fs;
    if (period_fs == 0 || period_fs > kMaxPeriodFemtoseconds)
        return lib::Error::make(lib::ErrorCode::kEIO, "HPET reports an invalid counter period");
    g_counter_64 = capabilities.counter_64bit;
    // Start the main counter if the firmware left it stopped (it keeps its
    // value; nothing here needs it to start at zero).
    uint64_t configuration = g_registers[kConfigurationRegister / 8];
    if (!(configuration & kConfigurationEnable))
        g_registers[kConfigurationRegister / 8] = configuration | kConfigurationEnable;
    g_extended = 0;
    return kFemtosecondsPerSecond / period_fs;
}

uint64_t read() {
    if (g_counter_64) return g_registers[kMainCounterRegister / 8];
    uint32_t raw = reinterpret_cast<volatile uint32_t*>(g_registers)[kMainCounterRegister / 4];
    g_extended = extend_counter(g_extended, raw, 32);
    return g_extended;
}

}  // namespace hpet

// --- ACPI PM timer ------------------------------------------------------------------

namespace pm_timer {
namespace {

uint16_t g_port = 0;
unsigned g_bits = 24;
uint64_t g_extended = 0;

}  // namespace

void start(uint16_t port, unsigned bits) {
    g_port = port;
    g_bits = bits;
    g_extended = 0;
    read();
}

uint64_t read() {
    uint32_t raw = inl(g_port);
    if (g_bits < 32) raw &= (1u << g_bits) - 1;
    g_extended = extend_counter(g_extended, raw, g_bits);
    return g_extended;
}

}  // namespace pm_timer

// --- 8254 PIT ------------------------------------------------------------------

namespace pit {
namespace {

constexpr uint16_t kChannel0 = 0x40;
constexpr uint16_t kChannel2 = 0x42;
constexpr uint16_t kCommand = 0x43;
constexpr uint16_t kSystemControlB = 0x61;  // bit 0: channel 2 gate, bit 1: speaker data
// Commands: channel (bits 6..7), lobyte/hibyte access (bits 4..5 = 11),
// mode (bits 1..3), binary.
constexpr uint8_t kChannel0RateGenerator = 0b0011'0100;  // mode 2: one pulse per period
constexpr uint8_t kChannel0OneShot = 0b0011'0000;        // mode 0: OUT rises once, then stays
constexpr uint8_t kChannel2RateGenerator = 0b1011'0100;
constexpr uint8_t kChannel2Latch = 0b1000'0000;

uint16_t g_previous = 0;
uint64_t g_extended = 0;

uint16_t channel2_count() {
    outb(kCommand, kChannel2Latch);
    uint8_t low = inb(kChannel2);
    uint8_t high = inb(kChannel2);
    return uint16_t(low | (high << 8));
}

void program_channel0(uint8_t command, uint16_t count) {
    outb(kCommand, command);
    outb(kChannel0, uint8_t(count));
    outb(kChannel0, uint8_t(count >> 8));
}

}  // namespace

void start_channel2() {
    // Gate on, speaker off, then a full 65536 count in mode 2 (it reloads
    // by itself, so the count keeps running down with no further writes).
    uint8_t control = inb(kSystemControlB);
    outb(kSystemControlB, uint8_t((control & ~0x02) | 0x01));
    outb(kCommand, kChannel2RateGenerator);
    outb(kChannel2, 0);
    outb(kChannel2, 0);
    g_previous = channel2_count();
    g_extended = 0;
}

uint64_t read_channel2() {
    uint16_t raw = channel2_count();
    g_extended = lib::extend_down_counter16(g_extended, g_previous, raw);
    g_previous = raw;
    return g_extended;
}

void program_channel0_periodic(uint16_t divisor) {
    program_channel0(kChannel0RateGenerator, divisor);
}

void program_channel0_one_shot(uint16_t count) {
    program_channel0(kChannel0OneShot, count);
}

}  // namespace pit

}  // namespace arch
