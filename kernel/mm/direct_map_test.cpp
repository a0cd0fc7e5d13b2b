// Host tests of the direct-map plan: which regions the kernel's HHDM maps
// (RAM and ACPI memory, never holes or reserved memory), the framebuffer cut
// out, and the split of usable memory by what a loader really mapped.
#include "kernel/mm/direct_map.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "kernel/mm/simulated_memory.hpp"

namespace {

using boot::MemoryType;
using mm::PhysicalRange;
using mm::testing::region;

constexpr uint64_t kMiB = 1ULL << 20, kGiB = 1ULL << 30;

std::vector<PhysicalRange> plan(const std::vector<boot::MemoryRegion>& map, PhysicalRange framebuffer = {}) {
    std::vector<PhysicalRange> out(map.size() * 2 + 2);
    size_t count = mm::direct_map_ranges(lib::Span<const boot::MemoryRegion>(map.data(), map.size()), framebuffer,
                                         out.data(), out.size());
    out.resize(count);
    return out;
}

// An OVMF-like q35 map: RAM with ACPI tables inside it, reserved firmware
// areas, the PCI hole with ECAM and flash, a framebuffer, RAM above 4 GiB.
const std::vector<boot::MemoryRegion> kQ35 = {
    region(0x1000, 0x9f000),
    region(0x100000, 0x7f000000 - 0x100000),
    region(0x7f000000, 0x10000, MemoryType::kBootloaderReclaimable),
    region(0x7f010000, 0x10000, MemoryType::kKernelAndModules),
    region(0x7f020000, 0x6000, MemoryType::kReserved),
    region(0x7f026000, 0x2000, MemoryType::kAcpiReclaimable),
    region(0x7f028000, 0x8000, MemoryType::kAcpiNvs),
    region(0xb0000000, 0x10000000, MemoryType::kReserved),  // ECAM
    region(0xc0000000, 0x3e8000, MemoryType::kFramebuffer),
    region(0xffc00000, 0x400000, MemoryType::kReserved),  // flash
    region(0x100000000, 2 * kGiB),
    region(0x180000000 + 2 * kGiB, 0x1000, MemoryType::kBadMemory),
};

TEST(DirectMap, MapsRamAndAcpiMemoryButNotReservedMemoryOrHoles) {
    auto ranges = plan(kQ35);
    std::vector<PhysicalRange> expected = {
        {0x1000, 0xa0000},
        {0x100000, 0x7f020000},      // RAM, loader and kernel memory merge
        {0x7f026000, 0x7f030000},    // ACPI reclaimable + NVS
        {0x100000000, 0x180000000},  // above 4 GiB
    };
    EXPECT_EQ(ranges, expected);
    for (MemoryType type : {MemoryType::kReserved, MemoryType::kBadMemory, MemoryType::kFramebuffer})
        EXPECT_FALSE(mm::in_direct_map(type));
}

TEST(DirectMap, RegionsWidenToWholePagesAndTheFramebufferIsCutOut) {
    // ACPI NVS regions need not be page aligned (docs/limine-protocol.md §4).
    std::vector<boot::MemoryRegion> map = {region(0x1000, 0x3000), region(0x4800, 0x100, MemoryType::kAcpiNvs),
                                           region(0x10000, 0x100000)};
    EXPECT_EQ(plan(map), (std::vector<PhysicalRange>{{0x1000, 0x5000}, {0x10000, 0x110000}}));
    // A framebuffer inside RAM (a loader that does not list it) is not mapped write-back.
    EXPECT_EQ(plan(map, {0x20000, 0x30000}),
              (std::vector<PhysicalRange>{{0x1000, 0x5000}, {0x10000, 0x20000}, {0x30000, 0x110000}}));
}

TEST(DirectMap, UnsortedRegionsComeOutSortedAndMerged) {
    std::vector<boot::MemoryRegion> map = {region(0x200000, 0x100000), region(0x100000, 0x100000),
                                           region(0x300000, 0x1000, MemoryType::kAcpiReclaimable)};
    EXPECT_EQ(plan(map), (std::vector<PhysicalRange>{{0x100000, 0x301000}}));
}

// A loader whose HHDM maps only what `mapped` lists, probed a page at a time
// or in runs as the kernel's probe (which skips by page-table levels) does.
struct FakeLoader {
    std::vector<PhysicalRange> mapped;
    int calls = 0;

    static uint64_t run_end(uint64_t physical, uint64_t end, bool& is_mapped, void* context) {
        auto* self = static_cast<FakeLoader*>(context);
        ++self->calls;
        for (const PhysicalRange& r : self->mapped) {
            if (physical >= r.base && physical < r.end) {
                is_mapped = true;
                return std::min(end, r.end);
            }
        }
        is_mapped = false;
        uint64_t next = end;
        for (const PhysicalRange& r : self->mapped)
            if (r.base > physical && r.base < next) next = r.base;
        return next;
    }
    mm::LoaderMapProbe probe() { return {&run_end, this}; }
};

struct Split {
    std::vector<boot::MemoryRegion> regions;
    std::vector<PhysicalRange> later;
    mm::EarlyMemoryMap result;
};

Split split(const std::vector<boot::MemoryRegion>& map, FakeLoader& loader, size_t out_capacity = 64,
            size_t later_capacity = 16) {
    Split s;
    s.regions.resize(out_capacity);
    s.later.resize(later_capacity);
    s.result = mm::split_by_loader_map(lib::Span<const boot::MemoryRegion>(map.data(), map.size()), loader.probe(),
                                       s.regions.data(), out_capacity, s.later.data(), later_capacity);
    s.regions.resize(s.result.region_count);
    s.later.resize(s.result.later_count);
    return s;
}

bool same(const boot::MemoryRegion& a, const boot::MemoryRegion& b) {
    return a.base == b.base && a.length == b.length && a.type == b.type;
}

TEST(DirectMap, AFullyMappedMapIsUnchanged) {
    FakeLoader loader{{{0, 8 * kGiB}}};
    Split s = split(kQ35, loader);
    ASSERT_EQ(s.regions.size(), kQ35.size());
    for (size_t i = 0; i < kQ35.size(); ++i) EXPECT_TRUE(same(s.regions[i], kQ35[i])) << i;
    EXPECT_TRUE(s.later.empty());
    EXPECT_EQ(s.result.later_bytes, 0u);
}

TEST(DirectMap, UsableMemoryTheLoaderLeftOutWaitsForTheKernelsTables) {
    // What Limine 8.2.0 hands over on 4 CPUs: nothing mapped above 4 GiB.
    FakeLoader loader{{{0, 4 * kGiB}}};
    Split s = split(kQ35, loader);
    ASSERT_EQ(s.regions.size(), kQ35.size());
    EXPECT_TRUE(same(s.regions[10], region(0x100000000, 2 * kGiB, MemoryType::kReserved)));
    EXPECT_EQ(s.later, (std::vector<PhysicalRange>{{0x100000000, 0x180000000}}));
    EXPECT_EQ(s.result.later_bytes, 2 * kGiB);
    EXPECT_EQ(s.result.lost_bytes, 0u);
}

TEST(DirectMap, ARegionMappedInPartsIsCutAtEachEdge) {
    FakeLoader loader{{{0, 0x40000000}, {0x40200000, 0x80000000}}};
    std::vector<boot::MemoryRegion> map = {region(0x100000, 0x7ff00000)};
    Split s = split(map, loader);
    ASSERT_EQ(s.regions.size(), 3u);
    EXPECT_TRUE(same(s.regions[0], region(0x100000, 0x40000000 - 0x100000)));
    EXPECT_TRUE(same(s.regions[1], region(0x40000000, 0x200000, MemoryType::kReserved)));
    EXPECT_TRUE(same(s.regions[2], region(0x40200000, 0x80000000 - 0x40200000)));
    EXPECT_EQ(s.later, (std::vector<PhysicalRange>{{0x40000000, 0x40200000}}));
}

TEST(DirectMap, FullOutputKeepsTheRestForLaterOrCountsItLost) {
    // Every other page mapped: far more pieces than the output holds.
    FakeLoader loader;
    for (uint64_t page = 0; page < 64; page += 2)
        loader.mapped.push_back({page * mm::kPageSize, (page + 1) * mm::kPageSize});
    std::vector<boot::MemoryRegion> map = {region(0, 64 * mm::kPageSize), region(1 * kMiB, 4 * kMiB)};
    Split s = split(map, loader, /*out_capacity=*/8, /*later_capacity=*/3);
    uint64_t usable = 0;
    for (const auto& r : s.regions)
        if (r.type == MemoryType::kUsable) usable += r.length;
    EXPECT_LE(s.regions.size(), 8u);
    // Nothing is usable early that the loader did not map, and every byte is
    // usable early, listed for later or counted lost.
    for (const auto& r : s.regions)
        if (r.type == MemoryType::kUsable)
            for (uint64_t p = r.base; p < r.base + r.length; p += mm::kPageSize) {
                bool mapped = false;
                FakeLoader::run_end(p, p + mm::kPageSize, mapped, &loader);
                EXPECT_TRUE(mapped) << std::hex << p;
            }
    EXPECT_EQ(usable + s.result.later_bytes + s.result.lost_bytes, 64 * mm::kPageSize + 4 * kMiB);
    EXPECT_GT(s.result.lost_bytes, 0u);
}

TEST(DirectMap, AProbeThatMakesNoProgressCannotLoopForever) {
    struct Stuck {
        static uint64_t run_end(uint64_t physical, uint64_t, bool& mapped, void*) {
            mapped = true;
            return physical;  // no progress
        }
    };
    std::vector<boot::MemoryRegion> map = {region(0x100000, 0x100000)};
    std::vector<boot::MemoryRegion> out(4);
    std::vector<PhysicalRange> later(4);
    auto r = mm::split_by_loader_map(lib::Span<const boot::MemoryRegion>(map.data(), map.size()),
                                     {&Stuck::run_end, nullptr}, out.data(), out.size(), later.data(), later.size());
    EXPECT_EQ(r.region_count, 1u);
    EXPECT_TRUE(same(out[0], map[0]));
}

}  // namespace
