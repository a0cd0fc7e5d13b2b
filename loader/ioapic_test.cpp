#include "loader/ioapic.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace loader::ioapic {
namespace {

// A MADT: 36-byte header + local APIC address + flags, then entries.
std::vector<uint8_t> madt_with(const std::vector<std::vector<uint8_t>>& entries) {
    std::vector<uint8_t> table(44, 0);
    table[0] = 'A', table[1] = 'P', table[2] = 'I', table[3] = 'C';
    for (const auto& e : entries) table.insert(table.end(), e.begin(), e.end());
    uint32_t length = uint32_t(table.size());
    for (int i = 0; i < 4; ++i) table[4 + i] = uint8_t(length >> (8 * i));
    return table;
}

std::vector<uint8_t> ioapic_entry(uint32_t address) {
    return {1, 12, 0, 0, uint8_t(address), uint8_t(address >> 8), uint8_t(address >> 16), uint8_t(address >> 24),
            0, 0,  0, 0};
}

lib::Bytes bytes(const std::vector<uint8_t>& v) {
    return lib::Bytes(v.data(), v.size());
}

TEST(IoApic, FindsIoApicsAmongOtherEntries) {
    auto table = madt_with({{0, 8, 0, 0, 1, 0, 0, 0},
                            ioapic_entry(0xfec00000),
                            {2, 10, 0, 0, 0, 0, 0, 0, 0, 0},
                            ioapic_entry(0xfec01000),
                            ioapic_entry(0xfec00000)});
    auto list = parse_madt_ioapics(bytes(table));
    ASSERT_TRUE(list.has_value());
    ASSERT_EQ(list->count, 2u);
    EXPECT_EQ(list->addresses[0], 0xfec00000u);
    EXPECT_EQ(list->addresses[1], 0xfec01000u);
}

TEST(IoApic, MalformedTablesStopTheWalk) {
    std::vector<uint8_t> short_table(20, 0);
    EXPECT_EQ(parse_madt_ioapics(bytes(short_table)).error().code, lib::ErrorCode::kTruncated);
    // A zero-length entry would loop forever: the walk stops there.
    auto zero = madt_with({{0, 0}, ioapic_entry(0xfec00000)});
    ASSERT_TRUE(parse_madt_ioapics(bytes(zero)).has_value());
    EXPECT_EQ(parse_madt_ioapics(bytes(zero))->count, 0u);
    // An IO-APIC entry cut off by the table's end is not read.
    auto cut = madt_with({ioapic_entry(0xfec00000)});
    cut.resize(cut.size() - 2);
    EXPECT_EQ(parse_madt_ioapics(bytes(cut))->count, 0u);
    // A too-short type 1 entry is skipped, the next one read.
    auto short_entry = madt_with({{1, 6, 0, 0, 0, 0}, ioapic_entry(0xfec00000)});
    EXPECT_EQ(parse_madt_ioapics(bytes(short_entry))->count, 1u);
    // A Length field larger than the bytes given is clamped.
    auto lying = madt_with({ioapic_entry(0xfec00000)});
    lying[4] = 0xff, lying[5] = 0xff;
    EXPECT_EQ(parse_madt_ioapics(bytes(lying))->count, 1u);
}

TEST(IoApic, TooManyAreCapped) {
    std::vector<std::vector<uint8_t>> entries;
    for (uint32_t i = 0; i < 40; ++i) entries.push_back(ioapic_entry(0xfec00000 + i * 0x1000));
    auto list = parse_madt_ioapics(bytes(madt_with(entries)));
    ASSERT_TRUE(list.has_value());
    EXPECT_EQ(list->count, kMaxIoApics);
}

TEST(IoApic, MasksOnlyFixedAndLowestPriority) {
    EXPECT_TRUE(should_mask(0x00000030));   // fixed, vector 0x30
    EXPECT_TRUE(should_mask(0x00000130));   // lowest priority
    EXPECT_FALSE(should_mask(0x00000200));  // SMI
    EXPECT_FALSE(should_mask(0x00000400));  // NMI
    EXPECT_FALSE(should_mask(0x00000500));  // INIT
    EXPECT_FALSE(should_mask(0x00000700));  // ExtINT
    EXPECT_TRUE(should_mask(0x00010000));   // already masked, fixed
}

// Randomized garbage never crashes and never yields more than the cap.
TEST(IoApic, RandomBytesAreHarmless) {
    std::mt19937 random(99);
    for (int round = 0; round < 2000; ++round) {
        std::vector<uint8_t> table(random() % 300);
        for (auto& b : table) b = uint8_t(random());
        if (table.size() >= 8 && random() % 2) {
            uint32_t length = uint32_t(random() % (table.size() + 50));
            for (int i = 0; i < 4; ++i) table[4 + i] = uint8_t(length >> (8 * i));
        }
        auto list = parse_madt_ioapics(bytes(table));
        if (list) EXPECT_LE(list->count, kMaxIoApics);
    }
}

}  // namespace
}  // namespace loader::ioapic
