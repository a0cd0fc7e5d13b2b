// The layout of a new address space against Linux's known addresses with
// randomisation off (what `setarch -R` shows) and the ranges with it on.
#include "kernel/vm/layout.hpp"

#include <gtest/gtest.h>

#include <random>

#include "kernel/abi/linux_mm.hpp"

namespace {

struct Seeded final : vm::RandomSource {
    std::mt19937_64 engine{42};
    uint64_t next() override { return engine(); }
};

TEST(Layout, WithoutRandomisationTheAddressesAreLinuxs) {
    vm::LayoutChoice choice;
    choice.randomize = false;
    EXPECT_EQ(vm::choose_stack_top(choice), 0x7ffffffff000u);
    vm::MmapBases bases = vm::choose_mmap_bases(choice);
    EXPECT_EQ(bases.mmap_base, 0x7ffff7fff000u);  // 128 MiB below the stack top
    EXPECT_EQ(bases.legacy_base, 0x2aaaaaaab000u);
    EXPECT_EQ(bases.map32_base, 0x40000000u);
    EXPECT_EQ(vm::choose_dyn_base(choice) & ~0xfffULL, 0x555555554000u);
    EXPECT_EQ(vm::choose_heap_start(choice, 0x4c9000), 0x4c9000u);
    EXPECT_EQ(vm::choose_stack_shuffle(choice), 0u);
    // A large stack limit moves the mmap base down (the gap follows the limit).
    choice.stack_limit = 1ULL << 30;
    EXPECT_EQ(vm::choose_mmap_bases(choice).mmap_base, 0x7ffffffff000u - (1ULL << 30) - uapi::kStackGuardGap);
    choice.stack_limit = ~0ULL;  // unlimited: capped at 5/6 of user space
    EXPECT_EQ(vm::choose_mmap_bases(choice).mmap_base, (0x7ffffffff000u - 0x7ffffffff000u / 6 * 5 + 0xfff) & ~0xfffULL);
}

TEST(Layout, WithRandomisationEveryPartMovesWithinLinuxsRanges) {
    Seeded random;
    vm::LayoutChoice choice;
    choice.random = &random;
    uint64_t lowest_stack = ~0ULL, highest_stack = 0;
    for (int i = 0; i < 2000; ++i) {
        uint64_t top = vm::choose_stack_top(choice);
        EXPECT_EQ(top % 4096, 0u);
        EXPECT_LE(top, 0x7ffffffff000u);
        EXPECT_GE(top, 0x7ffffffff000u - (16ULL << 30) - 4096);
        lowest_stack = std::min(lowest_stack, top);
        highest_stack = std::max(highest_stack, top);
        vm::MmapBases bases = vm::choose_mmap_bases(choice);
        EXPECT_LE(bases.mmap_base, 0x7ffffffff000u - (16ULL << 30) - (128ULL << 20) + (1 << 20) + 4096);
        EXPECT_GE(bases.mmap_base, 0x7ffffffff000u - (16ULL << 30) - (8ULL << 20) - (1 << 20) - (1ULL << 40) - 4096);
        EXPECT_GE(bases.map32_base, 0x40000000u);
        EXPECT_LT(bases.map32_base, 0x42000000u);
        uint64_t dyn = vm::choose_dyn_base(choice);
        EXPECT_GE(dyn, 0x555555554aaau);
        EXPECT_LT(dyn, 0x555555554aaau + (1ULL << 40));
        uint64_t heap = vm::choose_heap_start(choice, 0x4c9000);
        EXPECT_GE(heap, 0x4c9000u);
        EXPECT_LT(heap, 0x4c9000u + (32 << 20));
        EXPECT_LT(vm::choose_stack_shuffle(choice), 8192u);
    }
    EXPECT_GT(highest_stack - lowest_stack, 1ULL << 33);  // it really spreads over gigabytes
}

}  // namespace
