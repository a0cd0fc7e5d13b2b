// Host tests of the buddy frame allocator over simulated physical memory:
// basic use, alignment, exhaustion, fragmentation, odd memory maps, a long
// randomized run against a reference model, and the debug-build panics.
#include "kernel/mm/frame_allocator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "kernel/mm/simulated_memory.hpp"

namespace {

using boot::MemoryType;
using mm::FrameAllocator;
using mm::kPageSize;
using mm::testing::region;
using mm::testing::SimulatedMemory;

constexpr uint64_t kMiB = 1ULL << 20, kGiB = 1ULL << 30;

struct Fixture {
    explicit Fixture(std::vector<boot::MemoryRegion> regions, uint64_t limit = 0) : map(std::move(regions)) {
        for (auto& r : map) limit = std::max(limit, mm::align_up(r.base + r.length, kPageSize));
        memory = std::make_unique<SimulatedMemory>(limit);
        auto result = allocator.init(lib::Span<const boot::MemoryRegion>(map.data(), map.size()), memory->window());
        ok = result.has_value();
    }
    bool in_usable(uint64_t physical) const {
        for (auto& r : map)
            if (r.type == MemoryType::kUsable && physical >= r.base && physical + kPageSize <= r.base + r.length)
                return true;
        return false;
    }
    std::vector<boot::MemoryRegion> map;
    std::unique_ptr<SimulatedMemory> memory;
    FrameAllocator allocator;
    bool ok = false;
};

TEST(FrameAllocator, SingleFramesComeFromUsableMemoryAndReturn) {
    Fixture f({region(0, 0x1000, MemoryType::kReserved), region(0x1000, 16 * kMiB)});
    ASSERT_TRUE(f.ok);
    auto before = f.allocator.stats();
    EXPECT_EQ(before.managed_bytes + before.metadata_bytes, 16 * kMiB);
    EXPECT_EQ(before.free_bytes, before.managed_bytes);
    EXPECT_EQ(before.reserved_bytes[size_t(MemoryType::kReserved)], 0x1000u);
    auto frame = f.allocator.allocate();
    ASSERT_TRUE(frame.has_value());
    EXPECT_TRUE(mm::is_aligned(*frame, kPageSize));
    EXPECT_TRUE(f.in_usable(*frame));
    EXPECT_FALSE(f.allocator.is_free(*frame));
    EXPECT_EQ(f.allocator.stats().free_bytes, before.free_bytes - kPageSize);
    f.allocator.free(*frame);
    EXPECT_TRUE(f.allocator.is_free(*frame));
    EXPECT_EQ(f.allocator.stats().free_bytes, before.free_bytes);
}

// Physical page 0 is usable on OVMF, but 0 means "no frame" to every holder
// of frames (page indexes, page tables): it is never handed out, neither
// from the map nor from a region added later, and is counted as withheld.
TEST(FrameAllocator, PageZeroIsNeverHandedOut) {
    Fixture f({region(0, 0x10000), region(0x100000, 1 * kMiB, MemoryType::kBootloaderReclaimable)});
    ASSERT_TRUE(f.ok);
    EXPECT_EQ(f.allocator.stats().withheld_bytes, kPageSize);
    EXPECT_FALSE(f.allocator.is_managed(0));
    std::set<uint64_t> seen;
    while (auto frame = f.allocator.allocate()) seen.insert(*frame);
    EXPECT_EQ(seen.count(0), 0u);
    ASSERT_FALSE(seen.empty());
    EXPECT_LT(*seen.begin(), 0x10000u);  // the rest of the low region is used

    Fixture g({region(0x100000, 1 * kMiB), region(0, 0x4000, MemoryType::kBootloaderReclaimable)});
    ASSERT_TRUE(g.ok);
    static mm::FrameRecord records[4];
    ASSERT_TRUE(g.allocator.add_region(0, 0x4000, MemoryType::kBootloaderReclaimable, records).has_value());
    EXPECT_EQ(g.allocator.stats().withheld_bytes, kPageSize);
    std::set<uint64_t> low;
    while (auto frame = g.allocator.allocate()) low.insert(*frame);
    EXPECT_EQ(low.count(0), 0u);
    EXPECT_EQ(low.count(0x3000), 1u);
}

TEST(FrameAllocator, ZeroingClearsTheFrame) {
    Fixture f({region(0x1000, 4 * kMiB)});
    ASSERT_TRUE(f.ok);
    auto frame = f.allocator.allocate();
    ASSERT_TRUE(frame.has_value());
    std::memset(f.memory->window().at(*frame), 0xab, kPageSize);
    f.allocator.free(*frame);
    auto again = f.allocator.allocate(mm::Zeroing::kYes);
    ASSERT_TRUE(again.has_value());
    auto* bytes = f.memory->window().at<uint8_t>(*again);
    for (uint64_t i = 0; i < kPageSize; ++i) ASSERT_EQ(bytes[i], 0) << i;
}

TEST(FrameAllocator, AlignedRunsAreAlignedAndDisjoint) {
    Fixture f({region(0x1000, 64 * kMiB - 0x1000)});
    ASSERT_TRUE(f.ok);
    std::set<uint64_t> used;
    for (int i = 0; i < 10; ++i) {
        auto run = f.allocator.allocate_run(512, 2 * kMiB);
        ASSERT_TRUE(run.has_value()) << i;
        EXPECT_TRUE(mm::is_aligned(*run, 2 * kMiB));
        for (uint64_t p = *run; p < *run + 2 * kMiB; p += kPageSize) {
            EXPECT_TRUE(f.in_usable(p));
            EXPECT_TRUE(used.insert(p).second);
        }
    }
    // Odd lengths with alignment: 3 frames aligned to 64 KiB.
    auto odd = f.allocator.allocate_run(3, 64 * 1024);
    ASSERT_TRUE(odd.has_value());
    EXPECT_TRUE(mm::is_aligned(*odd, 64 * 1024));
    EXPECT_TRUE(f.allocator.is_free(*odd + 3 * kPageSize));  // the tail went back
    EXPECT_FALSE(f.allocator.is_free(*odd + 2 * kPageSize));
}

TEST(FrameAllocator, BadRequestsAreErrors) {
    Fixture f({region(0x1000, 4 * kMiB)});
    ASSERT_TRUE(f.ok);
    EXPECT_FALSE(f.allocator.allocate_run(0).has_value());
    EXPECT_FALSE(f.allocator.allocate_run(1, 3 * kPageSize).has_value());
    EXPECT_EQ(f.allocator.allocate_run(1, 2 * kGiB).error().code, lib::ErrorCode::kEOPNOTSUPP);
    EXPECT_EQ(f.allocator.allocate_run(2048).error().code, lib::ErrorCode::kENOMEM);  // 8 MiB of 4
}

TEST(FrameAllocator, ExhaustionReturnsErrorsAndKeepsState) {
    Fixture f({region(0x1000, 8 * kMiB)});
    ASSERT_TRUE(f.ok);
    uint64_t free_frames = f.allocator.free_frames();
    std::vector<uint64_t> frames;
    while (auto frame = f.allocator.allocate()) frames.push_back(*frame);
    EXPECT_EQ(frames.size(), free_frames);
    EXPECT_EQ(std::set<uint64_t>(frames.begin(), frames.end()).size(), frames.size());
    EXPECT_EQ(f.allocator.allocate().error().code, lib::ErrorCode::kENOMEM);
    EXPECT_FALSE(f.allocator.allocate_run(2).has_value());
    for (uint64_t frame : frames) f.allocator.free(frame);
    EXPECT_EQ(f.allocator.free_frames(), free_frames);
    // Everything merged back: the largest aligned block is available again.
    EXPECT_TRUE(f.allocator.allocate_run(1024, 4 * kMiB).has_value());
}

TEST(FrameAllocator, FragmentationBlocksRunsUntilNeighboursReturn) {
    Fixture f({region(0x200000, 4 * kMiB)});
    ASSERT_TRUE(f.ok);
    std::vector<uint64_t> frames;
    while (auto frame = f.allocator.allocate()) frames.push_back(*frame);
    std::sort(frames.begin(), frames.end());
    for (size_t i = 0; i < frames.size(); i += 2) f.allocator.free(frames[i]);
    EXPECT_FALSE(f.allocator.allocate_run(2).has_value());  // only isolated frames are free
    auto single = f.allocator.allocate();
    ASSERT_TRUE(single.has_value());
    f.allocator.free(*single);
    for (size_t i = 1; i < frames.size(); i += 2) f.allocator.free(frames[i]);
    EXPECT_TRUE(f.allocator.allocate_run(256, 1 * kMiB).has_value());
}

TEST(FrameAllocator, OddMemoryMaps) {
    // Holes, one-page regions, unaligned non-usable entries, adjacent usable
    // entries, memory far above 4 GiB.
    Fixture f({
        region(0, 0x1000, MemoryType::kReserved),
        region(0x1000, 0x9e000),
        region(0x9f000, 0x1234, MemoryType::kReserved),
        region(0x100000, 0x1000),
        region(0x200000, 0x1000),
        region(0x201000, 0x3000),
        region(0x300000, 0x123, MemoryType::kAcpiNvs),
        region(0x400000, 0x300000, MemoryType::kBootloaderReclaimable),
        region(0x800000, 12 * kMiB),
        region(0xfee00000, 0x1000, MemoryType::kReserved),
        region(64 * kGiB, 3 * kMiB),
        region(64 * kGiB + 3 * kMiB, 0x2000, MemoryType::kBadMemory),
        region(96 * kGiB, 0x5000),
    });
    ASSERT_TRUE(f.ok);
    auto stats = f.allocator.stats();
    EXPECT_EQ(stats.reserved_bytes[size_t(MemoryType::kBootloaderReclaimable)], 0x300000u);
    EXPECT_EQ(stats.reserved_bytes[size_t(MemoryType::kAcpiNvs)], 0x123u);
    uint64_t usable = 0x9e000 + 0x1000 + 0x4000 + 12 * kMiB + 3 * kMiB + 0x5000;
    EXPECT_EQ(stats.managed_bytes + stats.metadata_bytes, usable);
    std::set<uint64_t> seen;
    bool high = false;
    while (auto frame = f.allocator.allocate()) {
        ASSERT_TRUE(f.in_usable(*frame)) << std::hex << *frame;
        ASSERT_TRUE(seen.insert(*frame).second);
        high |= *frame >= 4 * kGiB;
    }
    EXPECT_TRUE(high);
    EXPECT_EQ(seen.size() * kPageSize, stats.managed_bytes);
}

TEST(FrameAllocator, NoUsableMemoryIsAnError) {
    std::vector<boot::MemoryRegion> map = {region(0, 0x10000, MemoryType::kReserved)};
    SimulatedMemory memory(0x10000);
    FrameAllocator allocator;
    EXPECT_FALSE(allocator.init(lib::Span<const boot::MemoryRegion>(map.data(), map.size()), memory.window()));
}

TEST(FrameAllocator, MetadataIsUnderTwoThousandths) {
    Fixture f({region(0x1000, 64 * kGiB)});
    ASSERT_TRUE(f.ok);
    auto stats = f.allocator.stats();
    EXPECT_LE(stats.metadata_bytes * 1000, 2 * (stats.managed_bytes + stats.metadata_bytes));
    auto run = f.allocator.allocate_run(512 * 512, 1 * kGiB);  // a 1 GiB page
    ASSERT_TRUE(run.has_value());
    EXPECT_TRUE(mm::is_aligned(*run, kGiB));
}

TEST(FrameAllocator, AddedRegionIsUsable) {
    Fixture f({region(0x1000, 1 * kMiB), region(2 * kMiB, 1 * kMiB, MemoryType::kBootloaderReclaimable)});
    ASSERT_TRUE(f.ok);
    uint64_t before = f.allocator.free_frames();
    ASSERT_TRUE(f.allocator.add_region(2 * kMiB, 1 * kMiB).has_value());
    EXPECT_GT(f.allocator.free_frames(), before + 200);
    EXPECT_FALSE(f.allocator.add_region(2 * kMiB, 1 * kMiB).has_value());  // overlaps
    std::set<uint64_t> seen;
    while (auto frame = f.allocator.allocate()) seen.insert(*frame);
    EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [](uint64_t p) { return p >= 2 * kMiB; }));
}

// With its records elsewhere, even a one-frame region gives all its frames.
TEST(FrameAllocator, AddedRegionWithOutsideStateGivesEveryFrame) {
    Fixture f({region(0x1000, 1 * kMiB), region(2 * kMiB, 0x1000, MemoryType::kBootloaderReclaimable),
               region(3 * kMiB, 0x3000, MemoryType::kBootloaderReclaimable)});
    ASSERT_TRUE(f.ok);
    uint64_t before = f.allocator.free_frames();
    uint64_t reclaimable_before = f.allocator.stats().reserved_bytes[size_t(MemoryType::kBootloaderReclaimable)];
    EXPECT_FALSE(f.allocator.add_region(2 * kMiB, 0x1000).has_value());  // no room for its own state
    static mm::FrameRecord state_one[1], state_three[3];
    ASSERT_TRUE(f.allocator.add_region(2 * kMiB, 0x1000, MemoryType::kBootloaderReclaimable, state_one).has_value());
    ASSERT_TRUE(f.allocator.add_region(3 * kMiB, 0x3000, MemoryType::kBootloaderReclaimable, state_three).has_value());
    EXPECT_EQ(f.allocator.free_frames(), before + 4);
    EXPECT_EQ(f.allocator.stats().reserved_bytes[size_t(MemoryType::kBootloaderReclaimable)],
              reclaimable_before - 0x4000);
    std::set<uint64_t> seen;
    while (auto frame = f.allocator.allocate()) seen.insert(*frame);
    for (uint64_t p : {2 * kMiB, 3 * kMiB, 3 * kMiB + 0x1000, 3 * kMiB + 0x2000}) EXPECT_TRUE(seen.count(p)) << p;
    for (uint64_t p : seen) f.allocator.free(p);
    EXPECT_EQ(f.allocator.free_frames(), before + 4);
}

// A long random sequence checked against a model: a map of live allocations.
TEST(FrameAllocator, RandomizedAgainstReferenceModel) {
    Fixture f({region(0x1000, 0x9f000), region(0x100000, 30 * kMiB), region(5 * kGiB, 9 * kMiB + 0x3000)});
    ASSERT_TRUE(f.ok);
    const uint64_t total = f.allocator.free_frames();
    std::mt19937_64 random(12345);
    std::map<uint64_t, uint64_t> live;  // base -> frames
    uint64_t live_frames = 0;
    auto overlaps = [&](uint64_t base, uint64_t count) {
        auto next = live.lower_bound(base);
        if (next != live.end() && next->first < base + count * kPageSize) return true;
        if (next != live.begin()) {
            auto previous = std::prev(next);
            if (previous->first + previous->second * kPageSize > base) return true;
        }
        return false;
    };
    for (int step = 0; step < 60000; ++step) {
        int action = int(random() % 10);
        if (action < 5 || live.empty()) {
            uint64_t count = action < 3 ? 1 : 1 + random() % 700;
            uint64_t alignment = kPageSize << (random() % 10);
            auto result = count == 1 && alignment == kPageSize ? f.allocator.allocate()
                                                               : f.allocator.allocate_run(count, alignment);
            if (!result) continue;  // may fail when fragmented; state is checked below
            ASSERT_TRUE(mm::is_aligned(*result, alignment));
            for (uint64_t i = 0; i < count; i += 97) ASSERT_TRUE(f.in_usable(*result + i * kPageSize));
            ASSERT_TRUE(f.in_usable(*result + (count - 1) * kPageSize));
            ASSERT_FALSE(overlaps(*result, count)) << std::hex << *result;
            live[*result] = count;
            live_frames += count;
        } else {
            auto it = live.begin();
            std::advance(it, random() % live.size());
            auto [base, count] = *it;
            live.erase(it);
            if (count > 2 && random() % 2) {  // free a middle piece, keep both ends
                uint64_t cut = 1 + random() % (count - 2);
                uint64_t length = 1 + random() % (count - cut - 1);
                f.allocator.free_run(base + cut * kPageSize, length);
                live[base] = cut;
                live[base + (cut + length) * kPageSize] = count - cut - length;
                live_frames -= length;
            } else {
                f.allocator.free_run(base, count);
                live_frames -= count;
            }
        }
        ASSERT_EQ(f.allocator.free_frames(), total - live_frames) << step;
    }
    for (auto [base, count] : live) f.allocator.free_run(base, count);
    EXPECT_EQ(f.allocator.free_frames(), total);
    // Fully merged again: the 8 MiB aligned block inside the 30 MiB region.
    EXPECT_TRUE(f.allocator.allocate_run(2048, 8 * kMiB).has_value());
}

TEST(FrameAllocator, ConcurrentThreadsNeverShareAFrame) {
    Fixture f({region(0x1000, 128 * kMiB)});
    ASSERT_TRUE(f.ok);
    const uint64_t total = f.allocator.free_frames();
    constexpr int kThreads = 4;
    std::vector<std::vector<uint64_t>> held(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 random(t);
            auto& mine = held[t];
            for (int i = 0; i < 20000; ++i) {
                if (mine.size() < 500 && random() % 2) {
                    uint64_t count = random() % 4 == 0 ? 1 + random() % 64 : 1;
                    auto run = f.allocator.allocate_run(count);
                    if (!run) continue;
                    // Stamp every frame with its owner; a shared frame shows up as a foreign stamp.
                    for (uint64_t k = 0; k < count; ++k)
                        *f.memory->window().at<uint64_t>(*run + k * kPageSize) = uint64_t(t);
                    for (uint64_t k = 0; k < count; ++k) mine.push_back(*run + k * kPageSize);
                } else if (!mine.empty()) {
                    uint64_t frame = mine.back();
                    mine.pop_back();
                    ASSERT_EQ(*f.memory->window().at<uint64_t>(frame), uint64_t(t));
                    f.allocator.free(frame);
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    std::set<uint64_t> all;
    for (auto& mine : held)
        for (uint64_t frame : mine) EXPECT_TRUE(all.insert(frame).second);
    for (uint64_t frame : all) f.allocator.free(frame);
    EXPECT_EQ(f.allocator.free_frames(), total);
}

TEST(FrameAllocator, RecordsSayWhoHoldsAFrame) {
    Fixture f({region(0x1000, 4 * kMiB)});
    ASSERT_TRUE(f.ok);
    auto table = f.allocator.allocate(mm::Zeroing::kYes, mm::FrameOwner::kPageTable);
    ASSERT_TRUE(table.has_value());
    mm::FrameRecord* record = f.allocator.record(*table);
    ASSERT_NE(record, nullptr);
    EXPECT_EQ(record->references, 1u);
    EXPECT_EQ(record->owner, mm::FrameOwner::kPageTable);
    EXPECT_EQ(record->flags, 0u);
    EXPECT_EQ(f.allocator.owner(*table), mm::FrameOwner::kPageTable);
    // A record is the frame's for good: flags set by its user stay until it is freed.
    record->flags = mm::frame_flags::kPinned;
    EXPECT_EQ(f.allocator.record(*table), record);
    f.allocator.free(*table);
    EXPECT_EQ(record->references, 0u);
    EXPECT_EQ(record->owner, mm::FrameOwner::kFree);
    EXPECT_EQ(record->flags, 0u);
    EXPECT_EQ(f.allocator.record(8 * kMiB), nullptr);  // not managed
    EXPECT_EQ(f.allocator.references(8 * kMiB), 0u);
    EXPECT_STREQ(mm::frame_owner_name(mm::FrameOwner::kKernelStack), "kernel stack");
}

TEST(FrameAllocator, EveryFrameOfARunHasItsRecord) {
    Fixture f({region(0x1000, 8 * kMiB)});
    ASSERT_TRUE(f.ok);
    auto run = f.allocator.allocate_run(300, 64 * 1024, mm::Zeroing::kNo, mm::FrameOwner::kHeap);
    ASSERT_TRUE(run.has_value());
    for (uint64_t i = 0; i < 300; ++i) {
        EXPECT_EQ(f.allocator.references(*run + i * kPageSize), 1u) << i;
        EXPECT_EQ(f.allocator.owner(*run + i * kPageSize), mm::FrameOwner::kHeap) << i;
    }
    // The rest of the block that served the run went back: free, no holder.
    EXPECT_EQ(f.allocator.references(*run + 300 * kPageSize), 0u);
    EXPECT_TRUE(f.allocator.is_free(*run + 300 * kPageSize));
    f.allocator.free_run(*run + 100 * kPageSize, 50);  // a piece from the middle
    EXPECT_TRUE(f.allocator.is_free(*run + 120 * kPageSize));
    EXPECT_EQ(f.allocator.owner(*run + 120 * kPageSize), mm::FrameOwner::kFree);
    EXPECT_EQ(f.allocator.references(*run + 150 * kPageSize), 1u);
    f.allocator.free_run(*run, 100);
    f.allocator.free_run(*run + 150 * kPageSize, 150);
}

TEST(FrameAllocator, SharedFrameIsFreedByItsLastHolder) {
    Fixture f({region(0x1000, 4 * kMiB)});
    ASSERT_TRUE(f.ok);
    uint64_t before = f.allocator.free_frames();
    auto frame = f.allocator.allocate(mm::Zeroing::kNo, mm::FrameOwner::kUser);
    ASSERT_TRUE(frame.has_value());
    f.allocator.share(*frame);
    f.allocator.share(*frame);
    EXPECT_EQ(f.allocator.references(*frame), 3u);
    EXPECT_FALSE(f.allocator.release(*frame));
    EXPECT_FALSE(f.allocator.release(*frame));
    EXPECT_FALSE(f.allocator.is_free(*frame));
    EXPECT_EQ(f.allocator.owner(*frame), mm::FrameOwner::kUser);
    EXPECT_TRUE(f.allocator.release(*frame));
    EXPECT_TRUE(f.allocator.is_free(*frame));
    EXPECT_EQ(f.allocator.free_frames(), before);
}

// Threads sharing and releasing one frame at once: the count never goes
// wrong, and only the very last release frees it.
TEST(FrameAllocator, ConcurrentSharingCountsEveryHolder) {
    Fixture f({region(0x1000, 4 * kMiB)});
    ASSERT_TRUE(f.ok);
    auto frame = f.allocator.allocate(mm::Zeroing::kNo, mm::FrameOwner::kUser);
    ASSERT_TRUE(frame.has_value());
    std::atomic<int> freed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 20000; ++i) {
                f.allocator.share(*frame);
                if (f.allocator.release(*frame)) freed.fetch_add(1);
            }
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(freed.load(), 0);
    EXPECT_EQ(f.allocator.references(*frame), 1u);
    EXPECT_TRUE(f.allocator.release(*frame));
}

using FrameAllocatorDeathTest = ::testing::Test;

TEST(FrameAllocatorDeathTest, DoubleFreePanics) {
    Fixture f({region(0x1000, 4 * kMiB)});
    ASSERT_TRUE(f.ok);
    auto frame = f.allocator.allocate();
    ASSERT_TRUE(frame.has_value());
    f.allocator.free(*frame);
    EXPECT_DEATH(f.allocator.free(*frame), "double free");
}

TEST(FrameAllocatorDeathTest, FreeOfFrameNeverAllocatedPanics) {
    Fixture f({region(0x1000, 4 * kMiB)});
    ASSERT_TRUE(f.ok);
    auto run = f.allocator.allocate_run(4);
    ASSERT_TRUE(run.has_value());
    EXPECT_DEATH(f.allocator.free_run(*run, 5), "double free");
    EXPECT_DEATH(f.allocator.free(0x300000), "double free");
}

TEST(FrameAllocatorDeathTest, MisalignedAndUnmanagedFreesPanic) {
    Fixture f({region(0x1000, 4 * kMiB), region(8 * kMiB, kMiB, MemoryType::kReserved)});
    ASSERT_TRUE(f.ok);
    auto frame = f.allocator.allocate();
    ASSERT_TRUE(frame.has_value());
    EXPECT_DEATH(f.allocator.free(*frame + 8), "misaligned");
    EXPECT_DEATH(f.allocator.free(8 * kMiB), "not managed");
}

TEST(FrameAllocatorDeathTest, SharedFramesAreReleasedNotFreed) {
    Fixture f({region(0x1000, 4 * kMiB)});
    ASSERT_TRUE(f.ok);
    auto frame = f.allocator.allocate();
    ASSERT_TRUE(frame.has_value());
    f.allocator.share(*frame);
    EXPECT_DEATH(f.allocator.free(*frame), "shared \\(2 holders\\)");
    ASSERT_TRUE(f.allocator.release(*frame) == false);
    ASSERT_TRUE(f.allocator.release(*frame));
    EXPECT_DEATH(f.allocator.release(*frame), "release of 0x[0-9a-f]+, which is free");
    EXPECT_DEATH(f.allocator.share(*frame), "share of 0x[0-9a-f]+, which is free");
}

}  // namespace
