// Reading a GOP mode's pixel format (UEFI 2.10 §12.9.2
// EFI_GRAPHICS_PIXEL_FORMAT, EFI_PIXEL_BITMASK) as the Limine framebuffer
// describes it: bits per pixel and a size/shift pair per colour. Pure logic.
#pragma once

#include <stdint.h>

#include "lib/expected.hpp"
#include "loader/efi/protocols.hpp"

namespace loader {

struct PixelLayout {
    uint16_t bpp;
    uint8_t red_size, red_shift, green_size, green_shift, blue_size, blue_shift;
};

// The layout of the 32-bpp formats this loader offers: the two fixed
// 8-bit-per-colour formats, and bit-mask formats whose masks are contiguous,
// disjoint, non-empty (red, green, blue) and reach above bit 24. EOPNOTSUPP
// for BltOnly, fewer bits and unknown formats, EINVAL for broken masks.
lib::Expected<PixelLayout> pixel_layout(const efi::GraphicsOutputModeInformation& info);

}  // namespace loader
