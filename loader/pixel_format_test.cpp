#include "loader/pixel_format.hpp"

#include <gtest/gtest.h>

#include <random>

namespace loader {
namespace {

efi::GraphicsOutputModeInformation mode(efi::GraphicsPixelFormat format, efi::PixelBitmask masks = {}) {
    efi::GraphicsOutputModeInformation info{};
    info.horizontal_resolution = 800;
    info.vertical_resolution = 600;
    info.pixel_format = format;
    info.pixel_information = masks;
    info.pixels_per_scan_line = 800;
    return info;
}

TEST(PixelFormat, FixedFormats) {
    auto bgr = pixel_layout(mode(efi::kPixelBlueGreenRedReserved8BitPerColor));
    ASSERT_TRUE(bgr);
    PixelLayout l = *bgr;
    EXPECT_EQ(l.bpp, 32);
    EXPECT_EQ(l.red_shift, 16);
    EXPECT_EQ(l.green_shift, 8);
    EXPECT_EQ(l.blue_shift, 0);
    EXPECT_EQ(l.red_size, 8);
    auto rgb = pixel_layout(mode(efi::kPixelRedGreenBlueReserved8BitPerColor));
    ASSERT_TRUE(rgb);
    l = *rgb;
    EXPECT_EQ(l.red_shift, 0);
    EXPECT_EQ(l.blue_shift, 16);
    EXPECT_EQ(pixel_layout(mode(efi::kPixelBltOnly)).error().code, lib::Errno::kEOPNOTSUPP);
    EXPECT_EQ(pixel_layout(mode(static_cast<efi::GraphicsPixelFormat>(77))).error().code, lib::Errno::kEOPNOTSUPP);
}

TEST(PixelFormat, BitMasks) {
    auto ten_bits = pixel_layout(mode(efi::kPixelBitMask, {0x3ff00000, 0x000ffc00, 0x000003ff, 0xc0000000}));
    ASSERT_TRUE(ten_bits);
    PixelLayout l = *ten_bits;
    EXPECT_EQ(l.bpp, 32);
    EXPECT_EQ(l.red_size, 10);
    EXPECT_EQ(l.red_shift, 20);
    EXPECT_EQ(l.green_shift, 10);
    EXPECT_EQ(l.blue_size, 10);
    // 16-bit 565: not 32 bpp.
    EXPECT_EQ(pixel_layout(mode(efi::kPixelBitMask, {0xf800, 0x07e0, 0x001f, 0})).error().code,
              lib::Errno::kEOPNOTSUPP);
    // Overlapping, empty or split masks are refused.
    EXPECT_EQ(pixel_layout(mode(efi::kPixelBitMask, {0x00ff0000, 0x00ffff00, 0x000000ff, 0xff000000})).error().code,
              lib::Errno::kEINVAL);
    EXPECT_EQ(pixel_layout(mode(efi::kPixelBitMask, {0, 0x0000ff00, 0x000000ff, 0xff000000})).error().code,
              lib::Errno::kEINVAL);
    EXPECT_EQ(pixel_layout(mode(efi::kPixelBitMask, {0x00f0f000, 0x00000f00, 0x000000ff, 0xff000000})).error().code,
              lib::Errno::kEINVAL);
    EXPECT_EQ(pixel_layout(mode(efi::kPixelBitMask, {0, 0, 0, 0})).error().code, lib::Errno::kEOPNOTSUPP);
}

// Randomized masks: whatever is accepted is self-consistent.
TEST(PixelFormat, RandomMasksAreConsistent) {
    std::mt19937 random(5);
    for (int i = 0; i < 20000; ++i) {
        efi::PixelBitmask masks{uint32_t(random()), uint32_t(random()), uint32_t(random()), uint32_t(random())};
        if (i % 3 == 0) {  // make some well-formed ones
            unsigned r = random() % 9, g = random() % 9, b = random() % 9;
            masks = {((1u << r) - 1) << 16, ((1u << g) - 1) << 8, (1u << b) - 1, 0xff000000u};
        }
        auto layout = pixel_layout(mode(efi::kPixelBitMask, masks));
        if (!layout) continue;
        const PixelLayout& l = *layout;
        EXPECT_EQ(l.bpp, 32);
        EXPECT_LE(l.red_size + l.red_shift, 32);
        EXPECT_EQ(((l.red_size == 32 ? ~0u : (1u << l.red_size) - 1) << l.red_shift), masks.red_mask);
        EXPECT_EQ(((l.blue_size == 32 ? ~0u : (1u << l.blue_size) - 1) << l.blue_shift), masks.blue_mask);
    }
}

}  // namespace
}  // namespace loader
