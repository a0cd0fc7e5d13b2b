// The boot summary: one stable line for people and scripts, printed once.
#pragma once

#include <stdint.h>

namespace boot {

// boot: loader="<name> <version>" hhdm=0x<hex> memmap=<entries> usable=<bytes>
//       fb=<w>x<h>x<bpp>|none cpus=<n> rsdp=0x<hex> kernel=0x<phys>@0x<virt> cmdline="<text>"
// (on one line), where cpus= counts the CPUs online (printed once they are).
void print_summary(uint32_t cpus_online);

// The memory map, one region per line, at debug level.
void print_memory_map();

}  // namespace boot
