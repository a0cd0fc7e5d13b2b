// The \_Sx scan (ACPI 6.5 §7.4.2, §20.2) over the DSDTs QEMU's firmware
// gives (q35 and pc: \_S5 is Package(4){0,0,0,0}), over a DSDT built with
// iasl (Package(4){5,5,0,0}), over hand-made AML for each encoding, and
// against damaged and random input (never a read outside the bytes).
#include "kernel/acpi/sleep_type.hpp"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/acpi/test_support.hpp"

namespace acpi {
namespace {

using Bytes = std::vector<uint8_t>;

lib::Bytes view(const Bytes& b) {
    return lib::Bytes(b.data(), b.size());
}

// The AML of a definition block: what follows its 36-byte header.
Bytes body_of(const std::string& relative) {
    Bytes table = test::read_file(test::data_path(relative));
    EXPECT_GT(table.size(), 36u) << relative;
    return Bytes(table.begin() + 36, table.end());
}

TEST(SleepType, QemuQ35AndPcFirmwareSoftOffIsZero) {
    for (const char* dsdt : {"q35/DSDT.bin", "pc/DSDT.bin"}) {
        Bytes aml = body_of(dsdt);
        auto s5 = find_sleep_type(view(aml), '5');
        ASSERT_TRUE(s5.has_value()) << dsdt << ": " << s5.error().message;
        EXPECT_EQ(s5->a, 0) << dsdt;
        EXPECT_EQ(s5->b, 0) << dsdt;
        EXPECT_FALSE(find_sleep_type(view(aml), '2').has_value()) << dsdt;  // QEMU offers no S2
    }
    // pc's DSDT also has \_S3 (Package(4){1,1,0,0}) and \_S4 (2,2).
    Bytes pc = body_of("pc/DSDT.bin");
    auto s3 = find_sleep_type(view(pc), '3');
    ASSERT_TRUE(s3.has_value());
    EXPECT_EQ(s3->a, 1);
    EXPECT_EQ(s3->b, 1);
}

TEST(SleepType, IaslBuiltDsdt) {
    Bytes aml = body_of("asl/dsdt.aml");
    auto s5 = find_sleep_type(view(aml), '5');
    ASSERT_TRUE(s5.has_value()) << s5.error().message;
    EXPECT_EQ(s5->a, 5);
    EXPECT_EQ(s5->b, 5);
}

// NameOp, optionally '\', "_S5_", PackageOp, PkgLength, NumElements, elements.
Bytes package(const Bytes& elements, uint8_t count, bool rooted = false) {
    Bytes aml = {0x10, 0x05, 'X', 'Y', 'Z', '_'};  // some unrelated bytes first
    aml.push_back(0x08);
    if (rooted) aml.push_back('\\');
    for (char c : std::string("_S5_")) aml.push_back(uint8_t(c));
    aml.push_back(0x12);
    aml.push_back(uint8_t(2 + elements.size()));  // PkgLength counts itself and NumElements
    aml.push_back(count);
    aml.insert(aml.end(), elements.begin(), elements.end());
    return aml;
}

TEST(SleepType, EveryIntegerEncoding) {
    struct Case {
        Bytes elements;
        uint8_t a, b;
    } cases[] = {
        {{0x00, 0x01}, 0, 1},                                  // ZeroOp, OneOp
        {{0x0a, 0x07, 0x0a, 0x03}, 7, 3},                      // BytePrefix
        {{0x0b, 0x06, 0x00, 0x0c, 0x02, 0, 0, 0}, 6, 2},       // WordPrefix, DWordPrefix
        {{0x0e, 4, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0x04}, 4, 4},    // QWordPrefix
    };
    for (const Case& c : cases) {
        for (bool rooted : {false, true}) {
            Bytes aml = package(c.elements, 2, rooted);
            auto s5 = find_sleep_type(view(aml), '5');
            ASSERT_TRUE(s5.has_value()) << s5.error().message;
            EXPECT_EQ(s5->a, c.a);
            EXPECT_EQ(s5->b, c.b);
        }
    }
}

TEST(SleepType, MultiBytePackageLength) {
    // A PkgLength of two bytes: lead 0x40 | low nibble, then 8 more bits.
    Bytes aml = {0x08, '_', 'S', '5', '_', 0x12};
    Bytes elements = {0x0a, 0x05, 0x0a, 0x05};
    for (int i = 0; i < 70; ++i) elements.push_back(0x00);  // 72 elements in all
    uint32_t length = uint32_t(2 + 1 + elements.size());      // PkgLength (2 bytes) + NumElements + elements
    aml.push_back(uint8_t(0x40 | (length & 0x0f)));
    aml.push_back(uint8_t(length >> 4));
    aml.push_back(72);
    aml.insert(aml.end(), elements.begin(), elements.end());
    auto s5 = find_sleep_type(view(aml), '5');
    ASSERT_TRUE(s5.has_value()) << s5.error().message;
    EXPECT_EQ(s5->a, 5);
}

TEST(SleepType, WhatIsNotAPackageOfIntegersIsRefused) {
    // The name's bytes inside a string, not after a NameOp.
    Bytes in_string = {0x0d, '_', 'S', '5', '_', 0x00};
    EXPECT_FALSE(find_sleep_type(view(in_string), '5').has_value());
    // A method _S5_ (MethodOp 0x14), not a Name.
    Bytes method = {0x14, 0x06, '_', 'S', '5', '_', 0x00, 0xa4, 0x00};
    EXPECT_FALSE(find_sleep_type(view(method), '5').has_value());
    // One element only; a string element; an integer too big for SLP_TYP.
    EXPECT_FALSE(find_sleep_type(view(package({0x0a, 0x05}, 1)), '5').has_value());
    EXPECT_FALSE(find_sleep_type(view(package({0x0d, 'a', 0, 0x00}, 2)), '5').has_value());
    EXPECT_FALSE(find_sleep_type(view(package({0x0a, 0x08, 0x00}, 2)), '5').has_value());
    // A decoy first, then the real one: the real one is found.
    Bytes both = in_string;
    Bytes real = package({0x0a, 0x03, 0x0a, 0x03}, 2);
    both.insert(both.end(), real.begin(), real.end());
    auto s5 = find_sleep_type(view(both), '5');
    ASSERT_TRUE(s5.has_value());
    EXPECT_EQ(s5->a, 3);
}

TEST(SleepType, TruncationsNeverReadPastTheEnd) {
    Bytes whole = package({0x0c, 0x05, 0, 0, 0, 0x0c, 0x05, 0, 0, 0}, 2);
    ASSERT_TRUE(find_sleep_type(view(whole), '5').has_value());
    for (size_t cut = 0; cut < whole.size(); ++cut) {
        // A copy of exactly `cut` bytes, so ASan sees any read beyond it.
        Bytes part(whole.begin(), whole.begin() + cut);
        EXPECT_FALSE(find_sleep_type(view(part), '5').has_value()) << cut;
    }
    // A package length claiming more than there is.
    Bytes lying = whole;
    lying[12] = 0x3f;
    EXPECT_FALSE(find_sleep_type(view(lying), '5').has_value());
}

TEST(SleepType, RandomAndMutatedInput) {
    std::mt19937 rng(11);
    Bytes base = body_of("q35/DSDT.bin");
    for (int round = 0; round < 3000; ++round) {
        Bytes aml;
        if (round % 2 == 0) {
            aml.resize(rng() % 64);
            for (auto& b : aml) b = uint8_t(rng());
            // Plant the name now and then so the package path is exercised.
            if (aml.size() > 8 && rng() % 2) {
                size_t at = rng() % (aml.size() - 5);
                aml[at] = 0x08, aml[at + 1] = '_', aml[at + 2] = 'S', aml[at + 3] = '5', aml[at + 4] = '_';
            }
        } else {
            aml = base;
            for (int i = 0; i < 8; ++i) aml[rng() % aml.size()] = uint8_t(rng());
            aml.resize(rng() % (aml.size() + 1));
        }
        auto result = find_sleep_type(view(aml), '5');
        if (result) {
            EXPECT_LE(result->a, 7);
            EXPECT_LE(result->b, 7);
        }
    }
}

}  // namespace
}  // namespace acpi
