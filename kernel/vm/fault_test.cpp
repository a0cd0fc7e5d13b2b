// Page faults and fork: demand paging from the zero page, files and shared
// memory; copy-on-write after fork with reference counts (copy, or reuse
// when the other side let go); SIGSEGV codes and SIGBUS; stack growth with
// RLIMIT_STACK and the guard gap.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "kernel/vm/address_space.hpp"
#include "kernel/vm/errors.hpp"
#include "kernel/vm/testing.hpp"

namespace {

using vm::Access;
using vm::FaultResult;
using vm::testing::FakeFile;
using vm::testing::Space;
namespace pte = vm::pte;

constexpr uint64_t kPage = 4096;
constexpr uint64_t kRw = PROT_READ | PROT_WRITE;
constexpr uint64_t kAnon = MAP_PRIVATE | MAP_ANONYMOUS;

uint8_t read_byte(vm::AddressSpace* space, uint64_t address) {
    uint8_t value = 0xee;
    EXPECT_TRUE(space->read_memory(address, &value, 1));
    return value;
}
void write_byte(vm::AddressSpace* space, uint64_t address, uint8_t value) {
    ASSERT_TRUE(space->write_memory(address, &value, 1));
}

TEST(Fault, SegvCodesSayWhetherAMappingWasThere) {
    Space s;
    uint64_t ro = *s->mmap(0, kPage, PROT_READ, kAnon, nullptr, 0);
    uint64_t none = *s->mmap(0, kPage, PROT_NONE, kAnon, nullptr, 0);
    uint64_t rx = *s->mmap(0, kPage, PROT_READ | PROT_EXEC, kAnon, nullptr, 0);
    EXPECT_EQ(s->handle_fault(0x1000, Access::kRead), FaultResult::kMapError);
    EXPECT_EQ(s->handle_fault(0x800000000000, Access::kRead), FaultResult::kMapError);
    EXPECT_EQ(s->handle_fault(ro, Access::kWrite), FaultResult::kAccessError);
    EXPECT_EQ(s->handle_fault(ro, Access::kExecute), FaultResult::kAccessError);
    EXPECT_EQ(s->handle_fault(none, Access::kRead), FaultResult::kAccessError);
    EXPECT_EQ(s->handle_fault(rx, Access::kExecute), FaultResult::kResolved);
    EXPECT_FALSE(s->entry_at(rx) & pte::kNoExecute);
    EXPECT_EQ(s->handle_fault(ro, Access::kRead), FaultResult::kResolved);
    EXPECT_TRUE(s->entry_at(ro) & pte::kNoExecute);
    EXPECT_FALSE(s->entry_at(ro) & pte::kWritable);
}

TEST(Fault, WriteAfterReadReplacesTheZeroPageWithAFreshOne) {
    Space s;
    uint64_t a = *s->mmap(0, kPage, kRw, kAnon, nullptr, 0);
    ASSERT_EQ(s->handle_fault(a, Access::kRead), FaultResult::kResolved);
    EXPECT_EQ(pte::frame(s->entry_at(a)), s.frames.zero_frame());
    EXPECT_FALSE(pte::writable(s->entry_at(a)));
    s->entered(1);
    s.tlb.clear();
    ASSERT_EQ(s->handle_fault(a, Access::kWrite), FaultResult::kResolved);
    uint64_t entry = s->entry_at(a);
    EXPECT_NE(pte::frame(entry), s.frames.zero_frame());
    EXPECT_TRUE(pte::writable(entry));
    EXPECT_TRUE(entry & pte::kAnonymous);
    EXPECT_TRUE(s.tlb.flushed(a, a + kPage));  // the read-only translation may be cached
    EXPECT_EQ(read_byte(s.space, a + 100), 0);
    // A second write fault (another CPU raced) changes nothing.
    ASSERT_EQ(s->handle_fault(a, Access::kWrite), FaultResult::kResolved);
    EXPECT_EQ(s->entry_at(a), entry);
}

TEST(Fork, PrivatePagesAreCopiedOnWriteBySideThatWrites) {
    Space s;
    uint64_t a = *s->mmap(0, 2 * kPage, kRw, kAnon, nullptr, 0);
    write_byte(s.space, a, 1);
    write_byte(s.space, a + kPage, 2);
    uint64_t first = pte::frame(s->entry_at(a));
    s->entered(0);
    s.tlb.clear();
    vm::AddressSpace* child = *s->fork();
    EXPECT_TRUE(s.tlb.flushed(a, a + 2 * kPage));  // the parent lost write access: flushed
    EXPECT_EQ(s.frames.count(first), 2u);
    EXPECT_FALSE(pte::writable(s->entry_at(a)));
    EXPECT_FALSE(pte::writable(child->entry_at(a)));
    EXPECT_EQ(pte::frame(child->entry_at(a)), first);

    write_byte(child, a, 10);  // the child copies
    EXPECT_EQ(read_byte(s.space, a), 1);
    EXPECT_EQ(read_byte(child, a), 10);
    EXPECT_NE(pte::frame(child->entry_at(a)), first);
    EXPECT_EQ(s.frames.count(first), 1u);
    // The parent is the only holder now: its write reuses the page.
    ASSERT_EQ(s->handle_fault(a, Access::kWrite), FaultResult::kResolved);
    EXPECT_EQ(pte::frame(s->entry_at(a)), first);
    EXPECT_TRUE(pte::writable(s->entry_at(a)));

    write_byte(s.space, a + kPage, 20);  // the parent copies the second page
    EXPECT_EQ(read_byte(child, a + kPage), 2);
    EXPECT_EQ(child->counters().rss_anon, 2u);
    EXPECT_EQ(s->counters().rss_anon, 2u);
    vm::AddressSpace::destroy(child);
    EXPECT_EQ(s.frames.count(pte::frame(s->entry_at(a + kPage))), 1u);
}

TEST(Fork, SharedMappingsStayShared) {
    Space s;
    uint64_t a = *s->mmap(0, kPage, kRw, MAP_SHARED | MAP_ANONYMOUS, nullptr, 0);
    write_byte(s.space, a, 5);
    vm::AddressSpace* child = *s->fork();
    write_byte(child, a, 6);
    EXPECT_EQ(read_byte(s.space, a), 6);
    EXPECT_TRUE(pte::writable(s->entry_at(a)));
    EXPECT_EQ(s->counters().rss_shmem, 1u);
    // Pages the parent had not touched yet are shared all the same.
    uint64_t b = *s->mmap(0, 2 * kPage, kRw, MAP_SHARED | MAP_ANONYMOUS, nullptr, 0);
    vm::AddressSpace* second = *s->fork();
    write_byte(second, b + kPage, 7);
    EXPECT_EQ(read_byte(s.space, b + kPage), 7);
    vm::AddressSpace::destroy(second);
    vm::AddressSpace::destroy(child);
}

TEST(Fork, DontForkAndWipeOnForkAreHonoured) {
    Space s;
    uint64_t keep = *s->mmap(0, kPage, kRw, kAnon, nullptr, 0);
    uint64_t gone = *s->mmap(0, kPage, PROT_READ, kAnon, nullptr, 0);
    uint64_t wipe = *s->mmap(0, kPage, kRw, kAnon, nullptr, 0);
    write_byte(s.space, keep, 1);
    write_byte(s.space, wipe, 2);
    ASSERT_TRUE(s->madvise(gone, kPage, MADV_DONTFORK));
    ASSERT_TRUE(s->madvise(wipe, kPage, MADV_WIPEONFORK));
    vm::AddressSpace* child = *s->fork();
    EXPECT_EQ(read_byte(child, keep), 1);
    EXPECT_EQ(child->handle_fault(gone, Access::kRead), FaultResult::kMapError);
    EXPECT_EQ(read_byte(child, wipe), 0);
    EXPECT_EQ(read_byte(s.space, wipe), 2);
    EXPECT_EQ(child->counters().total_pages, 2u);
    vm::AddressSpace::destroy(child);
}

TEST(Fork, FailureLeavesTheParentIntactAndLeaksNothing) {
    for (long fail_at = 0; fail_at < 12; ++fail_at) {
        Space s;
        uint64_t a = *s->mmap(0, 3 * kPage, kRw, kAnon, nullptr, 0);
        uint64_t b = *s->mmap(0x500000000, kPage, kRw, kAnon | MAP_FIXED, nullptr, 0);
        write_byte(s.space, a, 1);
        write_byte(s.space, b, 2);
        size_t live = s.frames.live();
        s.frames.fail_after(fail_at);
        auto child = s->fork();
        s.frames.fail_after(-1);
        if (child) {
            vm::AddressSpace::destroy(*child);
        } else {
            EXPECT_EQ(vm::error_number(child.error()), lib::Errno::kENOMEM);
        }
        EXPECT_EQ(s.frames.live(), live) << "failing allocation " << fail_at;
        write_byte(s.space, a, 3);
        EXPECT_EQ(read_byte(s.space, a), 3);
        EXPECT_EQ(read_byte(s.space, b), 2);
    }
}

TEST(FileMapping, PrivateReadsShareTheFilePageAndWritesCopyIt) {
    Space s;
    std::vector<uint8_t> bytes(2 * kPage + 100);
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(i * 7);
    FakeFile& file = s.file(bytes);
    vm::FileMapping read_only{&file, true, false, false, false};
    uint64_t a = *s->mmap(0, 4 * kPage, kRw, MAP_PRIVATE, &read_only, 0);
    EXPECT_EQ(read_byte(s.space, a + kPage + 3), uint8_t((kPage + 3) * 7));
    uint64_t cached = *file.cached_frame(1);
    EXPECT_EQ(pte::frame(s->entry_at(a + kPage)), cached);
    EXPECT_EQ(s.frames.count(cached), 2u);  // the cache and the mapping
    EXPECT_EQ(s->counters().rss_file, 1u);
    write_byte(s.space, a + kPage + 3, 0xab);
    EXPECT_NE(pte::frame(s->entry_at(a + kPage)), cached);
    EXPECT_EQ(file.cached_byte(kPage + 3), uint8_t((kPage + 3) * 7));  // the file is untouched
    EXPECT_EQ(read_byte(s.space, a + kPage + 4), uint8_t((kPage + 4) * 7));
    EXPECT_EQ(s->counters().rss_file, 0u);
    EXPECT_EQ(s->counters().rss_anon, 1u);
    // The partial last page reads zero past the end of the file; pages
    // entirely past it are SIGBUS.
    EXPECT_EQ(read_byte(s.space, a + 2 * kPage + 100), 0);
    EXPECT_EQ(s->handle_fault(a + 3 * kPage, Access::kRead), FaultResult::kBusError);
    // MADV_DONTNEED on the private copy brings the file's byte back.
    ASSERT_TRUE(s->madvise(a + kPage, kPage, MADV_DONTNEED));
    EXPECT_EQ(read_byte(s.space, a + kPage + 3), uint8_t((kPage + 3) * 7));
}

TEST(FileMapping, SharedWritesReachTheFileAndMsyncWritesBack) {
    Space s;
    FakeFile& file = s.file(std::vector<uint8_t>(2 * kPage, 1));
    vm::FileMapping rw{&file, true, true, false, false};
    uint64_t a = *s->mmap(0, 2 * kPage, kRw, MAP_SHARED, &rw, 0);
    uint64_t b = *s->mmap(0, 2 * kPage, PROT_READ, MAP_SHARED, &rw, 0);
    write_byte(s.space, a + 10, 99);
    EXPECT_EQ(read_byte(s.space, b + 10), 99);
    EXPECT_EQ(file.cached_byte(10), 99);
    EXPECT_EQ(file.bytes()[10], 1);
    ASSERT_TRUE(s->msync(a, 2 * kPage, MS_SYNC));
    EXPECT_EQ(file.bytes()[10], 99);
    EXPECT_EQ(file.syncs, 1);
    ASSERT_TRUE(s->msync(a, 2 * kPage, MS_ASYNC));
    EXPECT_EQ(file.syncs, 1);
}

TEST(StackGrowth, FaultsBelowAStackGrowItWithinTheLimits) {
    Space s;
    uint64_t top = 0x7ffffffff000;
    ASSERT_TRUE(s->map_stack(top, 33 * kPage, false));
    s->limits().stack = 64 * kPage;
    uint64_t low = top - 33 * kPage;
    EXPECT_EQ(s->handle_fault(low - 10 * kPage + 8, Access::kWrite), FaultResult::kResolved);
    EXPECT_EQ(s->region_count(), 1u);
    EXPECT_EQ(s->counters().stack_pages, 43u);
    EXPECT_EQ(s->handle_fault(top - 65 * kPage, Access::kWrite), FaultResult::kMapError);  // over RLIMIT_STACK
    EXPECT_EQ(s->handle_fault(top - 64 * kPage, Access::kWrite), FaultResult::kResolved);
    // A mapping below keeps a guard gap: the stack may not come closer.
    uint64_t below = top - 64 * kPage - uapi::kStackGuardGap - 4 * kPage;
    ASSERT_TRUE(s->mmap(below, kPage, kRw, kAnon | MAP_FIXED, nullptr, 0));
    s->limits().stack = vm::kUnlimited;
    EXPECT_EQ(s->handle_fault(top - 66 * kPage, Access::kWrite), FaultResult::kResolved);
    EXPECT_EQ(s->handle_fault(below + kPage + uapi::kStackGuardGap - kPage, Access::kWrite), FaultResult::kMapError);
    // ... unless the mapping below is PROT_NONE (a guard region of its own).
    ASSERT_TRUE(s->mprotect(below, kPage, PROT_NONE));
    EXPECT_EQ(s->handle_fault(below + kPage + uapi::kStackGuardGap - kPage, Access::kWrite), FaultResult::kResolved);
}

TEST(SharedMemory, GrowingAMappingPastItsObjectGivesSigbus) {
    Space s;
    uint64_t a = *s->mmap(0x600000000, kPage, kRw, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, nullptr, 0);
    write_byte(s.space, a, 4);
    ASSERT_EQ(*s->mremap(a, kPage, 2 * kPage, 0, 0), a);
    EXPECT_EQ(read_byte(s.space, a), 4);
    EXPECT_EQ(s->handle_fault(a + kPage, Access::kRead), FaultResult::kBusError);
}

// Two processes sharing an object fault its pages in at the same time, on
// two threads: each page is made once, and both map that one frame.
TEST(SharedMemory, ProcessesFaultingAtOnceGetTheSamePage) {
    constexpr uint64_t kPages = 64;
    for (int round = 0; round < 50; ++round) {
        Space s;
        uint64_t a = *s->mmap(0, kPages * kPage, kRw, MAP_SHARED | MAP_ANONYMOUS, nullptr, 0);
        vm::AddressSpace* child = *s->fork();
        std::atomic<int> ready{0};
        auto touch_all = [a, &ready](vm::AddressSpace* space, Access access) {
            ready.fetch_add(1);
            while (ready.load() < 2) {
            }
            for (uint64_t i = 0; i < kPages; ++i)
                EXPECT_EQ(space->handle_fault(a + i * kPage, access), FaultResult::kResolved);
        };
        std::thread parent_thread(touch_all, s.space, Access::kWrite);
        std::thread child_thread(touch_all, child, Access::kRead);
        parent_thread.join();
        child_thread.join();
        for (uint64_t i = 0; i < kPages; ++i) {
            uint64_t frame = pte::frame(s->entry_at(a + i * kPage));
            ASSERT_EQ(pte::frame(child->entry_at(a + i * kPage)), frame) << "page " << i;
            EXPECT_EQ(s.frames.count(frame), 3u);  // the object and two mappings
        }
        vm::AddressSpace::destroy(child);
        ASSERT_TRUE(s->munmap(a, kPages * kPage));
        EXPECT_EQ(s.frames.live(), s.baseline);
    }
}

TEST(Mremap, GrowsInPlaceOrMovesPagesWithoutCopying) {
    Space s;
    uint64_t a = *s->mmap(0x700000000, 2 * kPage, kRw, kAnon | MAP_FIXED, nullptr, 0);
    write_byte(s.space, a + kPage, 8);
    uint64_t frame = pte::frame(s->entry_at(a + kPage));
    EXPECT_EQ(*s->mremap(a, 2 * kPage, 4 * kPage, 0, 0), a);  // room above: in place
    EXPECT_EQ(s->counters().total_pages, 4u);
    ASSERT_TRUE(s->mmap(a + 4 * kPage, kPage, PROT_READ, kAnon | MAP_FIXED, nullptr, 0));
    EXPECT_EQ(vm::error_number(s->mremap(a, 4 * kPage, 8 * kPage, 0, 0).error()), lib::Errno::kENOMEM);
    size_t live = s.frames.live();
    uint64_t moved = *s->mremap(a, 4 * kPage, 8 * kPage, MREMAP_MAYMOVE, 0);
    EXPECT_NE(moved, a);
    EXPECT_EQ(pte::frame(s->entry_at(moved + kPage)), frame);  // the same frame, moved
    EXPECT_EQ(read_byte(s.space, moved + kPage), 8);
    EXPECT_EQ(s->handle_fault(a, Access::kRead), FaultResult::kMapError);
    EXPECT_LE(s.frames.live(), live + 3);  // at most new tables, no page copied
    // MREMAP_FIXED replaces the target; MREMAP_DONTUNMAP leaves the old range empty.
    uint64_t target = 0x710000000;
    ASSERT_TRUE(s->mmap(target, kPage, kRw, kAnon | MAP_FIXED, nullptr, 0));
    EXPECT_EQ(*s->mremap(moved, 2 * kPage, 2 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, target), target);
    EXPECT_EQ(read_byte(s.space, target + kPage), 8);
    uint64_t elsewhere = *s->mremap(target, 2 * kPage, 2 * kPage, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
    EXPECT_EQ(read_byte(s.space, elsewhere + kPage), 8);
    EXPECT_EQ(read_byte(s.space, target + kPage), 0);  // still mapped, but empty
}

TEST(Mremap, ErrnoIsLinuxs) {
    Space s;
    uint64_t a = *s->mmap(0x720000000, 2 * kPage, kRw, kAnon | MAP_FIXED, nullptr, 0);
    auto errno_of = [](const lib::Expected<uint64_t>& r) { return r ? 0 : int(vm::error_number(r.error())); };
    EXPECT_EQ(errno_of(s->mremap(a, kPage, kPage, 8, 0)), EINVAL);
    EXPECT_EQ(errno_of(s->mremap(a, kPage, kPage, MREMAP_FIXED, a + 8 * kPage)), EINVAL);
    EXPECT_EQ(errno_of(s->mremap(a, kPage, 2 * kPage, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0)), EINVAL);
    EXPECT_EQ(errno_of(s->mremap(a + 1, kPage, kPage, 0, 0)), EINVAL);
    EXPECT_EQ(errno_of(s->mremap(a, kPage, 0, 0, 0)), EINVAL);
    EXPECT_EQ(errno_of(s->mremap(0x730000000, kPage, kPage, 0, 0)), EFAULT);
    EXPECT_EQ(errno_of(s->mremap(a, 3 * kPage, 4 * kPage, MREMAP_MAYMOVE, 0)), EFAULT);  // across the end
    EXPECT_EQ(errno_of(s->mremap(a, 0, kPage, MREMAP_MAYMOVE, 0)), EINVAL);              // duplicating private memory
    EXPECT_EQ(errno_of(s->mremap(a, kPage, kPage, MREMAP_MAYMOVE | MREMAP_FIXED, a + kPage / 2)), EINVAL);
    EXPECT_EQ(errno_of(s->mremap(a, 2 * kPage, 2 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, a + kPage)), EINVAL);
    EXPECT_EQ(*s->mremap(a, 2 * kPage, kPage, 0, 0), a);  // shrink
    EXPECT_EQ(s->counters().total_pages, 1u);
}

TEST(Madvise, DontNeedZeroesPrivateAnonymousAndKeepsSharedData) {
    Space s;
    uint64_t priv = *s->mmap(0, 2 * kPage, kRw, kAnon, nullptr, 0);
    uint64_t shared = *s->mmap(0, kPage, kRw, MAP_SHARED | MAP_ANONYMOUS, nullptr, 0);
    write_byte(s.space, priv, 1);
    write_byte(s.space, priv + kPage, 2);
    write_byte(s.space, shared, 3);
    size_t live = s.frames.live();
    ASSERT_TRUE(s->madvise(priv, kPage, MADV_DONTNEED));
    EXPECT_EQ(s.frames.live(), live - 1);
    EXPECT_EQ(read_byte(s.space, priv), 0);
    EXPECT_EQ(read_byte(s.space, priv + kPage), 2);
    ASSERT_TRUE(s->madvise(shared, kPage, MADV_DONTNEED));
    EXPECT_EQ(read_byte(s.space, shared), 3);
    auto errno_of = [](const lib::Expected<void>& r) { return r ? 0 : int(vm::error_number(r.error())); };
    EXPECT_EQ(errno_of(s->madvise(shared, kPage, MADV_FREE)), EINVAL);
    EXPECT_EQ(errno_of(s->madvise(priv, kPage, 77)), EINVAL);
    EXPECT_EQ(errno_of(s->madvise(priv + 1, kPage, MADV_NORMAL)), EINVAL);
    EXPECT_EQ(errno_of(s->madvise(priv, kPage, MADV_REMOVE)), EINVAL);
    EXPECT_EQ(s->madvise(shared, kPage, MADV_REMOVE).has_value(), true);
    EXPECT_EQ(read_byte(s.space, shared), 0);  // the hole reads zero
    // Hints split regions as on Linux, and merge back.
    ASSERT_TRUE(s->madvise(priv, kPage, MADV_RANDOM));
    size_t split = s->region_count();
    ASSERT_TRUE(s->madvise(priv, kPage, MADV_NORMAL));
    EXPECT_EQ(s->region_count(), split - 1);
    EXPECT_EQ(errno_of(s->madvise(0x10000, kPage, MADV_NORMAL)), ENOMEM);
}

TEST(Madvise, PopulateFaultsInOrReportsWhyNot) {
    Space s;
    uint64_t a = *s->mmap(0, 4 * kPage, PROT_READ, kAnon, nullptr, 0);
    auto errno_of = [](const lib::Expected<void>& r) { return r ? 0 : int(vm::error_number(r.error())); };
    EXPECT_EQ(errno_of(s->madvise(a, 4 * kPage, MADV_POPULATE_WRITE)), EINVAL);
    ASSERT_TRUE(s->madvise(a, 4 * kPage, MADV_POPULATE_READ));
    EXPECT_EQ(pte::frame(s->entry_at(a + 3 * kPage)), s.frames.zero_frame());
    EXPECT_EQ(errno_of(s->madvise(a, 5 * kPage, MADV_POPULATE_READ)), ENOMEM);
}

}  // namespace
