// Host tests of the page mapper on simulated physical memory: entry
// encoding, page-size choice, splits, protection changes, TLB invalidation,
// table reclamation, failure without damage, and a randomized run against a
// model of what each 4 KiB page maps to.
#include "kernel/mm/page_mapper.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <vector>

#include "kernel/mm/simulated_memory.hpp"

namespace {

using mm::CacheType;
using mm::kPageSize;
using mm::PageFlags;
using mm::PageSize;

constexpr uint64_t kMiB = 1ULL << 20, kGiB = 1ULL << 30;
constexpr uint64_t kKernelBase = 0xffffffff80000000ULL;
// Tables in the kernel half are never freed; the tests that check that a
// range leaves no table behind work in the user half, at this base (1 GiB
// aligned) and at kUserData (as aligned as kKernelBase).
constexpr uint64_t kUserBase = 0x0000100000000000ULL;
constexpr uint64_t kUserData = kUserBase + 0x80000000ULL;

struct TlbLog {
    static inline std::vector<uint64_t> pages;
    static inline int full_flushes = 0;
    static void reset() {
        pages.clear();
        full_flushes = 0;
    }
    static void invalidate(uint64_t virt) { pages.push_back(virt); }
    static void flush() { ++full_flushes; }
};

struct Fixture {
    explicit Fixture(uint64_t memory_bytes = 64 * kMiB, mm::PagingFeatures features = {}) {
        map = {mm::testing::region(0x1000, memory_bytes - 0x1000)};
        memory = std::make_unique<mm::testing::SimulatedMemory>(memory_bytes);
        EXPECT_TRUE(frames.init(lib::Span<const boot::MemoryRegion>(map.data(), map.size()), memory->window()));
        initial_free = frames.free_frames();
        auto root = mm::PageMapper::create_root(frames);
        EXPECT_TRUE(root.has_value());
        mapper = std::make_unique<mm::PageMapper>(memory->window(), frames, *root, features,
                                                  mm::TlbHooks{&TlbLog::invalidate, &TlbLog::flush});
        TlbLog::reset();
    }
    // Every table except the root has been given back.
    bool only_root_left() const { return frames.free_frames() == initial_free - 1; }

    std::vector<boot::MemoryRegion> map;
    std::unique_ptr<mm::testing::SimulatedMemory> memory;
    mm::FrameAllocator frames;
    uint64_t initial_free = 0;
    std::unique_ptr<mm::PageMapper> mapper;
};

constexpr PageFlags kData{.writable = true, .user = false, .executable = false, .global = true};

TEST(PageTableEntry, EncodesFlagsAndCacheTypes) {
    mm::PagingFeatures features;
    for (unsigned level = 0; level < 3; ++level) {
        for (unsigned cache = 0; cache < 6; ++cache) {
            PageFlags flags{.writable = bool(cache & 1),
                            .user = bool(cache & 2),
                            .executable = bool(level & 1),
                            .global = true,
                            .cache = CacheType(cache)};
            uint64_t physical = mm::level_coverage(level) * 3;
            auto entry = mm::PageTableEntry::leaf(physical, level, flags, features);
            EXPECT_TRUE(entry.present());
            EXPECT_TRUE(entry.is_leaf(level));
            EXPECT_EQ(entry.leaf_address(level), physical);
            EXPECT_EQ(entry.flags(level), flags);
        }
    }
    // WC is PAT index 5: PAT + PWT; the PAT bit is bit 7 in a PTE, bit 12 in a PDE.
    PageFlags wc{.cache = CacheType::kWriteCombining};
    EXPECT_EQ(mm::PageTableEntry::leaf(0, 0, wc, features).raw() & 0x1098, 0x88u);
    EXPECT_EQ(mm::PageTableEntry::leaf(0, 1, wc, features).raw() & 0x1018, 0x1008u);
    // Without NXE the NX bit is reserved: never set.
    EXPECT_EQ(mm::PageTableEntry::leaf(0, 0, {}, {.no_execute = false}).raw() >> 63, 0u);
}

TEST(PageMapper, MapTranslateUnmapSinglePage) {
    Fixture f;
    PageFlags flags{
        .writable = true, .user = true, .executable = false, .global = false, .cache = CacheType::kUncached};
    ASSERT_TRUE(f.mapper->map(0x400000, 0x1234000, PageSize::k4KiB, flags));
    auto mapping = f.mapper->translate(0x400abc);
    ASSERT_TRUE(mapping.has_value());
    EXPECT_EQ(mapping->physical, 0x1234abcu);
    EXPECT_EQ(mapping->size, PageSize::k4KiB);
    EXPECT_EQ(mapping->flags, flags);
    EXPECT_FALSE(f.mapper->translate(0x401000).has_value());
    EXPECT_EQ(f.frames.free_frames(), f.initial_free - 4);  // root + PDPT + PD + PT
    ASSERT_TRUE(f.mapper->unmap(0x400000));
    EXPECT_FALSE(f.mapper->translate(0x400abc).has_value());
    EXPECT_EQ(TlbLog::pages, (std::vector<uint64_t>{0x400000, 0x400000, 0x400000, 0x400000}));
    EXPECT_TRUE(f.only_root_left());
}

TEST(PageMapper, RangesUseTheLargestPagesAlignmentAllows) {
    Fixture f;
    // 4 KiB, then 2 MiB pages up to 1 GiB, then one 1 GiB page, then 2 MiB + 4 KiB.
    uint64_t virt = kUserBase + kGiB - 2 * kMiB - 0x1000, length = 2 * kMiB + 0x1000 + kGiB + 2 * kMiB + 0x1000;
    ASSERT_TRUE(f.mapper->map_range(virt, virt - kUserBase, length, kData));
    EXPECT_EQ(f.mapper->translate(virt)->size, PageSize::k4KiB);
    EXPECT_EQ(f.mapper->translate(virt + 0x1000)->size, PageSize::k2MiB);
    EXPECT_EQ(f.mapper->translate(kUserBase + kGiB + 12345)->size, PageSize::k1GiB);
    EXPECT_EQ(f.mapper->translate(kUserBase + kGiB + 12345)->physical, kGiB + 12345);
    EXPECT_EQ(f.mapper->translate(kUserBase + 2 * kGiB)->size, PageSize::k2MiB);
    EXPECT_EQ(f.mapper->translate(kUserBase + 2 * kGiB + 2 * kMiB)->size, PageSize::k4KiB);
    EXPECT_FALSE(f.mapper->translate(kUserBase + 2 * kGiB + 2 * kMiB + 0x1000).has_value());
    ASSERT_TRUE(f.mapper->unmap_range(virt, length));
    EXPECT_TRUE(f.only_root_left());
}

TEST(PageMapper, WithoutHugePagesTheCpuGets2MiB) {
    Fixture f(64 * kMiB, {.huge_1g = false});
    ASSERT_TRUE(f.mapper->map_range(kUserBase, 0, kGiB, kData));
    EXPECT_EQ(f.mapper->translate(kUserBase + 5)->size, PageSize::k2MiB);
    EXPECT_EQ(f.mapper->map(kUserBase + 4 * kGiB, 0, PageSize::k1GiB, kData).error().code, lib::ErrorCode::kEOPNOTSUPP);
}

TEST(PageMapper, DoubleMappingIsRefusedAndChangesNothing) {
    Fixture f;
    ASSERT_TRUE(f.mapper->map(kUserData, 0x200000, PageSize::k2MiB, kData));
    uint64_t free_before = f.frames.free_frames();
    EXPECT_EQ(f.mapper->map(kUserData + 0x1000, 0, PageSize::k4KiB, kData).error().code, lib::ErrorCode::kEEXIST);
    EXPECT_EQ(f.mapper->map(kUserData, 0, PageSize::k2MiB, kData).error().code, lib::ErrorCode::kEEXIST);
    // A range whose end collides is rolled back entirely.
    EXPECT_FALSE(f.mapper->map_range(kUserData - 0x3000, 0x5000000, 0x4000, kData));
    EXPECT_FALSE(f.mapper->translate(kUserData - 0x3000).has_value());
    EXPECT_EQ(f.frames.free_frames(), free_before);
    EXPECT_EQ(f.mapper->translate(kUserData + 7)->physical, 0x200007u);
}

TEST(PageMapper, BadArgumentsAreErrors) {
    Fixture f;
    EXPECT_EQ(f.mapper->map(0x0000800000000000ULL, 0, PageSize::k4KiB, kData).error().code, lib::ErrorCode::kEINVAL);
    EXPECT_EQ(f.mapper->map(0x1001, 0, PageSize::k4KiB, kData).error().code, lib::ErrorCode::kEINVAL);
    EXPECT_EQ(f.mapper->map(0x200000, 0x1000, PageSize::k2MiB, kData).error().code, lib::ErrorCode::kEINVAL);
    EXPECT_FALSE(f.mapper->unmap_range(0x1000, 0x10));
    EXPECT_FALSE(f.mapper->unmap_range(0x00007ffffffff000ULL, 0x2000));  // runs into the hole
    EXPECT_TRUE(f.only_root_left());
}

TEST(PageMapper, PartialUnmapSplitsLargePages) {
    Fixture f;
    ASSERT_TRUE(f.mapper->map(kUserBase, 0, PageSize::k1GiB, kData));
    ASSERT_TRUE(f.mapper->unmap(kUserBase + 3 * kMiB));  // inside the second 2 MiB piece
    EXPECT_FALSE(f.mapper->translate(kUserBase + 3 * kMiB).has_value());
    EXPECT_EQ(f.mapper->translate(kUserBase + 3 * kMiB + 0x1000)->physical, 3 * kMiB + 0x1000);
    EXPECT_EQ(f.mapper->translate(kUserBase + 3 * kMiB + 0x1000)->size, PageSize::k4KiB);
    EXPECT_EQ(f.mapper->translate(kUserBase + 5 * kMiB)->size, PageSize::k2MiB);
    EXPECT_EQ(f.mapper->translate(kUserBase + 5 * kMiB)->flags, kData);
    EXPECT_EQ(f.mapper->translate(kUserBase + kGiB - 1)->physical, kGiB - 1);
    ASSERT_TRUE(f.mapper->unmap_range(kUserBase, kGiB));
    EXPECT_TRUE(f.only_root_left());
}

TEST(PageMapper, ProtectChangesRightsAndSplitsWherePartial) {
    Fixture f;
    ASSERT_TRUE(f.mapper->map_range(kKernelBase, 0x200000, 4 * kMiB, kData));
    PageFlags text{.writable = false, .executable = true, .global = true};
    ASSERT_TRUE(f.mapper->protect_range(kKernelBase + 0x1000, 0x2000, text));
    EXPECT_EQ(f.mapper->translate(kKernelBase)->flags, kData);
    EXPECT_EQ(f.mapper->translate(kKernelBase + 0x1000)->flags, text);
    EXPECT_EQ(f.mapper->translate(kKernelBase + 0x2fff)->flags, text);
    EXPECT_EQ(f.mapper->translate(kKernelBase + 0x3000)->flags, kData);
    EXPECT_EQ(f.mapper->translate(kKernelBase + 0x2000)->physical, 0x202000u);
    EXPECT_EQ(f.mapper->translate(kKernelBase + 2 * kMiB)->size, PageSize::k2MiB);
    PageFlags wc{.writable = true, .cache = CacheType::kWriteCombining};
    ASSERT_TRUE(f.mapper->protect_range(kKernelBase + 2 * kMiB, 2 * kMiB, wc));
    EXPECT_EQ(f.mapper->translate(kKernelBase + 3 * kMiB)->flags, wc);
    EXPECT_EQ(f.mapper->translate(kKernelBase + 3 * kMiB)->size, PageSize::k2MiB);
    // Holes in the range are skipped.
    ASSERT_TRUE(f.mapper->protect_range(kKernelBase - 8 * kMiB, 16 * kMiB, kData));
    EXPECT_FALSE(f.mapper->translate(kKernelBase - 0x1000).has_value());
}

TEST(PageMapper, ManyChangesEndInOneFullFlush) {
    Fixture f;
    ASSERT_TRUE(f.mapper->map_range(0x10000000, 0x10000000, 100 * kPageSize, kData, PageSize::k4KiB));
    EXPECT_TRUE(TlbLog::pages.empty());  // new mappings need no invalidation
    ASSERT_TRUE(f.mapper->unmap_range(0x10000000, 8 * kPageSize));
    EXPECT_EQ(TlbLog::pages.size(), 8u);
    EXPECT_EQ(TlbLog::full_flushes, 0);
    TlbLog::reset();
    ASSERT_TRUE(f.mapper->unmap_range(0x10000000, 100 * kPageSize));
    EXPECT_EQ(TlbLog::full_flushes, 1);
    EXPECT_LE(TlbLog::pages.size(), mm::PageMapper::kFullFlushThreshold + 3);
}

TEST(PageMapper, OutOfMemoryLeavesMappingsIntact) {
    Fixture f(1 * kMiB);  // ~250 frames for tables
    uint64_t free_before = f.frames.free_frames();
    // 4 KiB pages 2 MiB apart: one page table each, until memory runs out.
    uint64_t mapped = 0;
    for (;; ++mapped) {
        if (!f.mapper->map(0x40000000 + mapped * 2 * kMiB, 0, PageSize::k4KiB, kData)) break;
    }
    EXPECT_GT(mapped, 100u);
    for (uint64_t i = 0; i < mapped; ++i) ASSERT_TRUE(f.mapper->translate(0x40000000 + i * 2 * kMiB).has_value());
    // A range needing new tables fails and is rolled back.
    EXPECT_FALSE(f.mapper->map_range(0x7f0000000000ULL, 0, 8 * kPageSize, kData));
    EXPECT_FALSE(f.mapper->translate(0x7f0000000000ULL).has_value());
    for (uint64_t i = 0; i < mapped; ++i) ASSERT_TRUE(f.mapper->unmap(0x40000000 + i * 2 * kMiB));
    EXPECT_EQ(f.frames.free_frames(), free_before);
}

// Random operations on a 64 MiB window at `kBase`, checked page by page
// against a model.
void random_operations_against_a_model(Fixture& f, uint64_t kBase) {
    constexpr uint64_t kWindow = 64 * kMiB, kPages = kWindow / kPageSize;
    struct Page {
        uint64_t physical;
        PageFlags flags;
    };
    std::map<uint64_t, Page> model;  // page index -> mapping
    std::mt19937_64 random(99);
    const PageFlags choices[] = {kData,
                                 {.executable = true},
                                 {.writable = true, .cache = CacheType::kWriteCombining},
                                 {.user = true, .cache = CacheType::kUncached}};
    for (int step = 0; step < 3000; ++step) {
        uint64_t length_pages = 1 + random() % (random() % 4 == 0 ? 2048 : 16);
        uint64_t first = random() % (kPages - length_pages);
        if (random() % 3 == 0) first &= ~511ULL;  // favour 2 MiB alignment
        uint64_t virt = kBase + first * kPageSize, length = length_pages * kPageSize;
        PageFlags flags = choices[random() % 4];
        int action = int(random() % 3);
        if (action == 0) {
            uint64_t physical = (random() % 1024) * 2 * kMiB + (first % 512) * kPageSize;
            bool any_mapped = false;
            for (uint64_t i = 0; i < length_pages && !any_mapped; ++i) any_mapped = model.count(first + i);
            auto result = f.mapper->map_range(virt, physical, length, flags);
            ASSERT_EQ(result.has_value(), !any_mapped) << step;
            if (result)
                for (uint64_t i = 0; i < length_pages; ++i) model[first + i] = {physical + i * kPageSize, flags};
        } else if (action == 1) {
            ASSERT_TRUE(f.mapper->unmap_range(virt, length));
            for (uint64_t i = 0; i < length_pages; ++i) model.erase(first + i);
        } else {
            ASSERT_TRUE(f.mapper->protect_range(virt, length, flags));
            for (uint64_t i = 0; i < length_pages; ++i)
                if (auto it = model.find(first + i); it != model.end()) it->second.flags = flags;
        }
        for (int probe = 0; probe < 32; ++probe) {
            uint64_t page = probe < 16 ? first + random() % length_pages : random() % kPages;
            auto mapping = f.mapper->translate(kBase + page * kPageSize + 8);
            auto it = model.find(page);
            ASSERT_EQ(mapping.has_value(), it != model.end()) << step << " page " << page;
            if (mapping) {
                ASSERT_EQ(mapping->physical, it->second.physical + 8) << step;
                ASSERT_EQ(mapping->flags, it->second.flags) << step;
            }
        }
    }
    ASSERT_TRUE(f.mapper->unmap_range(kBase, kWindow));
    for (uint64_t page = 0; page < kPages; page += 97) ASSERT_FALSE(f.mapper->translate(kBase + page * kPageSize));
}

TEST(PageMapper, RandomizedAgainstModelInTheUserHalf) {
    Fixture f(256 * kMiB);
    random_operations_against_a_model(f, 0x00007f0000000000ULL);
    EXPECT_TRUE(f.only_root_left());
}

TEST(PageMapper, RandomizedAgainstModelInTheKernelHalf) {
    Fixture f(256 * kMiB);
    ASSERT_TRUE(f.mapper->populate_kernel_half());
    random_operations_against_a_model(f, 0xffffc00000000000ULL);
}

// --- The kernel half ----------------------------------------------------------

uint64_t entry_at(Fixture& f, uint64_t table, unsigned index) {
    return f.memory->window().at<uint64_t>(table)[index];
}

// The tables a walk of `virt` passes through, PML4 entry first (raw values).
std::vector<uint64_t> intermediate_entries(Fixture& f, uint64_t virt) {
    std::vector<uint64_t> entries;
    uint64_t table = f.mapper->root();
    for (unsigned level = 3; level > 0; --level) {
        uint64_t entry = entry_at(f, table, mm::table_index(virt, level));
        if (!(entry & mm::pte::kPresent) || mm::PageTableEntry(entry).is_leaf(level)) break;
        entries.push_back(entry);
        table = entry & mm::pte::kAddressMask;
    }
    return entries;
}

TEST(KernelHalf, PopulateGivesEachKernelEntryATableOnce) {
    Fixture f;
    ASSERT_TRUE(f.mapper->populate_kernel_half());
    EXPECT_EQ(f.initial_free - f.frames.free_frames(), 1u + 256u);  // the root and 256 PDPTs
    for (unsigned i = 0; i < 512; ++i) {
        uint64_t entry = entry_at(f, f.mapper->root(), i);
        EXPECT_EQ(bool(entry & mm::pte::kPresent), i >= 256) << i;
        if (i >= 256) EXPECT_EQ(entry & mm::pte::kUser, 0u) << i;
    }
    // A second call has nothing to do.
    uint64_t free_before = f.frames.free_frames();
    ASSERT_TRUE(f.mapper->populate_kernel_half());
    EXPECT_EQ(f.frames.free_frames(), free_before);
}

TEST(KernelHalf, TopLevelEntriesAndTablesStayWhenTheLastPageGoes) {
    Fixture f;
    ASSERT_TRUE(f.mapper->populate_kernel_half());
    std::vector<uint64_t> before(256);
    for (unsigned i = 0; i < 256; ++i)
        before[i] = entry_at(f, f.mapper->root(), 256 + i) & ~mm::PageTableEntry::kCountMask;
    ASSERT_TRUE(f.mapper->map(kKernelBase, 0x200000, PageSize::k4KiB, kData));
    uint64_t free_mapped = f.frames.free_frames();
    ASSERT_TRUE(f.mapper->unmap(kKernelBase));
    EXPECT_FALSE(f.mapper->translate(kKernelBase).has_value());
    // The page directory and page table stay (another address space's PML4
    // may reach them), and so does every top-level entry.
    EXPECT_EQ(f.frames.free_frames(), free_mapped);
    for (unsigned i = 0; i < 256; ++i)
        EXPECT_EQ(entry_at(f, f.mapper->root(), 256 + i) & ~mm::PageTableEntry::kCountMask, before[i]) << i;
    // Mapping there again reuses them.
    ASSERT_TRUE(f.mapper->map(kKernelBase, 0x400000, PageSize::k4KiB, kData));
    EXPECT_EQ(f.frames.free_frames(), free_mapped);
    ASSERT_TRUE(f.mapper->unmap(kKernelBase));
    // A larger page takes the place of the empty page table, which goes.
    ASSERT_TRUE(f.mapper->map(kKernelBase, 0x400000, PageSize::k2MiB, kData));
    EXPECT_EQ(f.frames.free_frames(), free_mapped + 1);
    EXPECT_EQ(f.mapper->translate(kKernelBase + 0x1234)->physical, 0x401234u);
    EXPECT_EQ(f.mapper->translate(kKernelBase)->size, PageSize::k2MiB);
    // Not where the table still holds a page.
    ASSERT_TRUE(f.mapper->map(kKernelBase + 4 * kMiB, 0x800000, PageSize::k4KiB, kData));
    EXPECT_EQ(f.mapper->map(kKernelBase + 4 * kMiB, 0x800000, PageSize::k2MiB, kData).error().code,
              lib::ErrorCode::kEEXIST);
}

TEST(KernelHalf, OnlyUserHalfTablesCarryTheUserBit) {
    Fixture f;
    ASSERT_TRUE(f.mapper->populate_kernel_half());
    PageFlags user{.writable = true, .user = true};
    // Even a kernel-half leaf marked user stays out of user mode's reach.
    ASSERT_TRUE(f.mapper->map(kKernelBase, 0x200000, PageSize::k4KiB, user));
    ASSERT_TRUE(f.mapper->map(0x400000, 0x300000, PageSize::k4KiB, user));
    std::vector<uint64_t> kernel = intermediate_entries(f, kKernelBase), lower = intermediate_entries(f, 0x400000);
    ASSERT_EQ(kernel.size(), 3u);
    ASSERT_EQ(lower.size(), 3u);
    for (uint64_t entry : kernel) EXPECT_EQ(entry & mm::pte::kUser, 0u);
    for (uint64_t entry : lower) EXPECT_NE(entry & mm::pte::kUser, 0u);
    // Splitting a kernel-half large page makes a table without it too.
    ASSERT_TRUE(f.mapper->map(kKernelBase + 2 * kMiB, 0x400000, PageSize::k2MiB, kData));
    ASSERT_TRUE(f.mapper->unmap(kKernelBase + 3 * kMiB));
    for (uint64_t entry : intermediate_entries(f, kKernelBase + 2 * kMiB)) EXPECT_EQ(entry & mm::pte::kUser, 0u);
}

TEST(KernelHalf, PopulateOutOfMemoryLeavesTheRootAsItWas) {
    Fixture f(1 * kMiB);  // about 250 frames: fewer than 256 PDPTs
    uint64_t free_before = f.frames.free_frames();
    EXPECT_EQ(f.mapper->populate_kernel_half().error().code, lib::ErrorCode::kENOMEM);
    EXPECT_EQ(f.frames.free_frames(), free_before);
    for (unsigned i = 0; i < 512; ++i) EXPECT_EQ(entry_at(f, f.mapper->root(), i), 0u) << i;
}

}  // namespace
