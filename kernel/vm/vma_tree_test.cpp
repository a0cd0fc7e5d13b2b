// The region tree against a plain ordered model (std::map): random inserts,
// erases and in-place resizes, each followed by the tree's own consistency
// check, lookups and gap searches compared with a brute-force answer.
#include "kernel/vm/vma_tree.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <vector>

namespace {

using vm::Vma;
using vm::VmaTree;

constexpr uint64_t kPage = 4096;

Vma* make(std::vector<std::unique_ptr<Vma>>& pool, uint64_t start, uint64_t end, uint32_t flags = 0) {
    pool.push_back(std::make_unique<Vma>());
    Vma* vma = pool.back().get();
    vma->start = start;
    vma->end = end;
    vma->flags = flags;
    return vma;
}

// Gaps as Linux defines them: between consecutive regions, the upper end
// pulled down by a stack's guard gap.
struct Gap {
    uint64_t low, high;
};
std::vector<Gap> model_gaps(const std::map<uint64_t, Vma*>& model) {
    std::vector<Gap> gaps;
    uint64_t below = 0;
    for (auto& [start, vma] : model) {
        if (vma->start_gap() > below) gaps.push_back({below, vma->start_gap()});
        below = vma->end;
    }
    gaps.push_back({below, ~0ULL});
    return gaps;
}

bool model_top_down(const std::map<uint64_t, Vma*>& model, uint64_t length, uint64_t low, uint64_t high, uint64_t& at) {
    auto gaps = model_gaps(model);
    for (auto it = gaps.rbegin(); it != gaps.rend(); ++it) {
        uint64_t lo = std::max(it->low, low), hi = std::min(it->high, high);
        if (hi > lo && hi - lo >= length) {
            at = hi - length;
            return true;
        }
    }
    return false;
}

bool model_bottom_up(const std::map<uint64_t, Vma*>& model, uint64_t length, uint64_t low, uint64_t high,
                     uint64_t& at) {
    for (const Gap& gap : model_gaps(model)) {
        uint64_t lo = std::max(gap.low, low), hi = std::min(gap.high, high);
        if (hi > lo && hi - lo >= length) {
            at = lo;
            return true;
        }
    }
    return false;
}

TEST(VmaTree, EmptyTreeHasOneGapEverywhere) {
    VmaTree tree;
    uint64_t at = 0;
    EXPECT_TRUE(tree.find_gap_top_down(kPage, kPage, 1 << 30, at));
    EXPECT_EQ(at, (1u << 30) - kPage);
    EXPECT_TRUE(tree.find_gap_bottom_up(kPage, kPage, 1 << 30, at));
    EXPECT_EQ(at, kPage);
    EXPECT_FALSE(tree.find_gap_top_down(2 * kPage, kPage, 2 * kPage, at));
    EXPECT_EQ(tree.find(1234), nullptr);
    EXPECT_EQ(tree.find_next(0), nullptr);
    EXPECT_TRUE(tree.check());
}

TEST(VmaTree, LookupsFollowLinuxFindVma) {
    std::vector<std::unique_ptr<Vma>> pool;
    VmaTree tree;
    Vma* a = make(pool, 0x10000, 0x20000);
    Vma* b = make(pool, 0x30000, 0x31000);
    tree.insert(b);
    tree.insert(a);
    EXPECT_EQ(tree.find(0x10000), a);
    EXPECT_EQ(tree.find(0x1ffff), a);
    EXPECT_EQ(tree.find(0x20000), nullptr);
    EXPECT_EQ(tree.find_next(0x20000), b);
    EXPECT_EQ(tree.find_next(0x0), a);
    EXPECT_EQ(tree.find_next(0x31000), nullptr);
    EXPECT_EQ(tree.find_intersection(0x20000, 0x30000), nullptr);
    EXPECT_EQ(tree.find_intersection(0x20000, 0x30001), b);
    EXPECT_EQ(tree.first(), a);
    EXPECT_EQ(tree.last(), b);
    EXPECT_EQ(a->next, b);
    EXPECT_EQ(b->prev, a);
}

TEST(VmaTree, StackGuardGapIsNeverHandedOut) {
    std::vector<std::unique_ptr<Vma>> pool;
    VmaTree tree;
    uint64_t stack_start = 0x7fff00000000;
    tree.insert(make(pool, stack_start, stack_start + 0x21000, vm::kVmaGrowsDown));
    uint64_t at = 0;
    ASSERT_TRUE(tree.find_gap_top_down(kPage, kPage, stack_start + 0x21000, at));
    EXPECT_EQ(at, stack_start - uapi::kStackGuardGap - kPage);
    ASSERT_TRUE(tree.find_gap_bottom_up(kPage, stack_start - uapi::kStackGuardGap - 10 * kPage, ~0ULL, at));
    EXPECT_EQ(at, stack_start - uapi::kStackGuardGap - 10 * kPage);
    // A request that would end inside the guard gap goes above the stack.
    ASSERT_TRUE(tree.find_gap_bottom_up(11 * kPage, stack_start - uapi::kStackGuardGap - 10 * kPage, ~0ULL, at));
    EXPECT_EQ(at, stack_start + 0x21000);
}

// Thousands of random operations, checked against the model after each.
TEST(VmaTree, RandomOperationsAgreeWithAnOrderedModel) {
    std::mt19937_64 random(12345);
    std::vector<std::unique_ptr<Vma>> pool;
    std::map<uint64_t, Vma*> model;
    VmaTree tree;
    constexpr uint64_t kSpacePages = 4096;
    auto free_range = [&](uint64_t start, uint64_t end) {
        auto it = model.lower_bound(start);
        if (it != model.begin() && std::prev(it)->second->end > start) return false;
        return it == model.end() || it->second->start >= end;
    };
    for (int step = 0; step < 20000; ++step) {
        int action = int(random() % 10);
        if (action < 5 || model.empty()) {
            uint64_t start = (random() % kSpacePages) * kPage;
            uint64_t end = start + (1 + random() % 16) * kPage;
            if (!free_range(start, end)) continue;
            Vma* vma = make(pool, start, end, random() % 8 == 0 ? vm::kVmaGrowsDown : 0);
            tree.insert(vma);
            model[start] = vma;
        } else if (action < 8) {
            auto it = model.begin();
            std::advance(it, random() % model.size());
            tree.erase(it->second);
            model.erase(it);
        } else {
            // Shrink or grow a region in place, as brk and stack growth do.
            auto it = model.begin();
            std::advance(it, random() % model.size());
            Vma* vma = it->second;
            uint64_t new_end = vma->end + (random() % 2 ? kPage : 0);
            if (vma->end - vma->start > kPage && random() % 2) new_end = vma->end - kPage;
            if (new_end > vma->end && !free_range(vma->end, new_end)) continue;
            vma->end = new_end;
            tree.update(vma);
        }
        ASSERT_TRUE(tree.check()) << "after step " << step;
        ASSERT_EQ(tree.count(), model.size());

        uint64_t probe = (random() % (kSpacePages + 32)) * kPage + random() % kPage;
        auto it = model.upper_bound(probe);
        Vma* containing = nullptr;
        if (it != model.begin() && std::prev(it)->second->contains(probe)) containing = std::prev(it)->second;
        ASSERT_EQ(tree.find(probe), containing);
        Vma* next = containing;
        if (!next) next = it == model.end() ? nullptr : it->second;
        ASSERT_EQ(tree.find_next(probe), next);

        uint64_t length = (1 + random() % 24) * kPage;
        uint64_t low = (random() % kSpacePages) * kPage;
        uint64_t high = low + (random() % kSpacePages) * kPage;
        uint64_t expected = 0, got = 0;
        bool expected_found = model_top_down(model, length, low, high, expected);
        ASSERT_EQ(tree.find_gap_top_down(length, low, high, got), expected_found);
        if (expected_found) ASSERT_EQ(got, expected);
        expected_found = model_bottom_up(model, length, low, high, expected);
        ASSERT_EQ(tree.find_gap_bottom_up(length, low, high, got), expected_found);
        if (expected_found) ASSERT_EQ(got, expected);
    }
}

// 65530 regions (vm.max_map_count): the height stays logarithmic.
TEST(VmaTree, HeightStaysLogarithmicAtTheMapCountLimit) {
    std::vector<std::unique_ptr<Vma>> pool;
    VmaTree tree;
    for (uint64_t i = 0; i < uapi::kMaxMapCount; ++i) tree.insert(make(pool, (2 * i + 1) * kPage, (2 * i + 2) * kPage));
    ASSERT_TRUE(tree.check());
    EXPECT_LE(tree.first()->height, 1);
    int height = 0;
    for (const Vma* node = tree.find(kPage); node; node = node->parent) ++height;
    EXPECT_LE(height, 24);  // 1.45 * log2(65532)
    uint64_t at = 0;
    EXPECT_FALSE(tree.find_gap_top_down(2 * kPage, kPage, (2 * uapi::kMaxMapCount) * kPage, at));
    EXPECT_TRUE(tree.find_gap_top_down(kPage, kPage, (2 * uapi::kMaxMapCount) * kPage, at));
    EXPECT_EQ(at, (2 * uapi::kMaxMapCount - 2) * kPage);
}

}  // namespace
