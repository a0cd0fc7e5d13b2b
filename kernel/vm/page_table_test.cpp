// User page tables over simulated physical memory: leaves are found where
// the hardware would look (SDM §4.5 indexing), tables are counted and freed
// when empty, only after the flush, and a failed table allocation leaves
// nothing behind.
#include "kernel/vm/page_table.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "kernel/vm/testing.hpp"

namespace {

using vm::Gather;
using vm::PageTable;
namespace pte = vm::pte;

struct FlushLog {
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    static void record(void* context, uint64_t start, uint64_t end) {
        static_cast<FlushLog*>(context)->ranges.push_back({start, end});
    }
};

struct Fixture {
    Fixture() {
        root = *PageTable::create_root(frames, 0);
        table = std::make_unique<PageTable>(frames, root, true);
        baseline = frames.live();
    }
    uint64_t map(uint64_t virt) {
        Gather gather(frames, &FlushLog::record, &log);
        PageTable::Slot slot;
        EXPECT_TRUE(table->find_or_create(virt, slot));
        uint64_t frame = *frames.allocate(true);
        table->write(virt, slot, table->make_leaf(frame, true, false, pte::kAnonymous), gather);
        return frame;
    }
    void unmap(uint64_t virt) {
        Gather gather(frames, &FlushLog::record, &log);
        PageTable::Slot slot;
        ASSERT_TRUE(table->find(virt, slot));
        uint64_t old = *slot.leaf();
        table->write(virt, slot, 0, gather);
        gather.changed(virt);
        gather.release_later(pte::frame(old));
    }
    vm::testing::SimulatedFrames frames;
    uint64_t root = 0;
    std::unique_ptr<PageTable> table;
    size_t baseline = 0;
    FlushLog log;
};

TEST(UserPageTable, LeavesSitWhereTheHardwareWalkFindsThem) {
    Fixture f;
    uint64_t virt = 0x7f12'3456'7000;
    uint64_t frame = f.map(virt);
    // Walk by hand as the CPU does (SDM Figure 4-8): bits 47:39, 38:30, 29:21, 20:12.
    uint64_t entry = f.frames.at<uint64_t>(f.root)[(virt >> 39) & 0x1ff];
    for (int shift = 30; shift >= 12; shift -= 9) {
        ASSERT_TRUE(entry & pte::kPresent);
        EXPECT_TRUE(entry & pte::kUser);
        EXPECT_TRUE(entry & pte::kWritable);
        entry = f.frames.at<uint64_t>(entry & pte::kFrameMask)[(virt >> shift) & 0x1ff];
    }
    EXPECT_EQ(pte::frame(entry), frame);
    EXPECT_TRUE(entry & pte::kNoExecute);
    EXPECT_TRUE(entry & pte::kAnonymous);
    EXPECT_EQ(f.frames.live(), f.baseline + 4);  // three tables and the page
}

TEST(UserPageTable, KernelHalfIsCopiedAndUserHalfStartsEmpty) {
    vm::testing::SimulatedFrames frames;
    uint64_t kernel = *frames.allocate(true);
    for (unsigned i = 0; i < 512; ++i) frames.at<uint64_t>(kernel)[i] = (uint64_t(i) << 12) | 1;
    uint64_t root = *PageTable::create_root(frames, kernel);
    for (unsigned i = 0; i < 256; ++i) EXPECT_EQ(frames.at<uint64_t>(root)[i], 0u);
    for (unsigned i = 256; i < 512; ++i) EXPECT_EQ(frames.at<uint64_t>(root)[i], (uint64_t(i) << 12) | 1);
}

TEST(UserPageTable, EmptiedTablesAreFreedOnlyAfterTheFlush) {
    Fixture f;
    f.map(0x400000);
    f.map(0x401000);
    f.map(0x7ffffffff000 - 0x1000);
    size_t with_pages = f.frames.live();
    {
        Gather gather(f.frames, &FlushLog::record, &f.log);
        PageTable::Slot slot;
        ASSERT_TRUE(f.table->find(0x400000, slot));
        uint64_t old = *slot.leaf();
        f.table->write(0x400000, slot, 0, gather);
        gather.changed(0x400000);
        gather.release_later(pte::frame(old));
        EXPECT_EQ(f.frames.live(), with_pages);  // nothing freed before the flush
        EXPECT_TRUE(f.log.ranges.empty());
    }
    EXPECT_EQ(f.log.ranges.size(), 1u);
    EXPECT_EQ(f.frames.live(), with_pages - 1);  // the page only: its table still holds 0x401000
    f.unmap(0x401000);
    EXPECT_EQ(f.frames.live(), with_pages - 1 - 1 - 3 + 0);  // page + PT + PD + PDPT of the low half
    f.unmap(0x7ffffffff000 - 0x1000);
    EXPECT_EQ(f.frames.live(), f.baseline);
    for (unsigned i = 0; i < 256; ++i) EXPECT_EQ(f.frames.at<uint64_t>(f.root)[i], 0u);
}

TEST(UserPageTable, ForEachVisitsExactlyThePagesInTheRange) {
    Fixture f;
    std::set<uint64_t> mapped = {0x1000, 0x2000, 0x200000, 0x3ff000, 0x40000000, 0x7f0000000000, 0x7fffffffe000};
    for (uint64_t v : mapped) f.map(v);
    std::vector<uint64_t> seen;
    f.table->for_each(0x2000, 0x7fffffffe000, [&](uint64_t virt, PageTable::Slot&) { seen.push_back(virt); });
    EXPECT_EQ(seen, (std::vector<uint64_t>{0x2000, 0x200000, 0x3ff000, 0x40000000, 0x7f0000000000}));
    // Unmapping inside the walk, including the last page of a table.
    {
        Gather gather(f.frames, &FlushLog::record, &f.log);
        f.table->for_each(0, 0x800000000000, [&](uint64_t virt, PageTable::Slot& slot) {
            uint64_t old = *slot.leaf();
            f.table->write(virt, slot, 0, gather);
            gather.changed(virt);
            gather.release_later(pte::frame(old));
        });
    }
    EXPECT_EQ(f.frames.live(), f.baseline);
}

TEST(UserPageTable, FailedTableAllocationLeavesNothingLinked) {
    Fixture f;
    f.frames.fail_after(1);  // the second of the three tables
    PageTable::Slot slot;
    EXPECT_FALSE(f.table->find_or_create(0x123456000, slot));
    f.frames.fail_after(-1);
    EXPECT_EQ(f.frames.live(), f.baseline);
    for (unsigned i = 0; i < 256; ++i) EXPECT_EQ(f.frames.at<uint64_t>(f.root)[i], 0u);
}

TEST(UserPageTable, ProtNoneEntriesKeepTheirTable) {
    Fixture f;
    uint64_t frame = f.map(0x500000);
    Gather gather(f.frames, &FlushLog::record, &f.log);
    PageTable::Slot slot;
    ASSERT_TRUE(f.table->find(0x500000, slot));
    f.table->write(0x500000, slot, (frame | pte::kProtNone | pte::kAnonymous), gather);
    gather.finish();
    EXPECT_EQ(f.frames.live(), f.baseline + 4);
    int visited = 0;
    f.table->for_each(0, 0x1000000, [&](uint64_t, PageTable::Slot&) { ++visited; });
    EXPECT_EQ(visited, 1);
}

TEST(UserPageTable, ReleaseUserHalfFreesEveryTable) {
    Fixture f;
    std::vector<uint64_t> pages;
    for (uint64_t v = 0x10000; v < 0x10000 + 600 * 4096; v += 4096) pages.push_back(f.map(v));
    f.map(0x7fff00000000);
    f.table->for_each(0, 0x800000000000,
                      [&](uint64_t, PageTable::Slot& slot) { f.frames.unref(pte::frame(*slot.leaf())); });
    f.table->release_user_half();
    EXPECT_EQ(f.frames.live(), f.baseline);
}

}  // namespace
