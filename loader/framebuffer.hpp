// The Framebuffer feature (docs/limine-protocol.md §4) from the Graphics Output Protocol
// (UEFI 2.10 §12.9): picks and sets a 32-bpp mode, describes it and every
// other 32-bpp mode, and attaches the monitor's EDID when the firmware has it.
#pragma once

#include <stdint.h>

#include "lib/expected.hpp"
#include "loader/core/config.hpp"
#include "protocol/limine.hpp"

namespace loader {

struct FramebufferSetup {
    limine::FramebufferResponse* response = nullptr;  // physical; null if no GOP / no 32-bpp mode
    uint64_t physical_base = 0;                       // for the memory map and the WC mapping
    uint64_t size = 0;
};

// Chooses the mode matching `wanted` (the entry's `resolution`), else the
// EDID's preferred one, else the firmware's current mode (framebuffer.cpp
// says in which order, as Limine does), sets it, and builds the response (revision 1) in
// reclaimable memory with every pointer inside already an HHDM address.
lib::Expected<FramebufferSetup> setup_framebuffer(const ConfigResolution& wanted, uint64_t hhdm_offset);

}  // namespace loader
