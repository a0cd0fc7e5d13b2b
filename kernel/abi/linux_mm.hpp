// The Linux x86_64 memory-management ABI: the flag numbers of mmap,
// mprotect, mremap, madvise and msync as user programs pass them, plus the
// address-space constants of Linux on x86_64 (4-level paging) that programs
// can observe. Numbers are facts of the UAPI headers (asm-generic/mman.h,
// asm-generic/mman-common.h, asm/mman.h, linux/mman.h; mmap(2), mremap(2),
// madvise(2), msync(2)); linux_mm_test.cpp checks each against the host's
// own headers. Layout constants are restated in docs/vm.md.
#pragma once

#include <stdint.h>

namespace uapi {

// mmap(2) / mprotect(2) `prot`.
inline constexpr uint64_t kProtNone = 0x0;
inline constexpr uint64_t kProtRead = 0x1;
inline constexpr uint64_t kProtWrite = 0x2;
inline constexpr uint64_t kProtExec = 0x4;
inline constexpr uint64_t kProtSem = 0x8;               // accepted, no effect on x86_64
inline constexpr uint64_t kProtGrowsDown = 0x01000000;  // mprotect only: extend to the start of a stack
inline constexpr uint64_t kProtGrowsUp = 0x02000000;    // mprotect only: not on x86_64

// mmap(2) `flags`.
inline constexpr uint64_t kMapShared = 0x01;
inline constexpr uint64_t kMapPrivate = 0x02;
inline constexpr uint64_t kMapSharedValidate = 0x03;  // MAP_SHARED that rejects unknown flags (EOPNOTSUPP)
inline constexpr uint64_t kMapType = 0x0f;            // the mask of the three above
inline constexpr uint64_t kMapFixed = 0x10;
inline constexpr uint64_t kMapAnonymous = 0x20;
inline constexpr uint64_t kMap32Bit = 0x40;  // x86_64: place below 2 GiB
inline constexpr uint64_t kMapGrowsDown = 0x0100;
inline constexpr uint64_t kMapDenyWrite = 0x0800;   // ignored
inline constexpr uint64_t kMapExecutable = 0x1000;  // ignored
inline constexpr uint64_t kMapLocked = 0x2000;
inline constexpr uint64_t kMapNoReserve = 0x4000;
inline constexpr uint64_t kMapPopulate = 0x008000;
inline constexpr uint64_t kMapNonBlock = 0x010000;
inline constexpr uint64_t kMapStack = 0x020000;
inline constexpr uint64_t kMapHugeTlb = 0x040000;
inline constexpr uint64_t kMapSync = 0x080000;
inline constexpr uint64_t kMapFixedNoReplace = 0x100000;
inline constexpr uint64_t kMapUninitialized = 0x4000000;
inline constexpr unsigned kMapHugeShift = 26;  // log2 of the huge page size in bits 26..31
inline constexpr uint64_t kMapHugeMask = 0x3f;
inline constexpr uint64_t kMapHuge2MB = 21ULL << kMapHugeShift;
inline constexpr uint64_t kMapHuge1GB = 30ULL << kMapHugeShift;

// The flags every mmap implementation accepts (Linux's LEGACY_MAP_MASK,
// include/linux/mman.h): with MAP_SHARED_VALIDATE any other bit is EOPNOTSUPP
// unless the file supports it.
inline constexpr uint64_t kMapLegacyMask = kMapShared | kMapPrivate | kMapFixed | kMapAnonymous | kMapDenyWrite |
                                           kMapExecutable | kMapUninitialized | kMapGrowsDown | kMapLocked |
                                           kMapNoReserve | kMapPopulate | kMapNonBlock | kMapStack | kMapHugeTlb |
                                           kMap32Bit | kMapHuge2MB | kMapHuge1GB;

// mremap(2) `flags`.
inline constexpr uint64_t kMremapMayMove = 1;
inline constexpr uint64_t kMremapFixed = 2;
inline constexpr uint64_t kMremapDontUnmap = 4;

// madvise(2) `advice`.
inline constexpr int kMadvNormal = 0;
inline constexpr int kMadvRandom = 1;
inline constexpr int kMadvSequential = 2;
inline constexpr int kMadvWillNeed = 3;
inline constexpr int kMadvDontNeed = 4;
inline constexpr int kMadvFree = 8;
inline constexpr int kMadvRemove = 9;
inline constexpr int kMadvDontFork = 10;
inline constexpr int kMadvDoFork = 11;
inline constexpr int kMadvMergeable = 12;
inline constexpr int kMadvUnmergeable = 13;
inline constexpr int kMadvHugePage = 14;
inline constexpr int kMadvNoHugePage = 15;
inline constexpr int kMadvDontDump = 16;
inline constexpr int kMadvDoDump = 17;
inline constexpr int kMadvWipeOnFork = 18;
inline constexpr int kMadvKeepOnFork = 19;
inline constexpr int kMadvCold = 20;
inline constexpr int kMadvPageOut = 21;
inline constexpr int kMadvPopulateRead = 22;
inline constexpr int kMadvPopulateWrite = 23;
inline constexpr int kMadvDontNeedLocked = 24;
inline constexpr int kMadvCollapse = 25;
inline constexpr int kMadvHwPoison = 100;
inline constexpr int kMadvSoftOffline = 101;

// msync(2) `flags`.
inline constexpr uint64_t kMsAsync = 1;
inline constexpr uint64_t kMsInvalidate = 2;
inline constexpr uint64_t kMsSync = 4;

// The user address space of Linux on x86_64 with 4-level paging
// (arch/x86/include/asm/page_64_types.h, processor.h): user addresses are
// [0, kTaskSize); the top page below 2^47 is never handed out, so a SYSRET
// to the last user address never lands on a non-canonical RIP.
inline constexpr uint64_t kPageSize = 4096;
inline constexpr uint64_t kTaskSize = (1ULL << 47) - kPageSize;  // 0x7ffffffff000
inline constexpr uint64_t kStackTop = kTaskSize;                 // STACK_TOP before randomisation
// Defaults of the sysctls a program can observe.
inline constexpr uint64_t kMmapMinAddr = 65536;              // vm.mmap_min_addr (Debian's default)
inline constexpr uint64_t kMaxMapCount = 65530;              // vm.max_map_count
inline constexpr uint64_t kStackGuardGap = 256 * kPageSize;  // stack_guard_gap: 1 MiB kept free below a stack

}  // namespace uapi
