// The PC's two 8259A programmable interrupt controllers (Intel 8259A data
// sheet: ICW1..ICW4 initialization words, OCW2/OCW3 operation commands):
// master at ports 0x20/0x21, slave at 0xa0/0xa1, cascaded on the master's
// IRQ 2. Host-tested in apic_test.cpp.
#pragma once

#include <stdint.h>

namespace x86_64::pic {

inline constexpr uint16_t kMasterCommand = 0x20;
inline constexpr uint16_t kMasterData = 0x21;
inline constexpr uint16_t kSlaveCommand = 0xa0;
inline constexpr uint16_t kSlaveData = 0xa1;

inline constexpr uint8_t kIcw1Init = 0x10;  // start initialization
inline constexpr uint8_t kIcw1NeedIcw4 = 0x01;
inline constexpr uint8_t kIcw3MasterHasSlaveOnIrq2 = 1u << 2;  // bit mask of the cascade input
inline constexpr uint8_t kIcw3SlaveIdentity = 2;               // the slave's cascade identity
inline constexpr uint8_t kIcw4Mode8086 = 0x01;
inline constexpr uint8_t kOcw3ReadIsr = 0x0b;  // next read of the command port returns the ISR
inline constexpr uint8_t kOcw2Eoi = 0x20;      // non-specific end of interrupt
inline constexpr uint8_t kMaskAll = 0xff;      // OCW1 with every input masked

// ICW2 carries the vector base; its low 3 bits must be 0 in 8086 mode.
constexpr bool valid_vector_base(uint8_t base) {
    return (base & 7) == 0;
}

// A spurious IRQ shows up as the lowest-priority input of a chip: IRQ 7 on
// the master, IRQ 15 (input 7 of the slave) on the slave.
inline constexpr uint8_t kSpuriousInput = 7;

}  // namespace x86_64::pic
