// Inter-processor interrupts: the fixed vectors the kernel uses between CPUs
// and the ICR writes that send them (SDM Vol. 3A §11.6 "Issuing
// Interprocessor Interrupts"; encodings in lib/x86_64/apic.hpp). What each
// vector does is kernel/smp/'s business; arch only sends.
//
// Always to one APIC id at a time, never by shorthand: a broadcast would also
// reach CPUs that are not running the kernel (left out, or parked without an
// IDT), and an NMI there ends in a triple fault.
#pragma once

#include <stdint.h>

namespace arch::ipi {

// Vectors 0xf1..0xf4: the top priority class (vector >> 4 = 15, SDM §11.8.3)
// with the timer (0xf0), above every device line (kernel/irq: 0x50..0xdf).
inline constexpr uint8_t kReschedule = 0xf1;
inline constexpr uint8_t kCallFunction = 0xf2;
inline constexpr uint8_t kTlbShootdown = 0xf3;
inline constexpr uint8_t kStop = 0xf4;

// A fixed interrupt on `vector` to the CPU with local APIC id `apic_id`.
void send(uint32_t apic_id, uint8_t vector);
// A non-maskable interrupt to it (delivered even with its interrupts off).
void send_nmi(uint32_t apic_id);

}  // namespace arch::ipi
