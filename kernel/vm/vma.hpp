// A region of a user address space (a VMA, as Linux calls it): a page-aligned
// range [start, end) with one set of rights, one kind of memory behind it and
// the flags mmap, mprotect and madvise set. Regions never overlap; the
// VmaTree keeps them ordered (docs/vm.md, "Regions").
#pragma once

#include <stdint.h>

#include "kernel/abi/linux_mm.hpp"

namespace vm {

class Backing;

// Access rights: the same bits as PROT_READ/WRITE/EXEC.
enum Prot : uint8_t {
    kProtNone = 0,
    kProtRead = uint8_t(uapi::kProtRead),
    kProtWrite = uint8_t(uapi::kProtWrite),
    kProtExec = uint8_t(uapi::kProtExec),
};
inline constexpr uint8_t kProtMask = kProtRead | kProtWrite | kProtExec;

// What a region is, beyond its rights (Linux's VM_* flags of the same names).
enum VmaFlag : uint32_t {
    kVmaShared = 1u << 0,      // writes reach the backing object and every other mapping of it
    kVmaMayShare = 1u << 1,    // mapped MAP_SHARED (also when the file is read-only)
    kVmaMayRead = 1u << 2,     // mprotect may add PROT_READ
    kVmaMayWrite = 1u << 3,    // ... PROT_WRITE (not for a shared mapping of a read-only file)
    kVmaMayExec = 1u << 4,     // ... PROT_EXEC (not on a noexec mount)
    kVmaGrowsDown = 1u << 5,   // a stack: a fault just below it extends it
    kVmaNoReserve = 1u << 6,   // MAP_NORESERVE: not counted against the commit limit
    kVmaLocked = 1u << 7,      // MAP_LOCKED / mlock: accepted, nothing is ever paged out anyway
    kVmaDontFork = 1u << 8,    // MADV_DONTFORK: absent from a forked child
    kVmaWipeOnFork = 1u << 9,  // MADV_WIPEONFORK: zero-filled in a forked child
    kVmaDontDump = 1u << 10,   // MADV_DONTDUMP
    kVmaAccount = 1u << 11,    // private writable without MAP_NORESERVE: counted as committed memory
    kVmaShmem = 1u << 12,      // shared anonymous memory (a vm::SharedMemory behind it)
    // madvise hints, kept because they split regions as on Linux (and show in /proc).
    kVmaRandom = 1u << 13,      // MADV_RANDOM
    kVmaSequential = 1u << 14,  // MADV_SEQUENTIAL
    kVmaHugePage = 1u << 15,    // MADV_HUGEPAGE
    kVmaNoHugePage = 1u << 16,  // MADV_NOHUGEPAGE
    kVmaMergeable = 1u << 17,   // MADV_MERGEABLE
};
inline constexpr uint32_t kVmaMayMask = kVmaMayRead | kVmaMayWrite | kVmaMayExec;

// Counted in RLIMIT_DATA (Linux's is_data_mapping): private, writable, not a stack.
constexpr bool is_data_mapping(uint8_t prot, uint32_t flags) {
    return (prot & kProtWrite) && !(flags & (kVmaShared | kVmaGrowsDown));
}
// Counted as program text (Linux's is_exec_mapping): executable, not writable, not a stack.
constexpr bool is_exec_mapping(uint8_t prot, uint32_t flags) {
    return (prot & (kProtExec | kProtWrite)) == kProtExec && !(flags & kVmaGrowsDown);
}

struct Vma {
    uint64_t start = 0;  // page aligned
    uint64_t end = 0;    // page aligned, exclusive
    // Page index in `backing` of `start`; for private anonymous memory the
    // page number the region had when it was created (as Linux's vm_pgoff),
    // so moved regions do not merge with neighbours they never touched.
    uint64_t pgoff = 0;
    Backing* backing = nullptr;  // nullptr: private anonymous memory
    uint32_t flags = 0;
    uint8_t prot = kProtNone;
    // Which private pages the region holds, as Linux's anon_vma tells: 0
    // until its first private page, then an identity shared with the
    // neighbour it was split from or could merge with. Two regions whose
    // identities differ never merge (Linux's is_mergeable_anon_vma), which
    // /proc/<pid>/maps and mremap's "across regions" EFAULT make visible.
    uint64_t anon = 0;
    bool anon_inherited = false;  // a fork's copy: its pages also belong to the parent's identity

    uint64_t size() const { return end - start; }
    uint64_t pages() const { return (end - start) / uapi::kPageSize; }
    bool contains(uint64_t address) const { return address >= start && address < end; }
    bool shared() const { return flags & kVmaShared; }
    bool grows_down() const { return flags & kVmaGrowsDown; }
    // Private memory: anonymous, or a private (copy-on-write) file mapping.
    bool is_private() const { return !(flags & kVmaMayShare); }
    // The page index in the backing object of `address` (inside the region).
    uint64_t page_index(uint64_t address) const { return pgoff + (address - start) / uapi::kPageSize; }
    // Where a new mapping must end at the latest: a stack keeps the guard
    // gap free below it (Linux's vm_start_gap).
    uint64_t start_gap() const {
        if (!grows_down()) return start;
        return start > uapi::kStackGuardGap ? start - uapi::kStackGuardGap : 0;
    }

    // --- kept by VmaTree ---
    Vma* parent = nullptr;
    Vma* left = nullptr;
    Vma* right = nullptr;
    Vma* prev = nullptr;       // the region just below, in address order
    Vma* next = nullptr;       // the region just above
    uint64_t gap = 0;          // free bytes between prev->end (or 0) and start_gap()
    uint64_t subtree_gap = 0;  // the largest `gap` in this subtree
    int height = 1;
};

}  // namespace vm
