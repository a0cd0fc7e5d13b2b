// Host tests of the kernel heap on simulated physical memory: every size and
// alignment, realloc/calloc, memory going back, exhaustion, a randomized run
// with content checks, and the debug-build panics (double free, overrun,
// foreign pointer, write after free).
#include "kernel/mm/heap.hpp"

#include "lib/cpu_limit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "kernel/mm/simulated_memory.hpp"

namespace {

constexpr uint64_t kMiB = 1ULL << 20;

struct Fixture {
    explicit Fixture(uint64_t bytes = 64 * kMiB) {
        map = {mm::testing::region(0x1000, bytes - 0x1000)};
        memory = std::make_unique<mm::testing::SimulatedMemory>(bytes);
        EXPECT_TRUE(frames.init(lib::Span<const boot::MemoryRegion>(map.data(), map.size()), memory->window()));
        initial_free = frames.free_frames();
        heap.init(frames);
    }
    std::vector<boot::MemoryRegion> map;
    std::unique_ptr<mm::testing::SimulatedMemory> memory;
    mm::FrameAllocator frames;
    mm::Heap heap;
    uint64_t initial_free = 0;
};

TEST(Heap, EverySizeIsAlignedUsableAndGoesBack) {
    Fixture f;
    std::vector<std::pair<uint8_t*, size_t>> blocks;
    for (size_t size = 1; size <= 9000; size += (size < 1100 ? 1 : 97)) {
        auto* p = static_cast<uint8_t*>(f.heap.allocate(size));
        ASSERT_NE(p, nullptr) << size;
        EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u) << size;
        EXPECT_GE(f.heap.usable_size(p), size);
        std::memset(p, int(size & 0xff), size);
        blocks.push_back({p, size});
    }
    for (auto [p, size] : blocks)
        for (size_t i = 0; i < size; ++i) ASSERT_EQ(p[i], uint8_t(size & 0xff)) << size;
    EXPECT_EQ(f.heap.stats().live_blocks, blocks.size());
    for (auto [p, size] : blocks) f.heap.free(p);
    auto stats = f.heap.stats();
    EXPECT_EQ(stats.live_blocks, 0u);
    EXPECT_EQ(stats.large_pages, 0u);
    EXPECT_LE(stats.slab_pages, 3 * mm::Heap::kClassCount);  // cached empty slabs, the CPU lists
    f.heap.trim();
    EXPECT_EQ(f.heap.stats().slab_pages, 0u);
    EXPECT_EQ(f.frames.free_frames(), f.initial_free);
}

TEST(Heap, AlignedAllocations) {
    Fixture f;
    for (size_t alignment : {1, 2, 8, 16, 32, 64, 128, 4096, 65536, 2 * 1024 * 1024}) {
        for (size_t size : {1, 24, 100, 5000}) {
            auto* p = f.heap.allocate(size, alignment);
            ASSERT_NE(p, nullptr);
            EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % alignment, 0u) << alignment << " " << size;
            std::memset(p, 0x5a, size);
            f.heap.free(p);
        }
    }
    EXPECT_EQ(f.heap.allocate(8, 3), nullptr);
    f.heap.trim();
    EXPECT_EQ(f.frames.free_frames(), f.initial_free);
}

TEST(Heap, ReallocateKeepsContents) {
    Fixture f;
    auto* p = static_cast<uint8_t*>(f.heap.reallocate(nullptr, 10));
    ASSERT_NE(p, nullptr);
    for (int i = 0; i < 10; ++i) p[i] = uint8_t(i);
    for (size_t size : {20, 500, 3000, 70000, 8, 9}) {
        p = static_cast<uint8_t*>(f.heap.reallocate(p, size));
        ASSERT_NE(p, nullptr);
        for (int i = 0; i < 8; ++i) ASSERT_EQ(p[i], uint8_t(i)) << size;
    }
    EXPECT_EQ(f.heap.reallocate(p, 0), nullptr);
    EXPECT_EQ(f.heap.stats().live_blocks, 0u);
}

TEST(Heap, ZeroedAllocationAndOverflow) {
    Fixture f;
    auto* first = static_cast<uint8_t*>(f.heap.allocate(256));
    std::memset(first, 0xff, 256);
    f.heap.free(first);
    auto* p = static_cast<uint8_t*>(f.heap.allocate_zeroed(16, 16));
    ASSERT_NE(p, nullptr);
    for (int i = 0; i < 256; ++i) ASSERT_EQ(p[i], 0);
    EXPECT_EQ(f.heap.allocate_zeroed(SIZE_MAX / 2, 3), nullptr);
    EXPECT_EQ(f.heap.allocate(SIZE_MAX - 10), nullptr);
    f.heap.free(p);
}

TEST(Heap, EmptySlabsGoBackToTheFrameAllocator) {
    Fixture f;
    std::vector<void*> blocks;
    for (int i = 0; i < 20000; ++i) blocks.push_back(f.heap.allocate(64));
    EXPECT_GT(f.heap.stats().slab_pages, 200u);
    for (void* p : blocks) f.heap.free(p);
    EXPECT_LE(f.heap.stats().slab_pages, 3u);  // one cached empty slab, the slabs of one CPU list
}

TEST(Heap, ExhaustionReturnsNullAndRecovers) {
    Fixture f(2 * kMiB);
    std::vector<void*> blocks;
    for (;;) {
        void* p = f.heap.allocate(blocks.size() % 3 == 0 ? 3000 : 100);
        if (!p) break;
        blocks.push_back(p);
    }
    EXPECT_GT(blocks.size(), 500u);
    EXPECT_EQ(f.heap.allocate(100000), nullptr);
    for (void* p : blocks) f.heap.free(p);
    f.heap.trim();
    EXPECT_EQ(f.frames.free_frames(), f.initial_free);
    EXPECT_NE(f.heap.allocate(100000), nullptr);
}

TEST(Heap, RandomizedWithContentChecks) {
    Fixture f(128 * kMiB);
    std::mt19937_64 random(7);
    struct Block {
        uint8_t* pointer;
        size_t size;
        uint8_t fill;
    };
    std::vector<Block> live;
    auto check = [](const Block& b) {
        for (size_t i = 0; i < b.size; i += 1 + b.size / 64)
            if (b.pointer[i] != b.fill) return false;
        return b.size == 0 || b.pointer[b.size - 1] == b.fill;
    };
    for (int step = 0; step < 100000; ++step) {
        int action = int(random() % 10);
        if (action < 5 || live.empty()) {
            size_t size = random() % 8 == 0 ? 1 + random() % 20000 : 1 + random() % 600;
            size_t alignment = random() % 16 == 0 ? size_t(1) << (random() % 13) : 16;
            auto* p = static_cast<uint8_t*>(f.heap.allocate(size, alignment));
            ASSERT_NE(p, nullptr);
            ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % alignment, 0u);
            uint8_t fill = uint8_t(random());
            std::memset(p, fill, size);
            live.push_back({p, size, fill});
        } else if (action < 9) {
            size_t index = random() % live.size();
            ASSERT_TRUE(check(live[index])) << step;
            f.heap.free(live[index].pointer);
            live[index] = live.back();
            live.pop_back();
        } else {
            Block& b = live[random() % live.size()];
            ASSERT_TRUE(check(b));
            size_t size = 1 + random() % 3000;
            auto* p = static_cast<uint8_t*>(f.heap.reallocate(b.pointer, size));
            ASSERT_NE(p, nullptr);
            for (size_t i = 0; i < std::min(size, b.size); ++i) ASSERT_EQ(p[i], b.fill);
            std::memset(p, b.fill, size);
            b.pointer = p;
            b.size = size;
        }
    }
    EXPECT_EQ(f.heap.stats().live_blocks, live.size());
    for (auto& b : live) {
        ASSERT_TRUE(check(b));
        f.heap.free(b.pointer);
    }
    f.heap.trim();
    EXPECT_EQ(f.frames.free_frames(), f.initial_free);
}

using HeapDeathTest = ::testing::Test;

TEST(HeapDeathTest, DoubleFreePanics) {
    Fixture f;
    void* small = f.heap.allocate(40);
    void* keep = f.heap.allocate(40);  // keeps the slab alive
    f.heap.free(small);
    EXPECT_DEATH(f.heap.free(small), "double free");
    void* large = f.heap.allocate(10000);
    f.heap.allocate(10000);  // the freed run's header page is not reused at once
    f.heap.free(large);
    EXPECT_DEATH(f.heap.free(large), "double free");
    f.heap.free(keep);
}

TEST(HeapDeathTest, OverrunPanicsOnFree) {
    Fixture f;
    auto* small = static_cast<uint8_t*>(f.heap.allocate(40));
    small[40] = 1;
    EXPECT_DEATH(f.heap.free(small), "overrun");
    auto* large = static_cast<uint8_t*>(f.heap.allocate(6000));
    large[6001] = 1;
    EXPECT_DEATH(f.heap.free(large), "overrun");
}

TEST(HeapDeathTest, ForeignAndInteriorPointersPanic) {
    Fixture f;
    auto* p = static_cast<uint8_t*>(f.heap.allocate(100));
    EXPECT_DEATH(f.heap.free(p + 16), "not the start of a block");
    alignas(4096) static uint8_t outside[8192];
    EXPECT_DEATH(f.heap.free(outside + 100), "did not hand out");
}

TEST(HeapDeathTest, WriteAfterFreeIsCaught) {
    Fixture f;
    auto* p = static_cast<uint8_t*>(f.heap.allocate(100));
    void* keep = f.heap.allocate(100);
    f.heap.free(p);
    p[50] = 7;
    EXPECT_DEATH(f.heap.allocate(100), "written after it was freed");
    f.heap.free(keep);
}

}  // namespace

// Several threads (host stand-ins for CPUs, each with its own free lists)
// allocating and freeing at once, with blocks handed between threads.
TEST(Heap, ConcurrentThreadsShareTheHeap) {
    Fixture f(256 * kMiB);
    // Lists for every host thread index any test in this process may reach.
    void* early = f.heap.allocate(100);  // freed into (or from) a list that moves below
    f.heap.free(early);
    ASSERT_TRUE(f.heap.set_cpu_count(lib::kMaxCpus));
    EXPECT_EQ(f.heap.stats().live_blocks, 0u);
    constexpr int kThreads = 4, kRounds = 20000;
    std::vector<std::thread> threads;
    std::atomic<int> bad{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 random(t);
            std::vector<std::pair<uint8_t*, size_t>> mine;
            for (int i = 0; i < kRounds; ++i) {
                if (mine.size() < 200 && random() % 3 != 0) {
                    size_t size = random() % 16 == 0 ? 2000 + random() % 9000 : 1 + random() % 700;
                    auto* p = static_cast<uint8_t*>(f.heap.allocate(size));
                    if (!p) {
                        ++bad;
                        continue;
                    }
                    std::memset(p, t + 1, size);
                    mine.push_back({p, size});
                } else if (!mine.empty()) {
                    auto [p, size] = mine.back();
                    mine.pop_back();
                    if (p[0] != t + 1 || p[size - 1] != t + 1) ++bad;
                    f.heap.free(p);
                }
            }
            for (auto [p, size] : mine) f.heap.free(p);
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_EQ(f.heap.stats().live_blocks, 0u);
}
