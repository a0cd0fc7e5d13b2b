// Host tests of the TLB batch (tlb_batch.hpp): pages merge into ranges, a
// page already covered counts once, and too many pages or ranges turn into
// one full flush.
#include "kernel/mm/tlb_batch.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kBase = 0xffffff0000000000ULL;

std::vector<uint64_t> pages_of(const mm::TlbBatch& batch, int* full_flushes) {
    std::vector<uint64_t> pages;
    batch.apply([&](uint64_t virt) { pages.push_back(virt); }, [&] { ++*full_flushes; });
    return pages;
}

TEST(TlbBatch, StartsEmpty) {
    mm::TlbBatch batch;
    EXPECT_TRUE(batch.empty());
    EXPECT_FALSE(batch.full());
    int full = 0;
    EXPECT_TRUE(pages_of(batch, &full).empty());
    EXPECT_EQ(full, 0);
}

TEST(TlbBatch, AdjacentPagesMergeIntoOneRange) {
    mm::TlbBatch batch;
    batch.add(kBase + 2 * kPage);
    batch.add(kBase + 3 * kPage + 123);  // any address inside the page
    batch.add(kBase + kPage);            // just before
    batch.add(kBase + 4 * kPage, 2);
    ASSERT_EQ(batch.range_count(), 1u);
    EXPECT_EQ(batch.range(0).start, kBase + kPage);
    EXPECT_EQ(batch.range(0).pages, 5u);
    EXPECT_EQ(batch.pages(), 5u);
    int full = 0;
    EXPECT_EQ(pages_of(batch, &full),
              (std::vector<uint64_t>{kBase + kPage, kBase + 2 * kPage, kBase + 3 * kPage, kBase + 4 * kPage,
                                     kBase + 5 * kPage}));
    EXPECT_EQ(full, 0);
}

TEST(TlbBatch, APageAlreadyCoveredCountsOnce) {
    mm::TlbBatch batch;
    batch.add(kBase, 4);
    batch.add(kBase + 2 * kPage);
    EXPECT_EQ(batch.pages(), 4u);
    EXPECT_EQ(batch.range_count(), 1u);
}

TEST(TlbBatch, SeparateRangesUpToTheLimit) {
    mm::TlbBatch batch;
    for (size_t i = 0; i < mm::TlbBatch::kMaxRanges; ++i) batch.add(kBase + i * 100 * kPage);
    EXPECT_FALSE(batch.full());
    EXPECT_EQ(batch.range_count(), mm::TlbBatch::kMaxRanges);
    int full = 0;
    std::vector<uint64_t> pages = pages_of(batch, &full);
    EXPECT_EQ(std::set<uint64_t>(pages.begin(), pages.end()).size(), mm::TlbBatch::kMaxRanges);
    batch.add(kBase + 7777 * kPage);  // one range too many
    EXPECT_TRUE(batch.full());
    EXPECT_TRUE(pages_of(batch, &full).empty());
    EXPECT_EQ(full, 1);
}

TEST(TlbBatch, ManyPagesBecomeAFullFlush) {
    mm::TlbBatch batch;
    batch.add(kBase, mm::TlbBatch::kFullFlushPages - 1);
    EXPECT_FALSE(batch.full());
    batch.add(kBase + 1000 * kPage, 2);
    EXPECT_TRUE(batch.full());
    mm::TlbBatch large;
    large.add(kBase, mm::TlbBatch::kFullFlushPages);
    EXPECT_TRUE(large.full());
    large.add(kBase);  // stays full
    EXPECT_TRUE(large.full());
    EXPECT_FALSE(large.empty());
}

}  // namespace
