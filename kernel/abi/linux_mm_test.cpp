// kernel/abi/linux_mm.hpp against the host Linux's own headers: every
// number a program passes must be the same.
#include "kernel/abi/linux_mm.hpp"

#include <gtest/gtest.h>
#include <linux/mman.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace {

TEST(LinuxMm, ProtectionBitsEqualTheHostHeaders) {
    EXPECT_EQ(uapi::kProtNone, uint64_t(PROT_NONE));
    EXPECT_EQ(uapi::kProtRead, uint64_t(PROT_READ));
    EXPECT_EQ(uapi::kProtWrite, uint64_t(PROT_WRITE));
    EXPECT_EQ(uapi::kProtExec, uint64_t(PROT_EXEC));
    EXPECT_EQ(uapi::kProtSem, uint64_t(PROT_SEM));
    EXPECT_EQ(uapi::kProtGrowsDown, uint64_t(PROT_GROWSDOWN));
    EXPECT_EQ(uapi::kProtGrowsUp, uint64_t(PROT_GROWSUP));
}

TEST(LinuxMm, MapFlagsEqualTheHostHeaders) {
    EXPECT_EQ(uapi::kMapShared, uint64_t(MAP_SHARED));
    EXPECT_EQ(uapi::kMapPrivate, uint64_t(MAP_PRIVATE));
    EXPECT_EQ(uapi::kMapSharedValidate, uint64_t(MAP_SHARED_VALIDATE));
    EXPECT_EQ(uapi::kMapType, uint64_t(MAP_TYPE));
    EXPECT_EQ(uapi::kMapFixed, uint64_t(MAP_FIXED));
    EXPECT_EQ(uapi::kMapAnonymous, uint64_t(MAP_ANONYMOUS));
    EXPECT_EQ(uapi::kMap32Bit, uint64_t(MAP_32BIT));
    EXPECT_EQ(uapi::kMapGrowsDown, uint64_t(MAP_GROWSDOWN));
    EXPECT_EQ(uapi::kMapDenyWrite, uint64_t(MAP_DENYWRITE));
    EXPECT_EQ(uapi::kMapExecutable, uint64_t(MAP_EXECUTABLE));
    EXPECT_EQ(uapi::kMapLocked, uint64_t(MAP_LOCKED));
    EXPECT_EQ(uapi::kMapNoReserve, uint64_t(MAP_NORESERVE));
    EXPECT_EQ(uapi::kMapPopulate, uint64_t(MAP_POPULATE));
    EXPECT_EQ(uapi::kMapNonBlock, uint64_t(MAP_NONBLOCK));
    EXPECT_EQ(uapi::kMapStack, uint64_t(MAP_STACK));
    EXPECT_EQ(uapi::kMapHugeTlb, uint64_t(MAP_HUGETLB));
    EXPECT_EQ(uapi::kMapSync, uint64_t(MAP_SYNC));
    EXPECT_EQ(uapi::kMapFixedNoReplace, uint64_t(MAP_FIXED_NOREPLACE));
    EXPECT_EQ(uapi::kMapUninitialized, uint64_t(MAP_UNINITIALIZED));
    EXPECT_EQ(uapi::kMapHugeShift, unsigned(MAP_HUGE_SHIFT));
    EXPECT_EQ(uapi::kMapHugeMask, uint64_t(MAP_HUGE_MASK));
    EXPECT_EQ(uapi::kMapHuge2MB, uint64_t(MAP_HUGE_2MB));
    EXPECT_EQ(uapi::kMapHuge1GB, uint64_t(MAP_HUGE_1GB));
}

TEST(LinuxMm, RemapAdviceAndSyncFlagsEqualTheHostHeaders) {
    EXPECT_EQ(uapi::kMremapMayMove, uint64_t(MREMAP_MAYMOVE));
    EXPECT_EQ(uapi::kMremapFixed, uint64_t(MREMAP_FIXED));
    EXPECT_EQ(uapi::kMremapDontUnmap, uint64_t(MREMAP_DONTUNMAP));
    EXPECT_EQ(uapi::kMadvNormal, MADV_NORMAL);
    EXPECT_EQ(uapi::kMadvRandom, MADV_RANDOM);
    EXPECT_EQ(uapi::kMadvSequential, MADV_SEQUENTIAL);
    EXPECT_EQ(uapi::kMadvWillNeed, MADV_WILLNEED);
    EXPECT_EQ(uapi::kMadvDontNeed, MADV_DONTNEED);
    EXPECT_EQ(uapi::kMadvFree, MADV_FREE);
    EXPECT_EQ(uapi::kMadvRemove, MADV_REMOVE);
    EXPECT_EQ(uapi::kMadvDontFork, MADV_DONTFORK);
    EXPECT_EQ(uapi::kMadvDoFork, MADV_DOFORK);
    EXPECT_EQ(uapi::kMadvMergeable, MADV_MERGEABLE);
    EXPECT_EQ(uapi::kMadvUnmergeable, MADV_UNMERGEABLE);
    EXPECT_EQ(uapi::kMadvHugePage, MADV_HUGEPAGE);
    EXPECT_EQ(uapi::kMadvNoHugePage, MADV_NOHUGEPAGE);
    EXPECT_EQ(uapi::kMadvDontDump, MADV_DONTDUMP);
    EXPECT_EQ(uapi::kMadvDoDump, MADV_DODUMP);
    EXPECT_EQ(uapi::kMadvWipeOnFork, MADV_WIPEONFORK);
    EXPECT_EQ(uapi::kMadvKeepOnFork, MADV_KEEPONFORK);
    EXPECT_EQ(uapi::kMadvCold, MADV_COLD);
    EXPECT_EQ(uapi::kMadvPageOut, MADV_PAGEOUT);
    EXPECT_EQ(uapi::kMadvPopulateRead, MADV_POPULATE_READ);
    EXPECT_EQ(uapi::kMadvPopulateWrite, MADV_POPULATE_WRITE);
    EXPECT_EQ(uapi::kMadvDontNeedLocked, MADV_DONTNEED_LOCKED);
    EXPECT_EQ(uapi::kMadvCollapse, MADV_COLLAPSE);
    EXPECT_EQ(uapi::kMadvHwPoison, MADV_HWPOISON);
    EXPECT_EQ(uapi::kMadvSoftOffline, MADV_SOFT_OFFLINE);
    EXPECT_EQ(uapi::kMsAsync, uint64_t(MS_ASYNC));
    EXPECT_EQ(uapi::kMsInvalidate, uint64_t(MS_INVALIDATE));
    EXPECT_EQ(uapi::kMsSync, uint64_t(MS_SYNC));
}

TEST(LinuxMm, PageSizeMatchesThisHost) {
    EXPECT_EQ(uapi::kPageSize, uint64_t(sysconf(_SC_PAGESIZE)));
}

// MAP_SHARED_VALIDATE on a plain file accepts every flag of the legacy mask
// and refuses one outside it with EOPNOTSUPP: the host kernel agrees with
// kMapLegacyMask bit by bit.
TEST(LinuxMm, LegacyMaskIsWhatTheHostAcceptsWithSharedValidate) {
    FILE* file = tmpfile();
    ASSERT_NE(file, nullptr);
    int fd = fileno(file);
    ASSERT_EQ(ftruncate(fd, 4096), 0);
    for (unsigned bit = 4; bit < 32; ++bit) {
        uint64_t flag = 1ULL << bit;
        if (flag == uapi::kMapFixed) continue;  // needs an address of its own
        errno = 0;
        void* p = mmap(nullptr, 4096, PROT_READ, int(uapi::kMapSharedValidate | flag), fd, 0);
        int error = p == MAP_FAILED ? errno : 0;
        if (p != MAP_FAILED) munmap(p, 4096);
        bool legacy = (uapi::kMapLegacyMask & flag) != 0;
        if (legacy) EXPECT_NE(error, EOPNOTSUPP) << "flag 0x" << std::hex << flag;
        if (flag == uapi::kMapSync) EXPECT_EQ(error, EOPNOTSUPP);
    }
    fclose(file);
}

}  // namespace
