// Host tests of the paging facts and the one page-table walk, on a tree of
// tables in fake physical memory.
#include "lib/x86_64/page_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "lib/x86_64/cpuid.hpp"

namespace x86_64::paging {
namespace {

// Physical memory holding page tables only: a table per 4 KiB frame number.
struct FakeTables {
    std::map<uint64_t, std::vector<uint64_t>> tables;
    uint64_t next = 0x10000;

    uint64_t make() {
        uint64_t physical = next;
        next += kPageSize;
        tables[physical] = std::vector<uint64_t>(kEntriesPerTable, 0);
        return physical;
    }
    uint64_t* at(uint64_t physical) { return tables.at(physical).data(); }
    auto accessor() {
        return [this](uint64_t physical) { return at(physical); };
    }
};

TEST(Levels, CoverageAndIndexes) {
    EXPECT_EQ(level_coverage(0), kPageSize);
    EXPECT_EQ(level_coverage(1), k2MiB);
    EXPECT_EQ(level_coverage(2), k1GiB);
    EXPECT_EQ(level_coverage(3), 1ULL << 39);
    uint64_t kernel = 0xffff'ffff'8020'3000ULL;
    EXPECT_EQ(table_index(kernel, 3), 511u);
    EXPECT_EQ(table_index(kernel, 2), 510u);
    EXPECT_EQ(table_index(kernel, 1), 1u);
    EXPECT_EQ(table_index(kernel, 0), 3u);
}

TEST(Canonical, FourAndFiveLevels) {
    EXPECT_TRUE(is_canonical(0x0000'7fff'ffff'f000ULL));
    EXPECT_FALSE(is_canonical(0x0000'8000'0000'0000ULL));
    EXPECT_TRUE(is_canonical(0xffff'8000'0000'0000ULL));
    EXPECT_TRUE(is_canonical(0x0000'8000'0000'0000ULL, 5));
    EXPECT_FALSE(is_canonical(0x0100'0000'0000'0000ULL, 5));
}

TEST(Cache, PatLayoutGivesEachCacheTypeItsMemoryType) {
    EXPECT_EQ(pat_entry(kPatLayout, unsigned(CacheType::kWriteBack)), MemoryType::kWriteBack);
    EXPECT_EQ(pat_entry(kPatLayout, unsigned(CacheType::kWriteThrough)), MemoryType::kWriteThrough);
    EXPECT_EQ(pat_entry(kPatLayout, unsigned(CacheType::kUncachedMinus)), MemoryType::kUncachedMinus);
    EXPECT_EQ(pat_entry(kPatLayout, unsigned(CacheType::kUncached)), MemoryType::kUncacheable);
    EXPECT_EQ(pat_entry(kPatLayout, unsigned(CacheType::kWriteProtected)), MemoryType::kWriteProtected);
    EXPECT_EQ(pat_entry(kPatLayout, unsigned(CacheType::kWriteCombining)), MemoryType::kWriteCombining);
}

TEST(Cache, BitsRoundTripForSmallAndLargeLeaves) {
    // WC = PAT index 5: PAT bit and PWT; the PAT bit moves with the page size.
    EXPECT_EQ(cache_bits(CacheType::kWriteCombining, false), pte::kPat4KiB | pte::kWriteThrough);
    EXPECT_EQ(cache_bits(CacheType::kWriteCombining, true), pte::kPatLarge | pte::kWriteThrough);
    EXPECT_EQ(cache_bits(CacheType::kUncached, false), pte::kCacheDisable | pte::kWriteThrough);
    for (unsigned i = 0; i < 6; ++i) {
        EXPECT_EQ(cache_type_of(cache_bits(CacheType(i), false), false), CacheType(i));
        EXPECT_EQ(cache_type_of(cache_bits(CacheType(i), true) | pte::kLargePage, true), CacheType(i));
    }
}

TEST(Walk, FindsSmallAndLargeLeavesAndCombinesRights) {
    FakeTables memory;
    uint64_t pml4 = memory.make(), pdpt = memory.make(), pd = memory.make(), pt = memory.make();
    uint64_t virt = 0xffff'8000'0020'3000ULL;  // PML4 256, PDPT 0, PD 1, PT 3
    memory.at(pml4)[256] = pdpt | pte::kPresent | pte::kWritable;
    memory.at(pdpt)[0] = pd | pte::kPresent | pte::kWritable | pte::kUser;
    memory.at(pd)[1] = pt | pte::kPresent;  // read-only at this level
    memory.at(pt)[3] = 0x1234'5000 | pte::kPresent | pte::kWritable | pte::kGlobal;
    Walk small = walk(pml4, virt + 0x45, 4, memory.accessor());
    ASSERT_TRUE(small.present);
    EXPECT_EQ(small.level, 0u);
    EXPECT_EQ(small.physical, 0x1234'5045u);
    EXPECT_EQ(small.page_size, kPageSize);
    EXPECT_FALSE(small.writable);  // the PD entry forbids writes
    EXPECT_FALSE(small.user);      // the PML4 entry is supervisor
    EXPECT_TRUE(small.executable);
    EXPECT_EQ(small.entry_pointer, &memory.at(pt)[3]);

    // A 2 MiB leaf with NX and the PAT bit at 12, which is not an address bit.
    memory.at(pd)[2] = 0x4000'0000 | pte::kPresent | pte::kLargePage | pte::kNoExecute | pte::kPatLarge;
    Walk large = walk(pml4, 0xffff'8000'0040'1234ULL, 4, memory.accessor());
    ASSERT_TRUE(large.present);
    EXPECT_EQ(large.level, 1u);
    EXPECT_EQ(large.page_size, k2MiB);
    EXPECT_EQ(large.physical, 0x4000'1234u);
    EXPECT_FALSE(large.executable);
}

TEST(Walk, ReportsTheLevelThatIsMissing) {
    FakeTables memory;
    uint64_t pml4 = memory.make(), pdpt = memory.make();
    memory.at(pml4)[1] = pdpt | pte::kPresent;
    Walk at_root = walk(pml4, 0, 4, memory.accessor());
    EXPECT_FALSE(at_root.present);
    EXPECT_EQ(at_root.missing_level, 3);
    Walk at_pdpt = walk(pml4, 1ULL << 39, 4, memory.accessor());
    EXPECT_FALSE(at_pdpt.present);
    EXPECT_EQ(at_pdpt.missing_level, 2);
    EXPECT_EQ(at_pdpt.entry_pointer, &memory.at(pdpt)[0]);  // where it stopped
}

TEST(Cpuid, FeatureBitsAndLeafRanges) {
    CpuidResult leaf1{0, 0, 1u << 21, 1u << 9};
    EXPECT_TRUE(feature_bit(leaf1, feature::kX2apic));
    EXPECT_TRUE(feature_bit(leaf1, feature::kApic));
    EXPECT_FALSE(feature_bit(leaf1, feature::kTscDeadline));
    EXPECT_TRUE(leaf_exists(0x7, 0xd, 0));
    EXPECT_FALSE(leaf_exists(0xb, 0x7, 0x8000'0008));
    EXPECT_TRUE(leaf_exists(0x8000'0001, 0x7, 0x8000'0008));
    EXPECT_FALSE(leaf_exists(0x8000'0007, 0x7, 0x8000'0001));
    EXPECT_FALSE(leaf_exists(0x8000'0001, 0x7, 0));  // no extended leaves at all
}

TEST(Cpuid, InitialXapicIdIsTheTopByteOfLeafOneEbx) {
    // EBX of leaf 01H: brand index 7:0, CLFLUSH size 15:8, logical count
    // 23:16, initial APIC ID 31:24 (SDM Vol. 2A, CPUID, Table 3-8).
    EXPECT_EQ(initial_xapic_id_of(CpuidResult{0, 0x0a02'0800, 0, 0}), 0x0au);
    EXPECT_EQ(initial_xapic_id_of(CpuidResult{0, 0xff00'0000, 0, 0}), 0xffu);
    EXPECT_EQ(initial_xapic_id_of(CpuidResult{0, 0x00ff'ffff, 0, 0}), 0u);
    CpuidResult leaf7{0, 1u << 18, 0, 0};
    EXPECT_TRUE(feature_bit(leaf7, feature::kRdseed));
    EXPECT_FALSE(feature_bit(leaf7, feature::kSmap));
}

}  // namespace
}  // namespace x86_64::paging
