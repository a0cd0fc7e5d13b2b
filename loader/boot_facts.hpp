// Facts the newer Limine requests ask for (docs/limine-protocol.md §7): the
// TSC frequency, the loader's own timeline in microseconds, random words,
// and the device tree blob named by dtb_path. Each needs boot services, so
// each is gathered before ExitBootServices.
#pragma once

#include <stdint.h>

#include "lib/expected.hpp"
#include "loader/kernel_files.hpp"

namespace loader::facts {

// The TSC at efi_main's first instruction (main.cpp records it).
void set_loader_start_tsc(uint64_t tsc);
uint64_t loader_start_tsc();

// The TSC's rate in Hz: CPUID leaf 15H when it names the crystal (SDM Vol.
// 2A, CPUID: TSC = crystal * EBX / EAX), else measured over a 10 ms
// BS->Stall (UEFI 2.10 §7.5.2). 0 when the TSC does not run.
uint64_t tsc_frequency();

// TSC ticks as microseconds at tsc_frequency() (0 if unknown).
uint64_t microseconds_of(uint64_t tsc);

// `count` random words: RDSEED, else RDRAND (SDM Vol. 2B; each retried as
// Intel advises), else the firmware's EFI_RNG_PROTOCOL (UEFI 2.10 §37.5),
// else the TSC stirred (the protocol allows a weaker source where nothing
// stronger exists). Returns which one served ("rdseed", ...).
const char* fill_random(uint64_t* out, uint64_t count);

// The device tree blob at `location` in bootloader-reclaimable memory,
// checked to be one (big-endian magic 0xd00dfeed, totalsize within the
// file: Devicetree Specification 0.4 §5.2); the fatal line otherwise.
files::LoadedFile load_device_tree(const FileLocation& location);

}  // namespace loader::facts
