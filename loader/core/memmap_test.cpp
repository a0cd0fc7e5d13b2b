// Host tests of the UEFI -> Limine memory map conversion (docs/limine-protocol.md §4).
#include "loader/core/memmap.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "protocol/limine.hpp"

namespace {

using loader::convert_memory_map;
using loader::MemoryRange;

constexpr uint64_t kPage = 4096;

struct Descriptor {
    uint32_t type;
    uint64_t start;
    uint64_t pages;
};

// UEFI map bytes with a given descriptor size (firmware often uses 48).
std::vector<uint8_t> efi_map(const std::vector<Descriptor>& descriptors, size_t desc_size = 48) {
    std::vector<uint8_t> out(descriptors.size() * desc_size, 0xee);
    for (size_t i = 0; i < descriptors.size(); ++i) {
        loader::EfiMemoryDescriptor d{descriptors[i].type, 0, descriptors[i].start, 0, descriptors[i].pages, 0xf};
        std::memcpy(out.data() + i * desc_size, &d, sizeof(d));
    }
    return out;
}

struct Converted {
    bool ok = false;
    lib::Error error{};
    std::vector<MemoryRange> entries;
};

Converted convert(const std::vector<uint8_t>& map, const std::vector<MemoryRange>& overrides = {},
                  size_t desc_size = 48, size_t capacity = 256) {
    std::vector<MemoryRange> out(capacity);
    auto result =
        convert_memory_map(lib::Bytes(map.data(), map.size()), desc_size,
                           lib::Span<const MemoryRange>(overrides.data(), overrides.size()), out.data(), capacity);
    Converted converted;
    converted.ok = result.has_value();
    if (!converted.ok) {
        converted.error = result.error();
        return converted;
    }
    out.resize(result.value());
    converted.entries = out;
    return converted;
}

// Conventional memory only: loader and boot-services memory is
// BOOTLOADER_RECLAIMABLE (the protocol's table).
bool is_usable_type(uint32_t efi_type) {
    return efi_type == 7;
}
bool is_bootloader_type(uint32_t efi_type) {
    return (efi_type >= 1 && efi_type <= 4) || efi_type == 0x80000001;
}

// Every rule of docs/limine-protocol.md §4 plus: no byte the input calls non-usable is
// reported usable, and no output entry is empty or has an unknown type.
void check_rules(const std::vector<MemoryRange>& entries, const std::vector<Descriptor>& input,
                 const std::vector<MemoryRange>& overrides) {
    for (size_t i = 0; i < entries.size(); ++i) {
        const MemoryRange& e = entries[i];
        ASSERT_GT(e.length, 0u) << i;
        ASSERT_LE(e.type, 8u) << i;  // up to RESERVED_MAPPED
        ASSERT_LE(e.base, UINT64_MAX - e.length) << i;
        if (e.type == limine::kMemmapUsable || e.type == limine::kMemmapBootloaderReclaimable) {
            ASSERT_EQ(e.base % kPage, 0u) << i;
            ASSERT_EQ(e.length % kPage, 0u) << i;
        }
        if (e.type == limine::kMemmapUsable) ASSERT_GE(e.base, kPage) << "first page reported usable";
        if (i > 0) {
            const MemoryRange& p = entries[i - 1];
            ASSERT_LT(p.base, e.base) << "not sorted at " << i;
            ASSERT_LE(p.base + p.length, e.base) << "overlap at " << i;
            ASSERT_FALSE(p.type == e.type && p.base + p.length == e.base) << "unmerged neighbours at " << i;
        }
        if (e.type != limine::kMemmapUsable) continue;
        for (const Descriptor& d : input) {
            if (is_usable_type(d.type) || d.pages == 0) continue;
            uint64_t end = d.start + d.pages * kPage;
            ASSERT_FALSE(e.base < end && d.start < e.base + e.length)
                << "usable entry " << i << " covers bytes of UEFI type " << d.type;
        }
        for (const MemoryRange& o : overrides) {
            if (o.type == limine::kMemmapUsable || o.length == 0) continue;
            ASSERT_FALSE(e.base < o.base + o.length && o.base < e.base + e.length)
                << "usable entry " << i << " covers an override of type " << o.type;
        }
    }
}

TEST(Memmap, TypicalOvmfMap) {
    std::vector<Descriptor> input = {
        {3, 0x0, 1},                // boot services code on page 0
        {7, 0x1000, 0x9f},          // conventional
        {0, 0xa0000, 0x60},         // legacy hole reserved
        {7, 0x100000, 0x700},       // conventional
        {1, 0x800000, 0x10},        // loader code
        {2, 0x810000, 0x10},        // loader data
        {0x80000001, 0x820000, 4},  // loader reclaimable (responses, page tables)
        {0x80000002, 0x824000, 8},  // kernel
        {4, 0x82c000, 0x100},       // boot services data
        {9, 0x7f000000, 2},         // ACPI reclaim
        {10, 0x7f002000, 2},        // ACPI NVS
        {6, 0x7f004000, 2},         // runtime data
        {11, 0xfec00000, 1},        // MMIO
        {8, 0x100000000, 1},        // unusable
        {14, 0x100001000, 1},       // persistent
    };
    std::vector<uint8_t> map = efi_map(input);
    std::vector<MemoryRange> overrides = {{0x80000000, 0x300000, limine::kMemmapFramebuffer}};
    Converted c = convert(map, overrides);
    ASSERT_TRUE(c.ok) << c.error.message;
    check_rules(c.entries, input, overrides);
    std::vector<MemoryRange> expected = {
        {0x0, 0x1000, limine::kMemmapBootloaderReclaimable},  // boot services code on page 0
        {0x1000, 0x9f000, limine::kMemmapUsable},
        {0xa0000, 0x60000, limine::kMemmapReserved},
        {0x100000, 0x700000, limine::kMemmapUsable},
        {0x800000, 0x24000, limine::kMemmapBootloaderReclaimable},  // loader code/data + reclaimable merged
        {0x824000, 0x8000, limine::kMemmapKernelAndModules},
        {0x82c000, 0x100000, limine::kMemmapBootloaderReclaimable},  // boot services data
        {0x7f000000, 0x2000, limine::kMemmapAcpiReclaimable},
        {0x7f002000, 0x2000, limine::kMemmapAcpiNvs},
        {0x7f004000, 0x2000, limine::kMemmapReserved},
        {0x80000000, 0x300000, limine::kMemmapFramebuffer},
        {0xfec00000, 0x1000, limine::kMemmapReserved},
        {0x100000000, 0x1000, limine::kMemmapBadMemory},
        {0x100001000, 0x1000, limine::kMemmapReserved},
    };
    ASSERT_EQ(c.entries.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(c.entries[i].base, expected[i].base) << i;
        EXPECT_EQ(c.entries[i].length, expected[i].length) << i;
        EXPECT_EQ(c.entries[i].type, expected[i].type) << i;
    }
}

TEST(Memmap, RuntimeServicesAreReservedMappedFromRevision5) {
    std::vector<Descriptor> input = {{5, 0x100000, 1}, {6, 0x101000, 1}, {9, 0x102000, 1}, {0, 0x103000, 1}};
    for (uint64_t revision : {0u, 2u, 4u, 5u, 6u}) {
        std::vector<uint8_t> map = efi_map(input);
        std::vector<MemoryRange> out(8);
        loader::MemmapRules rules{revision};
        // The ACPI table's page and the reserved one marked RESERVED_MAPPED by
        // an override: the ACPI bytes stay ACPI.
        std::vector<MemoryRange> overrides = {{0x102000, 0x2000, limine::kMemmapReservedMapped}};
        auto count = convert_memory_map(lib::Bytes(map.data(), map.size()), 48,
                                        lib::Span<const MemoryRange>(overrides.data(), overrides.size()), out.data(),
                                        out.size(), rules);
        ASSERT_TRUE(count.has_value());
        out.resize(*count);
        uint64_t runtime = revision >= 5 ? limine::kMemmapReservedMapped : limine::kMemmapReserved;
        ASSERT_GE(out.size(), 3u) << revision;
        EXPECT_EQ(out[0].type, runtime) << revision;
        EXPECT_EQ(out[0].base, 0x100000u);
        EXPECT_EQ(out[0].length, 0x2000u);  // runtime code and data, merged
        size_t next = 1;
        EXPECT_EQ(out[next].type, limine::kMemmapAcpiReclaimable) << revision;
        EXPECT_EQ(out[next + 1].type, limine::kMemmapReservedMapped) << revision;
        EXPECT_EQ(out[next + 1].base, 0x103000u);
    }
}

TEST(Memmap, UnsortedInputComesOutSorted) {
    std::vector<Descriptor> input = {{7, 0x200000, 16}, {0, 0x100000, 16}, {7, 0x1000, 1}};
    Converted c = convert(efi_map(input, 40), {}, 40);
    ASSERT_TRUE(c.ok);
    check_rules(c.entries, input, {});
    ASSERT_EQ(c.entries.size(), 3u);
    EXPECT_EQ(c.entries[0].base, 0x1000u);
    EXPECT_EQ(c.entries[1].base, 0x100000u);
    EXPECT_EQ(c.entries[2].base, 0x200000u);
}

TEST(Memmap, OverlappingDescriptorsConservativeTypeWins) {
    std::vector<Descriptor> input = {{7, 0x100000, 16}, {10, 0x104000, 2}, {9, 0x105000, 4}};
    Converted c = convert(efi_map(input));
    ASSERT_TRUE(c.ok);
    check_rules(c.entries, input, {});
    ASSERT_EQ(c.entries.size(), 4u);
    EXPECT_EQ(c.entries[0].type, limine::kMemmapUsable);
    EXPECT_EQ(c.entries[0].length, 0x4000u);
    EXPECT_EQ(c.entries[1].type, limine::kMemmapAcpiNvs);
    EXPECT_EQ(c.entries[1].length, 0x2000u);
    EXPECT_EQ(c.entries[2].type, limine::kMemmapAcpiReclaimable);
    EXPECT_EQ(c.entries[2].base, 0x106000u);
    EXPECT_EQ(c.entries[3].type, limine::kMemmapUsable);
    EXPECT_EQ(c.entries[3].base, 0x109000u);
}

TEST(Memmap, OverridesWinButNeverMakeReservedUsable) {
    std::vector<Descriptor> input = {{7, 0x100000, 16}, {0, 0x200000, 16}};
    std::vector<MemoryRange> overrides = {
        {0x102000, 0x2000, limine::kMemmapKernelAndModules},
        {0x200000, 0x4000, limine::kMemmapUsable},       // ignored: firmware says reserved
        {0x300000, 0x1000, limine::kMemmapFramebuffer},  // outside every descriptor: still reported
    };
    Converted c = convert(efi_map(input), overrides);
    ASSERT_TRUE(c.ok) << c.error.message;
    check_rules(c.entries, input, overrides);
    ASSERT_EQ(c.entries.size(), 5u);
    EXPECT_EQ(c.entries[1].type, limine::kMemmapKernelAndModules);
    EXPECT_EQ(c.entries[3].type, limine::kMemmapReserved);
    EXPECT_EQ(c.entries[3].length, 0x10000u);
    EXPECT_EQ(c.entries[4].type, limine::kMemmapFramebuffer);
}

TEST(Memmap, UnalignedPiecesShrinkInward) {
    std::vector<Descriptor> input = {{7, 0x100000, 16}};
    // A framebuffer override ending mid-page cuts the usable memory after it
    // back to the next page boundary.
    std::vector<MemoryRange> overrides = {{0x101800, 0x1000, limine::kMemmapFramebuffer},
                                          {0x108000, 0x10, limine::kMemmapBootloaderReclaimable}};
    Converted c = convert(efi_map(input), overrides);
    ASSERT_TRUE(c.ok);
    check_rules(c.entries, input, overrides);
    ASSERT_EQ(c.entries.size(), 4u);
    EXPECT_EQ(c.entries[0].base, 0x100000u);
    EXPECT_EQ(c.entries[0].length, 0x1000u);
    EXPECT_EQ(c.entries[1].type, limine::kMemmapFramebuffer);
    EXPECT_EQ(c.entries[2].base, 0x103000u);
    EXPECT_EQ(c.entries[2].length, 0x5000u);
    EXPECT_EQ(c.entries[3].base, 0x109000u);  // the 16-byte reclaimable piece vanished with its page
}

TEST(Memmap, FirstPageNeverUsable) {
    std::vector<Descriptor> input = {{7, 0, 4}};
    Converted c = convert(efi_map(input));
    ASSERT_TRUE(c.ok);
    ASSERT_EQ(c.entries.size(), 1u);
    EXPECT_EQ(c.entries[0].base, 0x1000u);
    EXPECT_EQ(c.entries[0].length, 0x3000u);
    Converted only_first = convert(efi_map({{7, 0, 1}}));
    ASSERT_TRUE(only_first.ok);
    EXPECT_TRUE(only_first.entries.empty());
}

TEST(Memmap, TopOfAddressSpace) {
    std::vector<Descriptor> input = {{7, UINT64_MAX - 0x1fff - 0xfff, 2}};  // ends 0xfff below 2^64
    Converted c = convert(efi_map(input));
    ASSERT_TRUE(c.ok) << c.error.message;
    check_rules(c.entries, input, {});
    Converted wraps = convert(efi_map({{7, UINT64_MAX - 0xfff, 1}}));
    EXPECT_FALSE(wraps.ok);
}

TEST(Memmap, Failures) {
    std::vector<uint8_t> map = efi_map({{7, 0x1000, 1}});
    EXPECT_EQ(convert(map, {}, 32).error.code, lib::ErrorCode::kEINVAL);  // desc_size too small
    EXPECT_EQ(convert(map, {}, 0).error.code, lib::ErrorCode::kEINVAL);
    std::vector<uint8_t> ragged = map;
    ragged.push_back(0);
    EXPECT_STREQ(convert(ragged).error.message, "memmap: UEFI map size is not a multiple of the descriptor size");
    EXPECT_EQ(convert(efi_map({{7, 0x1000, UINT64_MAX / 2}})).error.code, lib::ErrorCode::kEINVAL);
    EXPECT_EQ(convert(efi_map({{7, UINT64_MAX - 0x10000, 0x100}})).error.code, lib::ErrorCode::kEINVAL);
    EXPECT_EQ(convert(map, {{UINT64_MAX, 2, 1}}).error.code, lib::ErrorCode::kEINVAL);
    EXPECT_EQ(convert(map, {{0x1000, 1, 9}}).error.code, lib::ErrorCode::kEINVAL);
    std::vector<uint8_t> two = efi_map({{7, 0x1000, 1}, {0, 0x3000, 1}});
    EXPECT_EQ(convert(two, {}, 48, 1).error.code, lib::ErrorCode::kENOMEM);
    EXPECT_EQ(convert(two, {}, 48, 0).error.code, lib::ErrorCode::kENOMEM);
    EXPECT_TRUE(convert(two, {}, 48, 2).ok);
    EXPECT_TRUE(convert({}, {}, 48, 0).ok);
}

// Brute-force reference on page granularity for page-aligned inputs: the same
// precedence written independently, page by page.
int rank(uint64_t type) {
    static const int ranks[8] = {0, 6, 2, 5, 7, 1, 3, 4};
    return ranks[type];
}
uint64_t limine_of(uint32_t efi) {
    if (is_usable_type(efi)) return limine::kMemmapUsable;
    if (is_bootloader_type(efi)) return limine::kMemmapBootloaderReclaimable;
    switch (efi) {
        case 0x80000002: return limine::kMemmapKernelAndModules;
        case 9: return limine::kMemmapAcpiReclaimable;
        case 10: return limine::kMemmapAcpiNvs;
        case 8: return limine::kMemmapBadMemory;
        default: return limine::kMemmapReserved;
    }
}

std::string describe(const std::vector<Descriptor>& input, const std::vector<MemoryRange>& overrides) {
    std::string text;
    for (const Descriptor& d : input)
        text += "\n  efi type " + std::to_string(d.type) + " start " + std::to_string(d.start) + " pages " +
                std::to_string(d.pages);
    for (const MemoryRange& o : overrides)
        text += "\n  override type " + std::to_string(o.type) + " base " + std::to_string(o.base) + " length " +
                std::to_string(o.length);
    return text;
}

TEST(Memmap, RandomizedAlignedMatchesReference) {
    std::mt19937_64 random(0xa11);
    const uint32_t types[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 0x80000001, 0x80000002, 0x70000000};
    constexpr uint64_t kPages = 96;
    for (int round = 0; round < 10000; ++round) {
        std::vector<Descriptor> input;
        int count = static_cast<int>(random() % 10);
        for (int i = 0; i < count; ++i)
            input.push_back({types[random() % 16], (random() % kPages) * kPage, random() % 24});
        std::vector<MemoryRange> overrides;
        int override_count = static_cast<int>(random() % 3);
        for (int i = 0; i < override_count; ++i)
            overrides.push_back({(random() % kPages) * kPage, (random() % 8) * kPage, random() % 8});
        size_t desc_size = 40 + 8 * (random() % 3);
        Converted c = convert(efi_map(input, desc_size), overrides, desc_size);
        ASSERT_TRUE(c.ok) << c.error.message;
        check_rules(c.entries, input, overrides);

        std::map<uint64_t, uint64_t> reported;  // page -> type
        for (const MemoryRange& e : c.entries)
            for (uint64_t p = e.base / kPage; p < (e.base + e.length) / kPage; ++p) reported[p] = e.type;
        for (uint64_t page = 0; page < kPages + 32; ++page) {
            int efi_rank = -1, override_rank = -1;
            uint64_t efi_type = 0, override_type = 0;
            for (const Descriptor& d : input)
                if (d.start / kPage <= page && page < d.start / kPage + d.pages && rank(limine_of(d.type)) > efi_rank)
                    efi_rank = rank(limine_of(d.type)), efi_type = limine_of(d.type);
            for (const MemoryRange& o : overrides)
                if (o.base / kPage <= page && page < (o.base + o.length) / kPage && rank(o.type) > override_rank)
                    override_rank = rank(o.type), override_type = o.type;
            bool covered = efi_rank >= 0 || override_rank >= 0;
            uint64_t type = efi_type;
            if (override_rank >= 0)
                type = (override_type == limine::kMemmapUsable && efi_rank > 0) ? efi_type : override_type;
            if (type == limine::kMemmapUsable && page == 0) covered = false;
            auto found = reported.find(page);
            if (!covered) {
                ASSERT_TRUE(found == reported.end()) << "round " << round << " page " << page;
            } else {
                ASSERT_TRUE(found != reported.end()) << "round " << round << " page " << page;
                ASSERT_EQ(found->second, type) << "round " << round << " page " << page << describe(input, overrides);
            }
        }
    }
}

TEST(Memmap, RandomizedHostileBytesNeverBreakRules) {
    std::mt19937_64 random(0xbad);
    for (int round = 0; round < 10000; ++round) {
        std::vector<Descriptor> input;
        int count = static_cast<int>(random() % 12);
        for (int i = 0; i < count; ++i) {
            uint64_t start = random() % 3 == 0 ? random() : random() % 0x100000;  // unaligned on purpose
            uint64_t pages = random() % 5 == 0 ? random() : random() % 64;
            input.push_back({static_cast<uint32_t>(random() % 4 == 0 ? random() : random() % 16), start, pages});
        }
        std::vector<MemoryRange> overrides;
        for (int i = static_cast<int>(random() % 3); i > 0; --i)
            overrides.push_back({random() % 0x100000, random() % 0x8000, random() % 9});
        std::vector<uint8_t> map = efi_map(input);
        if (!map.empty() && random() % 4 == 0) map[random() % map.size()] ^= 0xff;
        size_t capacity = random() % 32;
        Converted c = convert(map, overrides, 48, capacity);
        if (!c.ok) {
            ASSERT_NE(c.error.message, nullptr);
            continue;
        }
        ASSERT_LE(c.entries.size(), capacity);
        // Re-read the (possibly flipped) descriptors for the usable check.
        std::vector<Descriptor> actual;
        for (size_t i = 0; i < map.size() / 48; ++i) {
            loader::EfiMemoryDescriptor d;
            std::memcpy(&d, map.data() + i * 48, sizeof(d));
            actual.push_back({d.type, d.physical_start, d.number_of_pages});
        }
        check_rules(c.entries, actual, overrides);
    }
}

}  // namespace
