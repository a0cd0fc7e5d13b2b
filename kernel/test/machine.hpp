// Which machine the in-kernel tests run on, for the cases that check a
// device only one machine type has (KSKIP elsewhere). Decided by the PCI
// host bridge at 00:00.0, a fact of the machine rather than of the firmware
// tables or devices under test: QEMU's q35 has the Intel 82G33 MCH
// (8086:29c0), its pc machine the Intel 82441FX of the i440FX (8086:1237).
#pragma once

#include <stdint.h>

namespace ktest {

enum class Machine { kQemuQ35, kQemuPc, kOther };

Machine machine();
const char* machine_name(Machine machine);

}  // namespace ktest
