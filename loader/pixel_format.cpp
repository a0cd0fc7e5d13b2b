#include "loader/pixel_format.hpp"

namespace loader {
namespace {

// A mask as size/shift; false unless its set bits are one contiguous run.
bool mask_to_field(uint32_t mask, uint8_t& size, uint8_t& shift) {
    if (mask == 0) return false;
    shift = static_cast<uint8_t>(__builtin_ctz(mask));
    size = static_cast<uint8_t>(__builtin_popcount(mask));
    uint32_t run = (size == 32 ? 0xffffffffu : ((1u << size) - 1)) << shift;
    return run == mask;
}

}  // namespace

lib::Expected<PixelLayout> pixel_layout(const efi::GraphicsOutputModeInformation& info) {
    switch (info.pixel_format) {
        case efi::kPixelRedGreenBlueReserved8BitPerColor: return PixelLayout{32, 8, 0, 8, 8, 8, 16};
        case efi::kPixelBlueGreenRedReserved8BitPerColor: return PixelLayout{32, 8, 16, 8, 8, 8, 0};
        case efi::kPixelBitMask: {
            const efi::PixelBitmask& m = info.pixel_information;
            if ((m.red_mask & m.green_mask) || (m.red_mask & m.blue_mask) || (m.green_mask & m.blue_mask))
                return lib::Error::make(lib::Errno::kEINVAL, "GOP: overlapping colour masks");
            uint32_t all = m.red_mask | m.green_mask | m.blue_mask | m.reserved_mask;
            if (all == 0 || 32 - __builtin_clz(all) <= 24)
                return lib::Error::make(lib::Errno::kEOPNOTSUPP, "GOP: fewer than 32 bits per pixel").with(all);
            PixelLayout layout{};
            layout.bpp = 32;
            if (!mask_to_field(m.red_mask, layout.red_size, layout.red_shift) ||
                !mask_to_field(m.green_mask, layout.green_size, layout.green_shift) ||
                !mask_to_field(m.blue_mask, layout.blue_size, layout.blue_shift))
                return lib::Error::make(lib::Errno::kEINVAL, "GOP: a colour mask that is empty or not one run of bits");
            return layout;
        }
        default:
            return lib::Error::make(lib::Errno::kEOPNOTSUPP, "GOP: no linear framebuffer in this pixel format")
                .with(uint64_t(info.pixel_format));
    }
}

}  // namespace loader
