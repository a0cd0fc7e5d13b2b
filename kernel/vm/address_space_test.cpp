// mmap, munmap, mprotect and brk against what Linux 6.1 does: placement
// (top-down below the mmap base, hints, MAP_FIXED replacing, the stack's
// guard gap), errno for each bad argument, splits and merges of regions,
// the limits, and that every frame comes back.
#include "kernel/vm/address_space.hpp"

#include <gtest/gtest.h>
#include <linux/mman.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "kernel/vm/errors.hpp"
#include "kernel/vm/testing.hpp"

namespace {

using vm::Access;
using vm::FaultResult;
using vm::testing::FakeFile;
using vm::testing::Space;

constexpr uint64_t kPage = 4096;
constexpr uint64_t kRw = PROT_READ | PROT_WRITE;
constexpr uint64_t kAnon = MAP_PRIVATE | MAP_ANONYMOUS;
constexpr uint64_t kMmapBase = 0x7ffff7fff000;

template <typename T>
int errno_of(const lib::Expected<T>& result) {
    return result ? 0 : int(vm::error_number(result.error()));
}

std::vector<std::pair<uint64_t, uint64_t>> regions(Space& s) {
    std::vector<std::pair<uint64_t, uint64_t>> out;
    s->for_each_region([&](const vm::Vma& vma) { out.push_back({vma.start, vma.end}); });
    return out;
}

uint8_t read_byte(Space& s, uint64_t address) {
    uint8_t value = 0xee;
    EXPECT_TRUE(s->read_memory(address, &value, 1));
    return value;
}

// The set of CPUs that may cache an address space's translations: each
// CPU joins and leaves on its own, in whichever word it falls (on x86-64
// one LOCK BTS / BTR with the bit offset reaching past the first word).
TEST(CpuSet, JoinAndLeaveInEveryWord) {
    vm::CpuSet set;
    EXPECT_TRUE(set.empty());
    const size_t cpus[] = {0, 1, 63, 64, 65, 127, 128, 200, 255};
    for (size_t cpu : cpus) set.add(cpu);
    for (size_t cpu = 0; cpu < vm::kMaxCpus; ++cpu) {
        bool in = false;
        for (size_t c : cpus) in |= c == cpu;
        EXPECT_EQ(set.contains(cpu), in) << cpu;
    }
    std::vector<size_t> seen;
    set.for_each([&](size_t cpu) { seen.push_back(cpu); });
    EXPECT_EQ(seen, std::vector<size_t>(std::begin(cpus), std::end(cpus)));
    set.add(64);  // already in: stays in, once
    set.remove(64);
    EXPECT_FALSE(set.contains(64));
    EXPECT_TRUE(set.contains(63));
    EXPECT_TRUE(set.contains(65));
    for (size_t cpu : cpus) set.remove(cpu);
    EXPECT_TRUE(set.empty());
    set.remove(7);  // not in: nothing changes
    EXPECT_TRUE(set.empty());
}

TEST(Mmap, AnonymousMappingsGoTopDownBelowTheBaseAndMerge) {
    Space s;
    uint64_t a = *s->mmap(0, 3 * kPage, kRw, kAnon, nullptr, 0);
    EXPECT_EQ(a, kMmapBase - 3 * kPage);
    uint64_t b = *s->mmap(0, kPage, kRw, kAnon, nullptr, 0);
    EXPECT_EQ(b, a - kPage);
    // Same rights, adjacent, anonymous: one region, as /proc/<pid>/maps shows on Linux.
    EXPECT_EQ(regions(s), (std::vector<std::pair<uint64_t, uint64_t>>{{b, kMmapBase}}));
    uint64_t c = *s->mmap(0, kPage, PROT_READ, kAnon, nullptr, 0);
    EXPECT_EQ(c, b - kPage);
    EXPECT_EQ(s->region_count(), 2u);
    EXPECT_EQ(s->counters().total_pages, 5u);
    EXPECT_EQ(s->counters().data_pages, 4u);
}

// As on Linux (checked on the host): neighbours that got their private pages
// separately stay apart; a region that could have merged but for its rights
// shares its neighbour's pages' identity and merges once the rights agree.
TEST(Mmap, RegionsWithSeparatelyMadePrivatePagesDoNotMerge) {
    Space s;
    uint64_t a = *s->mmap(0x600000000000, 2 * kPage, kRw, kAnon | MAP_FIXED_NOREPLACE, nullptr, 0);
    uint64_t b = *s->mmap(a + 2 * kPage, 2 * kPage, PROT_READ, kAnon | MAP_FIXED_NOREPLACE, nullptr, 0);
    ASSERT_TRUE(s->madvise(b, 2 * kPage, MADV_RANDOM));
    uint8_t one = 1;
    ASSERT_TRUE(s->write_memory(a, &one, 1));
    ASSERT_TRUE(s->mprotect(b, 2 * kPage, kRw));
    ASSERT_TRUE(s->write_memory(b, &one, 1));
    ASSERT_TRUE(s->madvise(b, 2 * kPage, MADV_NORMAL));
    EXPECT_EQ(s->region_count(), 2u);

    uint64_t c = *s->mmap(0x610000000000, 2 * kPage, kRw, kAnon | MAP_FIXED_NOREPLACE, nullptr, 0);
    uint64_t d = *s->mmap(c + 2 * kPage, 2 * kPage, PROT_READ, kAnon | MAP_FIXED_NOREPLACE, nullptr, 0);
    ASSERT_TRUE(s->write_memory(c, &one, 1));
    ASSERT_TRUE(s->mprotect(d, 2 * kPage, kRw));
    ASSERT_TRUE(s->write_memory(d, &one, 1));
    EXPECT_EQ(s->region_count(), 3u);
}

TEST(Mmap, UntouchedMemoryReadsZeroWithoutUsingFrames) {
    Space s;
    uint64_t a = *s->mmap(0, 16 * kPage, kRw, kAnon, nullptr, 0);
    for (uint64_t p = a; p < a + 16 * kPage; p += kPage)
        EXPECT_EQ(s->handle_fault(p, Access::kRead), FaultResult::kResolved);
    // Sixteen reads, one page table chain, no data frame: the zero page.
    EXPECT_EQ(s.frames.live(), s.baseline + 3);
    EXPECT_EQ(read_byte(s, a + 5), 0);
    EXPECT_EQ(s->counters().rss_anon, 0u);
    uint8_t value = 7;
    ASSERT_TRUE(s->write_memory(a + kPage + 1, &value, 1));
    EXPECT_EQ(read_byte(s, a + kPage + 1), 7);
    EXPECT_EQ(read_byte(s, a + 1), 0);  // the neighbour still maps the zero page
    EXPECT_EQ(s.frames.live(), s.baseline + 4);
    EXPECT_EQ(s->counters().rss_anon, 1u);
}

TEST(Mmap, ErrnoForBadArgumentsIsLinuxs) {
    Space s;
    EXPECT_EQ(errno_of(s->mmap(0, 0, kRw, kAnon, nullptr, 0)), EINVAL);              // no length
    EXPECT_EQ(errno_of(s->mmap(0, kPage, kRw, kAnon, nullptr, 1)), EINVAL);          // offset not page aligned
    EXPECT_EQ(errno_of(s->mmap(0, kPage, kRw, MAP_ANONYMOUS, nullptr, 0)), EINVAL);  // neither shared nor private
    EXPECT_EQ(errno_of(s->mmap(0, kPage, kRw, MAP_ANONYMOUS | MAP_SHARED_VALIDATE, nullptr, 0)), EINVAL);
    EXPECT_EQ(errno_of(s->mmap(0, kPage, kRw, MAP_PRIVATE, nullptr, 0)), EBADF);  // no file, not anonymous
    EXPECT_EQ(errno_of(s->mmap(0x10001000 + 1, kPage, kRw, kAnon | MAP_FIXED, nullptr, 0)), EINVAL);
    EXPECT_EQ(errno_of(s->mmap(0x7ffffffff000, kPage, kRw, kAnon | MAP_FIXED, nullptr, 0)), ENOMEM);
    EXPECT_EQ(errno_of(s->mmap(0, ~0ULL - 100, kRw, kAnon, nullptr, 0)), ENOMEM);            // rounds up to 0
    EXPECT_EQ(errno_of(s->mmap(0, 1ULL << 48, kRw, kAnon, nullptr, 0)), ENOMEM);             // larger than user space
    EXPECT_EQ(errno_of(s->mmap(0x1000, kPage, kRw, kAnon | MAP_FIXED, nullptr, 0)), EPERM);  // below mmap_min_addr
    EXPECT_EQ(errno_of(s->mmap(0, kPage, kRw, kAnon | MAP_HUGETLB, nullptr, 0)), ENOMEM);
    EXPECT_EQ(errno_of(s->mmap(0, kPage, kRw, kAnon | MAP_HUGETLB | (5u << MAP_HUGE_SHIFT), nullptr, 0)), EINVAL);
    EXPECT_EQ(errno_of(s->mmap(0, 2 * kPage, kRw, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, nullptr, 0)), EINVAL);
    EXPECT_EQ(s->region_count(), 0u);
    EXPECT_EQ(s.frames.live(), s.baseline);
}

// A file with no mmap (a pipe here): ENODEV, after the access checks, as
// the host kernel answers for a real pipe.
TEST(Mmap, FileThatCannotBeMappedIsEnodev) {
    int pipe_ends[2];
    ASSERT_EQ(pipe(pipe_ends), 0);
    errno = 0;
    EXPECT_EQ(::mmap(nullptr, kPage, PROT_READ, MAP_PRIVATE, pipe_ends[0], 0), MAP_FAILED);
    int host_errno = errno;
    close(pipe_ends[0]);
    close(pipe_ends[1]);
    EXPECT_EQ(host_errno, ENODEV);

    Space s;
    vm::FileMapping pipe_end{nullptr, true, false, false, false};
    EXPECT_EQ(errno_of(s->mmap(0, kPage, PROT_READ, MAP_PRIVATE, &pipe_end, 0)), host_errno);
    EXPECT_EQ(errno_of(s->mmap(0, kPage, PROT_READ, MAP_SHARED, &pipe_end, 0)), host_errno);
    vm::FileMapping write_only{nullptr, false, true, false, false};
    EXPECT_EQ(errno_of(s->mmap(0, kPage, PROT_READ, MAP_PRIVATE, &write_only, 0)), EACCES);  // checked first
    EXPECT_EQ(s->region_count(), 0u);
}

TEST(Mmap, FixedReplacesWhatWasThereAndNoReplaceRefuses) {
    Space s;
    uint64_t a = *s->mmap(0, 4 * kPage, kRw, kAnon, nullptr, 0);
    uint8_t value = 9;
    ASSERT_TRUE(s->write_memory(a + kPage, &value, 1));
    EXPECT_EQ(errno_of(s->mmap(a + kPage, kPage, kRw, kAnon | MAP_FIXED_NOREPLACE, nullptr, 0)), EEXIST);
    EXPECT_EQ(read_byte(s, a + kPage), 9);
    EXPECT_EQ(*s->mmap(a + kPage, kPage, PROT_READ, kAnon | MAP_FIXED, nullptr, 0), a + kPage);
    EXPECT_EQ(read_byte(s, a + kPage), 0);  // the old page is gone
    EXPECT_EQ(s->region_count(), 3u);       // split around the replacement
    EXPECT_EQ(s->counters().total_pages, 4u);
    // NOREPLACE over free space works and behaves as MAP_FIXED.
    EXPECT_EQ(*s->mmap(0x100000000, kPage, kRw, kAnon | MAP_FIXED_NOREPLACE, nullptr, 0), 0x100000000u);
}

TEST(Mmap, HintsAreTakenWhenFreeAndRoundedUpToMmapMinAddr) {
    Space s;
    EXPECT_EQ(*s->mmap(0x200000000 + 123, kPage, kRw, kAnon, nullptr, 0), 0x200000000u);  // rounded down
    // Taken already: placed top-down instead.
    EXPECT_EQ(*s->mmap(0x200000000, kPage, kRw, kAnon, nullptr, 0), kMmapBase - kPage);
    // Below vm.mmap_min_addr: moved up to it.
    EXPECT_EQ(*s->mmap(0x1000, kPage, kRw, kAnon, nullptr, 0), uapi::kMmapMinAddr);
    // A hint inside the stack's guard gap is not taken.
    ASSERT_TRUE(s->map_stack(0x7ffffffde000 + 0x21000, 0x21000, false));
    uint64_t in_gap = 0x7ffffffde000 - kPage;
    EXPECT_NE(*s->mmap(in_gap, kPage, kRw, kAnon, nullptr, 0), in_gap);
}

TEST(Mmap, NewMappingsKeepTheStackGuardGapFree) {
    Space s;
    s->layout().mmap_base = 0x7ffffffff000;  // directly above the stack
    uint64_t stack_top = 0x7ffffffff000, stack_size = 0x21000;
    ASSERT_TRUE(s->map_stack(stack_top, stack_size, false));
    uint64_t a = *s->mmap(0, kPage, kRw, kAnon, nullptr, 0);
    EXPECT_EQ(a, stack_top - stack_size - uapi::kStackGuardGap - kPage);
}

TEST(Mmap, FilePermissionsFollowTheOpenMode) {
    Space s;
    FakeFile& file = s.file(std::vector<uint8_t>(3 * kPage, 0x11));
    vm::FileMapping read_only{&file, true, false, false, false};
    EXPECT_EQ(errno_of(s->mmap(0, kPage, kRw, MAP_SHARED, &read_only, 0)), EACCES);
    EXPECT_TRUE(s->mmap(0, kPage, kRw, MAP_PRIVATE, &read_only, 0));  // private copies may be written
    uint64_t shared_ro = *s->mmap(0, kPage, PROT_READ, MAP_SHARED, &read_only, 0);
    EXPECT_EQ(errno_of(s->mprotect(shared_ro, kPage, kRw)), EACCES);  // no VM_MAYWRITE
    vm::FileMapping write_only{&file, false, true, false, false};
    EXPECT_EQ(errno_of(s->mmap(0, kPage, PROT_READ, MAP_PRIVATE, &write_only, 0)), EACCES);
    vm::FileMapping append{&file, true, true, true, false};
    EXPECT_EQ(errno_of(s->mmap(0, kPage, PROT_READ, MAP_SHARED, &append, 0)), EACCES);
    vm::FileMapping noexec{&file, true, false, false, true};
    EXPECT_EQ(errno_of(s->mmap(0, kPage, PROT_READ | PROT_EXEC, MAP_PRIVATE, &noexec, 0)), EPERM);
    uint64_t plain = *s->mmap(0, kPage, PROT_READ, MAP_PRIVATE, &noexec, 0);
    EXPECT_EQ(errno_of(s->mprotect(plain, kPage, PROT_READ | PROT_EXEC)), EACCES);
    vm::FileMapping rw{&file, true, true, false, false};
    EXPECT_EQ(errno_of(s->mmap(0, kPage, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, &rw, 0)), EOPNOTSUPP);
    EXPECT_TRUE(s->mmap(0, kPage, PROT_READ, MAP_SHARED | MAP_SYNC, &rw, 0));  // ignored without VALIDATE
    EXPECT_EQ(errno_of(s->mmap(0, kPage, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, &rw, 0)), EINVAL);
    EXPECT_EQ(errno_of(s->mmap(0, kPage, PROT_READ, MAP_PRIVATE, &rw, (1ULL << 63) - kPage)), EOVERFLOW);
    EXPECT_EQ(errno_of(s->mmap(0, kPage, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, &rw, 0)), EINVAL);
    EXPECT_EQ(file.references, int(s->region_count()));
}

TEST(Mmap, LimitsOnAddressSpaceAndDataAreEnforced) {
    Space s;
    s->limits().address_space = 16 * kPage;
    EXPECT_TRUE(s->mmap(0, 16 * kPage, PROT_READ, kAnon, nullptr, 0));
    EXPECT_EQ(errno_of(s->mmap(0, kPage, PROT_READ, kAnon, nullptr, 0)), ENOMEM);
    s->limits().address_space = vm::kUnlimited;
    s->limits().data = 4 * kPage;
    EXPECT_EQ(errno_of(s->mmap(0, 5 * kPage, kRw, kAnon, nullptr, 0)), ENOMEM);       // private writable: data
    EXPECT_TRUE(s->mmap(0, 5 * kPage, kRw, MAP_SHARED | MAP_ANONYMOUS, nullptr, 0));  // shared: not data
    uint64_t ro = *s->mmap(0, 5 * kPage, PROT_READ, kAnon, nullptr, 0);
    EXPECT_EQ(errno_of(s->mprotect(ro, 5 * kPage, kRw)), ENOMEM);  // would turn into data
    // MAP_FIXED replacing data counts only the growth.
    uint64_t data = *s->mmap(0, 4 * kPage, kRw, kAnon, nullptr, 0);
    EXPECT_TRUE(s->mmap(data, 4 * kPage, kRw, kAnon | MAP_FIXED, nullptr, 0));
}

TEST(Mmap, HeuristicOvercommitRefusesOnlyImpossiblePrivateMappings) {
    Space s;
    s.services.commit_limit_pages = 1000;
    vm::AddressSpace* small = *vm::AddressSpace::create(s.services);
    EXPECT_EQ(errno_of(small->mmap(0, 1001 * kPage, kRw, kAnon, nullptr, 0)), ENOMEM);
    EXPECT_TRUE(small->mmap(0, 1001 * kPage, kRw, kAnon | MAP_NORESERVE, nullptr, 0));
    EXPECT_TRUE(small->mmap(0, 1001 * kPage, PROT_READ, kAnon, nullptr, 0));
    EXPECT_TRUE(small->mmap(0, 1000 * kPage, kRw, kAnon, nullptr, 0));
    vm::AddressSpace::destroy(small);
}

TEST(Mmap, PopulateFaultsEverythingInAtOnce) {
    Space s;
    uint64_t a = *s->mmap(0, 8 * kPage, kRw, kAnon | MAP_POPULATE, nullptr, 0);
    EXPECT_EQ(s->counters().rss_anon, 8u);
    for (uint64_t p = a; p < a + 8 * kPage; p += kPage) EXPECT_TRUE(vm::pte::writable(s->entry_at(p)));
    uint64_t b = *s->mmap(0, 8 * kPage, kRw, kAnon | MAP_POPULATE | MAP_NONBLOCK, nullptr, 0);
    EXPECT_EQ(s->entry_at(b), 0u);  // MAP_NONBLOCK turns populating off
}

TEST(Munmap, SplitsRegionsAndFreesTheirPages) {
    Space s;
    uint64_t a = *s->mmap(0, 8 * kPage, kRw, kAnon, nullptr, 0);
    ASSERT_TRUE(s->zero_memory(a, 8 * kPage));
    EXPECT_EQ(s->counters().rss_anon, 8u);
    ASSERT_TRUE(s->munmap(a + 2 * kPage, 3 * kPage));
    EXPECT_EQ(regions(s),
              (std::vector<std::pair<uint64_t, uint64_t>>{{a, a + 2 * kPage}, {a + 5 * kPage, a + 8 * kPage}}));
    EXPECT_EQ(s->counters().rss_anon, 5u);
    EXPECT_EQ(s->counters().total_pages, 5u);
    EXPECT_EQ(s->handle_fault(a + 3 * kPage, Access::kRead), FaultResult::kMapError);
    EXPECT_TRUE(s->munmap(a + 2 * kPage, 3 * kPage));  // nothing there: still 0
    EXPECT_EQ(errno_of(s->munmap(a + 1, kPage)), EINVAL);
    EXPECT_EQ(errno_of(s->munmap(a, 0)), EINVAL);
    EXPECT_EQ(errno_of(s->munmap(0x7ffffffff000, 2 * kPage)), EINVAL);
    ASSERT_TRUE(s->munmap(0, 0x7ffffffff000));
    EXPECT_EQ(s->region_count(), 0u);
    EXPECT_EQ(s.frames.live(), s.baseline);  // pages and tables all back
}

TEST(Munmap, FlushesEveryCpuBeforeFreeingFrames) {
    Space s;
    uint64_t a = *s->mmap(0, 4 * kPage, kRw, kAnon, nullptr, 0);
    ASSERT_TRUE(s->zero_memory(a, 4 * kPage));
    s->entered(0);
    s->entered(3);
    s.tlb.clear();
    ASSERT_TRUE(s->munmap(a, 4 * kPage));
    ASSERT_EQ(s.tlb.flushes.size(), 1u);
    EXPECT_TRUE(s.tlb.flushed(a, a + 4 * kPage));
    EXPECT_EQ(s.tlb.flushes[0].cpus, 2u);
    EXPECT_EQ(s.tlb.flushes[0].root, s->root());
    // With no CPU running it, no flush is needed.
    s->left(0);
    s->left(3);
    uint64_t b = *s->mmap(0, kPage, kRw, kAnon, nullptr, 0);
    ASSERT_TRUE(s->zero_memory(b, kPage));
    s.tlb.clear();
    ASSERT_TRUE(s->munmap(b, kPage));
    EXPECT_TRUE(s.tlb.flushes.empty());
}

TEST(Mprotect, SplitsMergesAndKeepsDataThroughProtNone) {
    Space s;
    uint64_t a = *s->mmap(0, 6 * kPage, kRw, kAnon, nullptr, 0);
    uint8_t value = 42;
    ASSERT_TRUE(s->write_memory(a + 3 * kPage, &value, 1));
    ASSERT_TRUE(s->mprotect(a + 2 * kPage, 2 * kPage, PROT_NONE));
    EXPECT_EQ(s->region_count(), 3u);
    EXPECT_EQ(s->handle_fault(a + 3 * kPage, Access::kRead), FaultResult::kAccessError);
    EXPECT_FALSE(vm::pte::present(s->entry_at(a + 3 * kPage)));
    EXPECT_TRUE(s->entry_at(a + 3 * kPage) & vm::pte::kProtNone);
    ASSERT_TRUE(s->mprotect(a + 2 * kPage, 2 * kPage, kRw));
    EXPECT_EQ(s->region_count(), 1u);  // merged back
    EXPECT_EQ(read_byte(s, a + 3 * kPage), 42);
    EXPECT_TRUE(vm::pte::writable(s->entry_at(a + 3 * kPage)));  // its own page: writable again at once
    ASSERT_TRUE(s->mprotect(a, 6 * kPage, PROT_READ));
    EXPECT_EQ(s->handle_fault(a + 3 * kPage, Access::kWrite), FaultResult::kAccessError);
    EXPECT_EQ(s->handle_fault(a + 3 * kPage, Access::kExecute), FaultResult::kAccessError);
    EXPECT_EQ(s->counters().data_pages, 0u);
}

TEST(Mprotect, ErrnoAndPartialChangeAtAHoleAreLinuxs) {
    Space s;
    uint64_t a = *s->mmap(0x300000000, 2 * kPage, kRw, kAnon | MAP_FIXED, nullptr, 0);
    uint64_t b = *s->mmap(a + 3 * kPage, 2 * kPage, kRw, kAnon | MAP_FIXED, nullptr, 0);
    // The first region changes, then the hole is found: ENOMEM, change kept.
    EXPECT_EQ(errno_of(s->mprotect(a, 5 * kPage, PROT_READ)), ENOMEM);
    EXPECT_EQ(s->handle_fault(a, Access::kWrite), FaultResult::kAccessError);
    EXPECT_EQ(s->handle_fault(b, Access::kWrite), FaultResult::kResolved);
    EXPECT_EQ(errno_of(s->mprotect(a + 1, kPage, PROT_READ)), EINVAL);
    EXPECT_EQ(errno_of(s->mprotect(a, kPage, PROT_READ | 0x10)), EINVAL);
    EXPECT_EQ(errno_of(s->mprotect(a, kPage, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP)), EINVAL);
    EXPECT_EQ(errno_of(s->mprotect(a, kPage, PROT_READ | PROT_GROWSDOWN)), EINVAL);  // not a stack
    EXPECT_EQ(errno_of(s->mprotect(a + 2 * kPage, kPage, PROT_READ)), ENOMEM);
    EXPECT_EQ(errno_of(s->mprotect(a, ~0ULL - kPage, PROT_READ)), ENOMEM);
    EXPECT_TRUE(s->mprotect(a + 2 * kPage, 0, PROT_READ));  // zero length: nothing to check
    EXPECT_TRUE(s->mprotect(a, kPage, PROT_READ | 0x8 /* PROT_SEM */));
}

TEST(Mprotect, GrowsDownExtendsToTheStartOfTheStack) {
    Space s;
    uint64_t top = 0x7ffffffff000;
    ASSERT_TRUE(s->map_stack(top, 8 * kPage, false));
    ASSERT_TRUE(s->mprotect(top - 2 * kPage, kPage, PROT_READ | PROT_EXEC | PROT_GROWSDOWN));
    // [start of stack, top - kPage) is now r-x, the last page stays rw.
    EXPECT_EQ(s->handle_fault(top - 8 * kPage, Access::kExecute), FaultResult::kResolved);
    EXPECT_EQ(s->handle_fault(top - kPage, Access::kExecute), FaultResult::kAccessError);
}

TEST(Brk, GrowsShrinksAndFailsTheLinuxWay) {
    Space s;
    uint64_t start = 0x4c9000;
    s->layout().start_brk = s->layout().brk = start;
    EXPECT_EQ(s->brk(0), start);  // a query: below the start
    EXPECT_EQ(s->brk(start + 0x21000 + 5), start + 0x21005);
    EXPECT_EQ(s->region_count(), 1u);
    uint8_t value = 1;
    ASSERT_TRUE(s->write_memory(start + 0x21000, &value, 1));  // the last partial page is mapped
    EXPECT_EQ(s->brk(start + 0x22000), start + 0x22000);       // same page end: no change of regions
    EXPECT_EQ(s->brk(start + 0x1000), start + 0x1000);         // shrink
    EXPECT_EQ(s->handle_fault(start + 0x2000, Access::kRead), FaultResult::kMapError);
    EXPECT_EQ(s->brk(start + 0x2000), start + 0x2000);
    EXPECT_EQ(read_byte(s, start + 0x1000), 0);  // shrunk pages come back zeroed
    // A mapping above: the heap keeps one page free below it.
    ASSERT_TRUE(s->mmap(start + 0x10000, kPage, kRw, kAnon | MAP_FIXED, nullptr, 0));
    EXPECT_EQ(s->brk(start + 0x10000), start + 0x2000);
    EXPECT_EQ(s->brk(start + 0xf000), start + 0xf000);
    EXPECT_EQ(s->brk(start + 0xf001), start + 0xf000);
    // RLIMIT_DATA counts the heap and the data segment.
    s->layout().start_data = 0x4c0000;
    s->layout().end_data = 0x4c8000;
    s->limits().data = 0x8000 + 0x4000;
    EXPECT_EQ(s->brk(start + 0x5000), start + 0xf000);  // checked before anything else, even when shrinking
    EXPECT_EQ(s->brk(start + 0x3000), start + 0x3000);
    EXPECT_EQ(s->brk(~0ULL - 10), start + 0x3000);
}

TEST(AddressSpace, DestroyingOneACpuStillRunsIsRefused) {
    Space s;
    s->entered(1);
    EXPECT_DEATH(vm::AddressSpace::destroy(s.space), "a CPU has it loaded");
    s->left(1);
}

// CLONE_VM without CLONE_THREAD (vfork): two processes use one address
// space. The first to go (the child's exec or exit) leaves the memory to
// the other, even while the other still runs it on a CPU; the last frees
// it, and destroy refuses while someone else still uses it.
TEST(AddressSpace, SharedByTwoProcessesLastUserFreesIt) {
    Space s;
    uint64_t a = *s->mmap(0, 2 * kPage, kRw, kAnon, nullptr, 0);
    ASSERT_TRUE(s->zero_memory(a, 2 * kPage));
    size_t used = s.frames.live();
    s->add_user();
    EXPECT_TRUE(s->shared_by_processes());
    EXPECT_DEATH(vm::AddressSpace::destroy(s.space), "another process uses it");
    s->entered(0);  // the parent runs it on CPU 0 while the child lets go
    vm::AddressSpace::drop_user(s.space);
    EXPECT_FALSE(s->shared_by_processes());
    EXPECT_EQ(s.frames.live(), used);
    EXPECT_EQ(s->handle_fault(a, Access::kWrite), FaultResult::kResolved);
    s->left(0);
    vm::AddressSpace::drop_user(s.space);
    s.space = nullptr;
    EXPECT_EQ(s.frames.live(), 0u);
}

TEST(AddressSpace, DestroyReturnsEveryFrameAndBackingReference) {
    Space s;
    FakeFile& file = s.file(std::vector<uint8_t>(5 * kPage, 3));
    vm::FileMapping rw{&file, true, true, false, false};
    uint64_t a = *s->mmap(0, 5 * kPage, kRw, MAP_PRIVATE, &rw, 0);
    uint64_t b = *s->mmap(0, 5 * kPage, kRw, MAP_SHARED, &rw, 0);
    uint64_t c = *s->mmap(0, 5 * kPage, kRw, MAP_SHARED | MAP_ANONYMOUS, nullptr, 0);
    ASSERT_TRUE(s->zero_memory(a, 5 * kPage));
    ASSERT_TRUE(s->zero_memory(b, kPage));
    ASSERT_TRUE(s->zero_memory(c, 5 * kPage));
    EXPECT_EQ(file.references, 2);
    vm::AddressSpace::destroy(s.space);
    s.space = nullptr;
    EXPECT_EQ(file.references, 0);
    // Only the file's own page cache is left.
    size_t cached = 0;
    for (uint64_t i = 0; i < 5; ++i) cached += file.cached_frame(i) ? 1 : 0;
    EXPECT_EQ(s.frames.live(), cached);
}

}  // namespace
