// The PC's counters of known frequency, read as 64-bit counts that only
// grow (the narrow ones are extended in software, which holds while they
// are read at least once per wrap: 4.6 s for a 24-bit PM timer, 55 ms for
// the PIT, 42 s for a 32-bit HPET):
//   HPET      IA-PC HPET Specification 1.0a: main counter at offset 0xF0
//             (§2.3.1), its period in femtoseconds in General Capabilities
//             (offset 0x00, bits 32..63, §2.3.4), ENABLE_CNF in General
//             Configuration (offset 0x10)
//   PM timer  ACPI 6.5 §4.8.3.3: 3.579545 MHz, 24 or 32 bits, at an I/O port
//   8254 PIT  channel 2 as a free-running rate generator at 1.193182 MHz
//             (Intel 8254 data sheet, mode 2), gated through port 0x61;
//             channel 0 drives ISA IRQ 0
// Where they are (ACPI's HPET table and FADT) and which one to trust is
// kernel/time's policy; these are the drivers. One instance each: the
// calibration runs on one CPU.
#pragma once

#include <stdint.h>

#include "lib/expected.hpp"

namespace arch {

namespace hpet {
// Starts the main counter of the HPET whose register block is mapped
// (uncached) at `registers`, if the firmware left it stopped. Returns its
// frequency in Hz; kDevice if the block reports an invalid period.
[[nodiscard]] lib::Expected<uint64_t> start(volatile void* registers);
uint64_t read();  // the main counter, extended to 64 bits
}  // namespace hpet

namespace pm_timer {
inline constexpr uint64_t kHz = 3'579'545;
// Reads the timer at I/O `port`, `bits` (24 or 32) wide, from now on.
void start(uint16_t port, unsigned bits);
uint64_t read();
}  // namespace pm_timer

namespace pit {
inline constexpr uint64_t kHz = 1'193'182;
// Channel 2 as a free-running counter (gate on, speaker off, mode 2).
void start_channel2();
uint64_t read_channel2();  // counts up, extended to 64 bits

// Channel 0 (ISA IRQ 0): a rate generator (mode 2) giving an interrupt
// every `divisor` ticks, or a one-shot (mode 0) whose OUT rises once.
void program_channel0_periodic(uint16_t divisor);
void program_channel0_one_shot(uint16_t count);
}  // namespace pit

}  // namespace arch
