// kernel/abi/linux_mm.hpp against the host Linux's own headers: every
// number a program passes must be the same.
#include "kernel/abi/linux_mm.hpp"

#include <linux/mman.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "kernel/abi/abi_test.hpp"

namespace {

TEST(LinuxMm, ProtectionBitsEqualTheHostHeaders) {
    EXPECT_SAME(uapi::kProtNone, PROT_NONE);
    EXPECT_SAME(uapi::kProtRead, PROT_READ);
    EXPECT_SAME(uapi::kProtWrite, PROT_WRITE);
    EXPECT_SAME(uapi::kProtExec, PROT_EXEC);
    EXPECT_SAME(uapi::kProtSem, PROT_SEM);
    EXPECT_SAME(uapi::kProtGrowsDown, PROT_GROWSDOWN);
    EXPECT_SAME(uapi::kProtGrowsUp, PROT_GROWSUP);
}

TEST(LinuxMm, MapFlagsEqualTheHostHeaders) {
    EXPECT_SAME(uapi::kMapShared, MAP_SHARED);
    EXPECT_SAME(uapi::kMapPrivate, MAP_PRIVATE);
    EXPECT_SAME(uapi::kMapSharedValidate, MAP_SHARED_VALIDATE);
    EXPECT_SAME(uapi::kMapType, MAP_TYPE);
    EXPECT_SAME(uapi::kMapFixed, MAP_FIXED);
    EXPECT_SAME(uapi::kMapAnonymous, MAP_ANONYMOUS);
    EXPECT_SAME(uapi::kMap32Bit, MAP_32BIT);
    EXPECT_SAME(uapi::kMapGrowsDown, MAP_GROWSDOWN);
    EXPECT_SAME(uapi::kMapDenyWrite, MAP_DENYWRITE);
    EXPECT_SAME(uapi::kMapExecutable, MAP_EXECUTABLE);
    EXPECT_SAME(uapi::kMapLocked, MAP_LOCKED);
    EXPECT_SAME(uapi::kMapNoReserve, MAP_NORESERVE);
    EXPECT_SAME(uapi::kMapPopulate, MAP_POPULATE);
    EXPECT_SAME(uapi::kMapNonBlock, MAP_NONBLOCK);
    EXPECT_SAME(uapi::kMapStack, MAP_STACK);
    EXPECT_SAME(uapi::kMapHugeTlb, MAP_HUGETLB);
    EXPECT_SAME(uapi::kMapSync, MAP_SYNC);
    EXPECT_SAME(uapi::kMapFixedNoReplace, MAP_FIXED_NOREPLACE);
    EXPECT_SAME(uapi::kMapUninitialized, MAP_UNINITIALIZED);
    EXPECT_SAME(uapi::kMapHugeShift, MAP_HUGE_SHIFT);
    EXPECT_SAME(uapi::kMapHugeMask, MAP_HUGE_MASK);
    EXPECT_SAME(uapi::kMapHuge2MB, MAP_HUGE_2MB);
    EXPECT_SAME(uapi::kMapHuge1GB, MAP_HUGE_1GB);
}

TEST(LinuxMm, RemapAdviceAndSyncFlagsEqualTheHostHeaders) {
    EXPECT_SAME(uapi::kMremapMayMove, MREMAP_MAYMOVE);
    EXPECT_SAME(uapi::kMremapFixed, MREMAP_FIXED);
    EXPECT_SAME(uapi::kMremapDontUnmap, MREMAP_DONTUNMAP);
    EXPECT_SAME(uapi::kMadvNormal, MADV_NORMAL);
    EXPECT_SAME(uapi::kMadvRandom, MADV_RANDOM);
    EXPECT_SAME(uapi::kMadvSequential, MADV_SEQUENTIAL);
    EXPECT_SAME(uapi::kMadvWillNeed, MADV_WILLNEED);
    EXPECT_SAME(uapi::kMadvDontNeed, MADV_DONTNEED);
    EXPECT_SAME(uapi::kMadvFree, MADV_FREE);
    EXPECT_SAME(uapi::kMadvRemove, MADV_REMOVE);
    EXPECT_SAME(uapi::kMadvDontFork, MADV_DONTFORK);
    EXPECT_SAME(uapi::kMadvDoFork, MADV_DOFORK);
    EXPECT_SAME(uapi::kMadvMergeable, MADV_MERGEABLE);
    EXPECT_SAME(uapi::kMadvUnmergeable, MADV_UNMERGEABLE);
    EXPECT_SAME(uapi::kMadvHugePage, MADV_HUGEPAGE);
    EXPECT_SAME(uapi::kMadvNoHugePage, MADV_NOHUGEPAGE);
    EXPECT_SAME(uapi::kMadvDontDump, MADV_DONTDUMP);
    EXPECT_SAME(uapi::kMadvDoDump, MADV_DODUMP);
    EXPECT_SAME(uapi::kMadvWipeOnFork, MADV_WIPEONFORK);
    EXPECT_SAME(uapi::kMadvKeepOnFork, MADV_KEEPONFORK);
    EXPECT_SAME(uapi::kMadvCold, MADV_COLD);
    EXPECT_SAME(uapi::kMadvPageOut, MADV_PAGEOUT);
    EXPECT_SAME(uapi::kMadvPopulateRead, MADV_POPULATE_READ);
    EXPECT_SAME(uapi::kMadvPopulateWrite, MADV_POPULATE_WRITE);
    EXPECT_SAME(uapi::kMadvDontNeedLocked, MADV_DONTNEED_LOCKED);
    EXPECT_SAME(uapi::kMadvCollapse, MADV_COLLAPSE);
    EXPECT_SAME(uapi::kMadvHwPoison, MADV_HWPOISON);
    EXPECT_SAME(uapi::kMadvSoftOffline, MADV_SOFT_OFFLINE);
    EXPECT_SAME(uapi::kMsAsync, MS_ASYNC);
    EXPECT_SAME(uapi::kMsInvalidate, MS_INVALIDATE);
    EXPECT_SAME(uapi::kMsSync, MS_SYNC);
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
