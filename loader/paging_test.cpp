#include "loader/paging.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <ctime>
#include <map>
#include <random>
#include <vector>

#include "protocol/limine.hpp"

namespace loader::paging {
namespace {

// Fake physical memory: table pages handed out from a fixed "physical" base,
// with an optional limit to provoke out-of-memory.
struct FakeMemory {
    static constexpr uint64_t kBase = 0x100000;
    std::vector<std::vector<uint64_t>> pages;
    size_t limit = 1 << 20;

    static uint64_t allocate(void* context) {
        auto* self = static_cast<FakeMemory*>(context);
        if (self->pages.size() >= self->limit) return 0;
        self->pages.emplace_back(512, 0);
        return kBase + (self->pages.size() - 1) * kPageSize;
    }
    static uint64_t* access(void* context, uint64_t physical) {
        auto* self = static_cast<FakeMemory*>(context);
        EXPECT_EQ(physical % kPageSize, 0u);
        size_t index = (physical - kBase) / kPageSize;
        EXPECT_LT(index, self->pages.size());
        return self->pages.at(index).data();
    }
    PageTableMemory interface() { return PageTableMemory{&allocate, &access, this}; }
};

constexpr uint64_t kKernelBase = 0xffffffff80000000ULL;

TEST(PageTableBuilder, Maps4KiBPageWithPermissions) {
    FakeMemory memory;
    auto builder = PageTableBuilder::create(memory.interface(), 4, true);
    ASSERT_TRUE(builder.has_value());
    ASSERT_TRUE(builder->map(kKernelBase, 0x200000, 0x1000, MapFlags{false, true}).has_value());
    ASSERT_TRUE(builder->map(kKernelBase + 0x1000, 0x300000, 0x1000, MapFlags{true, false}).has_value());
    uint64_t leaf = 0, size = 0;
    auto pa = builder->translate(kKernelBase + 0x123, &leaf, &size);
    ASSERT_TRUE(pa.has_value());
    EXPECT_EQ(*pa, 0x200123u);
    EXPECT_EQ(size, kPageSize);
    EXPECT_FALSE(leaf & pte::kWritable);
    EXPECT_FALSE(leaf & pte::kNoExecute);
    EXPECT_FALSE(leaf & pte::kUser);
    auto pa2 = builder->translate(kKernelBase + 0x1fff, &leaf, &size);
    ASSERT_TRUE(pa2.has_value());
    EXPECT_EQ(*pa2, 0x300fffu);
    EXPECT_TRUE(leaf & pte::kWritable);
    EXPECT_TRUE(leaf & pte::kNoExecute);
    EXPECT_FALSE(builder->translate(kKernelBase + 0x2000).has_value());
    // PML4 + PDPT + PD + PT.
    EXPECT_EQ(builder->tables_allocated(), 4u);
}

TEST(PageTableBuilder, NoNxBitWhenUnsupported) {
    FakeMemory memory;
    auto builder = PageTableBuilder::create(memory.interface(), 4, true, false);
    ASSERT_TRUE(builder.has_value());
    ASSERT_TRUE(builder->map(0x1000, 0x1000, 0x1000, MapFlags{true, false}).has_value());
    uint64_t leaf = 0;
    ASSERT_TRUE(builder->translate(0x1000, &leaf).has_value());
    EXPECT_FALSE(leaf & pte::kNoExecute);
}

TEST(PageTableBuilder, UsesLargestPagesAlignmentAllows) {
    FakeMemory memory;
    auto builder = PageTableBuilder::create(memory.interface(), 4, true);
    ASSERT_TRUE(builder.has_value());
    // 4 KiB edge, 2 MiB pages up to 1 GiB, 1 GiB page, then 2 MiB, then 4 KiB.
    uint64_t start = k1GiB - k2MiB - kPageSize;
    uint64_t end = 2 * k1GiB + k2MiB + kPageSize;
    ASSERT_TRUE(builder->map(kHhdmOffset4Level + start, start, end - start, MapFlags{true, true}).has_value());
    uint64_t size = 0;
    ASSERT_TRUE(builder->translate(kHhdmOffset4Level + start, nullptr, &size).has_value());
    EXPECT_EQ(size, kPageSize);
    ASSERT_TRUE(builder->translate(kHhdmOffset4Level + k1GiB - k2MiB, nullptr, &size).has_value());
    EXPECT_EQ(size, k2MiB);
    auto pa = builder->translate(kHhdmOffset4Level + k1GiB + 12345, nullptr, &size);
    ASSERT_TRUE(pa.has_value());
    EXPECT_EQ(size, k1GiB);
    EXPECT_EQ(*pa, k1GiB + 12345);
    ASSERT_TRUE(builder->translate(kHhdmOffset4Level + 2 * k1GiB, nullptr, &size).has_value());
    EXPECT_EQ(size, k2MiB);
    ASSERT_TRUE(builder->translate(kHhdmOffset4Level + 2 * k1GiB + k2MiB, nullptr, &size).has_value());
    EXPECT_EQ(size, kPageSize);
    EXPECT_FALSE(builder->translate(kHhdmOffset4Level + end).has_value());
    EXPECT_FALSE(builder->translate(kHhdmOffset4Level + start - 1).has_value());
}

TEST(PageTableBuilder, Falls2MiBWithout1GiBSupport) {
    FakeMemory memory;
    auto builder = PageTableBuilder::create(memory.interface(), 4, false);
    ASSERT_TRUE(builder.has_value());
    ASSERT_TRUE(builder->map(kHhdmOffset4Level, 0, k4GiB, MapFlags{true, true}).has_value());
    uint64_t size = 0;
    ASSERT_TRUE(builder->translate(kHhdmOffset4Level + 3 * k1GiB, nullptr, &size).has_value());
    EXPECT_EQ(size, k2MiB);
    // PML4 + PDPT + 4 PDs.
    EXPECT_EQ(builder->tables_allocated(), 6u);
}

TEST(PageTableBuilder, WriteCombiningSetsPatBitPerPageSize) {
    FakeMemory memory;
    auto builder = PageTableBuilder::create(memory.interface(), 4, true);
    ASSERT_TRUE(builder.has_value());
    MapFlags wc{true, false, Cache::kWriteCombining};
    ASSERT_TRUE(builder->map(kHhdmOffset4Level + 0x80000000, 0x80000000, k2MiB + kPageSize, wc).has_value());
    uint64_t leaf = 0, size = 0;
    ASSERT_TRUE(builder->translate(kHhdmOffset4Level + 0x80000000, &leaf, &size).has_value());
    EXPECT_EQ(size, k2MiB);
    EXPECT_TRUE(leaf & pte::kPatLarge);
    EXPECT_TRUE(leaf & pte::kWriteThrough);
    EXPECT_FALSE(leaf & pte::kCacheDisable);
    EXPECT_TRUE(leaf & pte::kLargePage);
    ASSERT_TRUE(builder->translate(kHhdmOffset4Level + 0x80000000 + k2MiB, &leaf, &size).has_value());
    EXPECT_EQ(size, kPageSize);
    EXPECT_TRUE(leaf & pte::kPat4KiB);
    EXPECT_TRUE(leaf & pte::kWriteThrough);
    EXPECT_FALSE(leaf & pte::kCacheDisable);
    EXPECT_FALSE(leaf & pte::kPatLarge);
    // Write-back pages carry none of the three.
    ASSERT_TRUE(builder->map(0x1000, 0x1000, 0x1000, MapFlags{}).has_value());
    ASSERT_TRUE(builder->translate(0x1000, &leaf).has_value());
    EXPECT_EQ(leaf & (pte::kPat4KiB | pte::kWriteThrough | pte::kCacheDisable), 0u);
}

TEST(PageTableBuilder, PatValueMatchesFactsSheet) {
    // PAT0 WB(6) PAT1 WT(4) PAT2 UC-(7) PAT3 UC(0) PAT4 WP(5) PAT5 WC(1).
    const uint8_t expected[6] = {6, 4, 7, 0, 5, 1};
    for (int i = 0; i < 6; ++i) EXPECT_EQ((x86_64::paging::kPatLayout >> (8 * i)) & 0xff, expected[i]) << "PAT" << i;
}

TEST(PageTableBuilder, RejectsBadInput) {
    FakeMemory memory;
    auto builder = PageTableBuilder::create(memory.interface(), 4, true);
    ASSERT_TRUE(builder.has_value());
    EXPECT_EQ(builder->map(0x1001, 0x1000, 0x1000, {}).error().code, lib::ErrorCode::kEINVAL);
    EXPECT_EQ(builder->map(0x1000, 0x1001, 0x1000, {}).error().code, lib::ErrorCode::kEINVAL);
    EXPECT_EQ(builder->map(0x1000, 0x1000, 0x1001, {}).error().code, lib::ErrorCode::kEINVAL);
    // Non-canonical (bit 47 set without sign extension), wrap-around, beyond 52 bits.
    EXPECT_EQ(builder->map(0x0000800000000000ULL, 0, 0x1000, {}).error().code, lib::ErrorCode::kERANGE);
    EXPECT_EQ(builder->map(0x00007ffffffff000ULL, 0, 0x2000, {}).error().code, lib::ErrorCode::kERANGE);
    EXPECT_EQ(builder->map(0xfffffffffffff000ULL, 0, 0x2000, {}).error().code, lib::ErrorCode::kERANGE);
    EXPECT_EQ(builder->map(0x1000, 1ULL << 52, 0x1000, {}).error().code, lib::ErrorCode::kERANGE);
    EXPECT_TRUE(builder->map(0x1000, 0x1000, 0, {}).has_value());
    EXPECT_FALSE(PageTableBuilder::create(memory.interface(), 3, true).has_value());
    EXPECT_FALSE(PageTableBuilder::create(memory.interface(), 6, true).has_value());
    // The very top page of the address space is fine.
    EXPECT_TRUE(builder->map(0xfffffffffffff000ULL, 0x5000, 0x1000, {}).has_value());
}

TEST(PageTableBuilder, DuplicateMappingsAreErrors) {
    FakeMemory memory;
    auto builder = PageTableBuilder::create(memory.interface(), 4, true);
    ASSERT_TRUE(builder.has_value());
    ASSERT_TRUE(builder->map(kHhdmOffset4Level, 0, k1GiB, {}).has_value());
    EXPECT_EQ(builder->map(kHhdmOffset4Level + 0x5000, 0, 0x1000, {}).error().code, lib::ErrorCode::kEEXIST);
    ASSERT_TRUE(builder->map(0x5000, 0x5000, 0x1000, {}).has_value());
    EXPECT_EQ(builder->map(0x5000, 0x6000, 0x1000, {}).error().code, lib::ErrorCode::kEEXIST);
}

TEST(PageTableBuilder, OutOfMemoryIsReported) {
    FakeMemory memory;
    memory.limit = 3;
    auto builder = PageTableBuilder::create(memory.interface(), 4, true);
    ASSERT_TRUE(builder.has_value());
    EXPECT_EQ(builder->map(kKernelBase, 0, 0x1000, {}).error().code, lib::ErrorCode::kENOMEM);
    memory.limit = 0;
    EXPECT_FALSE(PageTableBuilder::create(memory.interface(), 4, true).has_value());
}

TEST(PageTableBuilder, FiveLevelTranslates) {
    FakeMemory memory;
    auto builder = PageTableBuilder::create(memory.interface(), 5, true);
    ASSERT_TRUE(builder.has_value());
    ASSERT_TRUE(builder->map(kHhdmOffset5Level + k4GiB, k4GiB, k1GiB, {}).has_value());
    auto pa = builder->translate(kHhdmOffset5Level + k4GiB + 77);
    ASSERT_TRUE(pa.has_value());
    EXPECT_EQ(*pa, k4GiB + 77);
    // 0x0000800000000000 is canonical with 57-bit addresses.
    EXPECT_TRUE(builder->map(0x0000800000000000ULL, 0, 0x1000, {}).has_value());
    EXPECT_EQ(builder->tables_allocated(), 3u + 4u);  // PML5 PML4 PDPT, then PML4 PDPT PD PT
}

// Randomized: disjoint random ranges, each mapped, then random probes inside
// and just outside compared with a reference model.
TEST(PageTableBuilder, RandomRangesTranslateLikeAModel) {
    std::mt19937_64 random(20260125);
    for (int round = 0; round < 40; ++round) {
        FakeMemory memory;
        bool gib = round % 2 == 0;
        auto builder = PageTableBuilder::create(memory.interface(), 4, gib);
        ASSERT_TRUE(builder.has_value());
        struct Range {
            uint64_t va, pa, length;
        };
        std::vector<Range> ranges;
        uint64_t cursor = kHhdmOffset4Level;
        for (int i = 0; i < 12; ++i) {
            cursor += (random() % 4096) * kPageSize;
            if (random() % 3 == 0) cursor = lib::align_up(cursor, k2MiB);
            uint64_t length = (1 + random() % 2048) * kPageSize;
            if (random() % 5 == 0) length += k1GiB;
            uint64_t pa = (cursor - kHhdmOffset4Level) + (random() % 4) * k1GiB;
            ASSERT_TRUE(builder->map(cursor, pa, length, MapFlags{true, false}).has_value());
            ranges.push_back({cursor, pa, length});
            cursor += length;
        }
        for (const Range& r : ranges) {
            for (int probe = 0; probe < 20; ++probe) {
                uint64_t offset = random() % r.length;
                auto pa = builder->translate(r.va + offset);
                ASSERT_TRUE(pa.has_value());
                EXPECT_EQ(*pa, r.pa + offset);
            }
        }
        EXPECT_FALSE(builder->translate(cursor).has_value());
    }
}

std::vector<HhdmRange> plan(const std::vector<PhysicalRange>& map, uint64_t fb_base, uint64_t fb_size,
                            size_t capacity = 64, uint64_t revision = 2) {
    std::vector<HhdmRange> out(capacity);
    auto count = plan_hhdm(lib::Span<const PhysicalRange>(map.data(), map.size()), fb_base, fb_size, out.data(),
                           capacity, revision);
    EXPECT_TRUE(count.has_value());
    out.resize(count.has_value() ? *count : 0);
    return out;
}

TEST(PlanHhdm, LowFourGiBAlwaysWithoutFramebuffer) {
    auto out = plan({}, 0, 0);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].base, 0u);
    EXPECT_EQ(out[0].length, k4GiB);
}

TEST(PlanHhdm, AddsHighRangesExceptReservedAndBad) {
    std::vector<PhysicalRange> map = {
        {0x1000, 0x9f000, limine::kMemmapUsable},
        {k4GiB, k1GiB, limine::kMemmapUsable},
        {k4GiB + k1GiB, k1GiB, limine::kMemmapBootloaderReclaimable},  // adjacent: merged
        {8 * k1GiB, k1GiB, limine::kMemmapReserved},
        {9 * k1GiB, k1GiB, limine::kMemmapBadMemory},
        {10 * k1GiB + 0x800, 0x1000, limine::kMemmapAcpiNvs},  // unaligned: widened
        {3 * k1GiB, 2 * k1GiB, limine::kMemmapUsable},         // straddles 4 GiB
    };
    auto out = plan(map, 0, 0);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].base, 0u);
    EXPECT_EQ(out[0].length, 6 * k1GiB);
    EXPECT_EQ(out[1].base, 10 * k1GiB);
    EXPECT_EQ(out[1].length, 0x2000u);
}

// Whether [base, base + length) is wholly inside one planned range.
bool covered(const std::vector<HhdmRange>& plan, uint64_t base, uint64_t length) {
    for (const HhdmRange& r : plan)
        if (base >= r.base && base + length <= r.base + r.length) return true;
    return false;
}

TEST(PlanHhdm, EachRevisionMapsItsTypes) {
    const uint64_t mmio = 0xfee00000;  // a LAPIC page: in no region
    std::vector<PhysicalRange> map = {
        {0x1000, 0x9f000, limine::kMemmapUsable},
        {0x100000, 0x1000, limine::kMemmapBootloaderReclaimable},
        {0x200000, 0x1000, limine::kMemmapKernelAndModules},
        {0x300000, 0x1000, limine::kMemmapAcpiReclaimable},
        {0x400000, 0x1000, limine::kMemmapAcpiNvs},
        {0x500000, 0x1000, limine::kMemmapReservedMapped},
        {0x600000, 0x1000, limine::kMemmapReserved},
        {5 * k1GiB, 0x1000, limine::kMemmapReserved},
        {6 * k1GiB, 0x1000, limine::kMemmapBadMemory},
        {7 * k1GiB, 0x1000, limine::kMemmapAcpiNvs},
    };
    const uint64_t fb = 0xc0000000;
    for (uint64_t revision = 0; revision <= 6; ++revision) {
        auto out = plan(map, fb, 0x1000, 64, revision);
        bool low_4gib = revision <= 2;
        bool acpi = revision != 3;
        EXPECT_TRUE(covered(out, 0x1000, 0x9f000)) << revision;
        EXPECT_TRUE(covered(out, 0x100000, 0x1000)) << revision;
        EXPECT_TRUE(covered(out, 0x200000, 0x1000)) << revision;
        EXPECT_TRUE(covered(out, fb, 0x1000)) << revision;
        EXPECT_EQ(covered(out, 0x300000, 0x1000), acpi || low_4gib) << revision;
        EXPECT_EQ(covered(out, 0x400000, 0x1000), acpi || low_4gib) << revision;
        EXPECT_EQ(covered(out, 0x500000, 0x1000), acpi || low_4gib) << revision;
        EXPECT_EQ(covered(out, 0x600000, 0x1000), low_4gib) << revision;
        EXPECT_EQ(covered(out, mmio, 0x1000), low_4gib) << revision;
        EXPECT_EQ(covered(out, 5 * k1GiB, 0x1000), revision == 0) << revision;
        EXPECT_EQ(covered(out, 6 * k1GiB, 0x1000), revision == 0) << revision;
        EXPECT_EQ(covered(out, 7 * k1GiB, 0x1000), revision != 3) << revision;
        EXPECT_FALSE(covered(out, 0, 0x1000) && revision >= 3) << revision;  // page 0 is in no region
    }
}

TEST(PlanHhdm, FramebufferIsCutOutWriteCombining) {
    auto out = plan({}, 0x80000800, 0x300000);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].base, 0u);
    EXPECT_EQ(out[0].length, 0x80000000u);
    EXPECT_EQ(out[0].cache, Cache::kWriteBack);
    EXPECT_EQ(out[1].base, 0x80000000u);
    EXPECT_EQ(out[1].length, 0x301000u);
    EXPECT_EQ(out[1].cache, Cache::kWriteCombining);
    EXPECT_EQ(out[2].base, 0x80301000u);
    EXPECT_EQ(out[2].base + out[2].length, k4GiB);
    // A framebuffer above 4 GiB not in the map is added by itself.
    auto high = plan({}, 0x800000000ULL, 0x1000);
    ASSERT_EQ(high.size(), 2u);
    EXPECT_EQ(high[1].base, 0x800000000ULL);
    EXPECT_EQ(high[1].cache, Cache::kWriteCombining);
    // At the very start of a range.
    auto first = plan({}, 0, 0x1000);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].cache, Cache::kWriteCombining);
    EXPECT_EQ(first[1].base, 0x1000u);
}

TEST(PlanHhdm, CapacityIsEnforced) {
    std::vector<PhysicalRange> map = {{8 * k1GiB, 0x1000, 0}, {16 * k1GiB, 0x1000, 0}};
    std::vector<HhdmRange> out(2);
    EXPECT_EQ(plan_hhdm(lib::Span<const PhysicalRange>(map.data(), map.size()), 0, 0, out.data(), 2).error().code,
              lib::ErrorCode::kENOMEM);
    std::vector<HhdmRange> small(1);
    EXPECT_EQ(plan_hhdm({}, 0x1000, 0x1000, small.data(), 1).error().code, lib::ErrorCode::kENOMEM);
}

TEST(PlanHhdm, HostileValuesDoNotOverflow) {
    std::vector<PhysicalRange> map = {{~0ULL - 0xfff, 0x2000, 0}, {(1ULL << 52) - 0x1000, ~0ULL, 0}, {k4GiB, 0, 0}};
    auto out = plan(map, ~0ULL - 10, ~0ULL);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1].base + out[1].length, 1ULL << 52);
}

// Randomized: the planned ranges are sorted, disjoint, aligned and cover
// every non-reserved input byte above 4 GiB.
TEST(PlanHhdm, RandomMapsCoverEverything) {
    std::mt19937_64 random(7);
    for (int round = 0; round < 200; ++round) {
        std::vector<PhysicalRange> map;
        for (int i = 0; i < 20; ++i) map.push_back({random() % (64 * k1GiB), random() % (2 * k1GiB), random() % 8});
        uint64_t fb = random() % 2 ? random() % (64 * k1GiB) : 0;
        auto out = plan(map, fb, fb ? 0x400000 : 0, 128);
        ASSERT_FALSE(out.empty());
        for (size_t i = 0; i < out.size(); ++i) {
            EXPECT_EQ(out[i].base % kPageSize, 0u);
            EXPECT_EQ(out[i].length % kPageSize, 0u);
            if (i > 0) EXPECT_LE(out[i - 1].base + out[i - 1].length, out[i].base);
        }
        auto covered = [&](uint64_t address) {
            for (const HhdmRange& r : out)
                if (address >= r.base && address < r.base + r.length) return true;
            return false;
        };
        for (const PhysicalRange& r : map) {
            if (r.type == limine::kMemmapReserved || r.type == limine::kMemmapBadMemory || r.length == 0) continue;
            EXPECT_TRUE(covered(r.base));
            EXPECT_TRUE(covered(r.base + r.length - 1));
        }
        if (fb) EXPECT_TRUE(covered(fb + 0x3fffff));
    }
}

}  // namespace
}  // namespace loader::paging
