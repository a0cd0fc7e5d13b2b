// madvise(2) and msync(2), in the order of checks of Linux 6.1's
// mm/madvise.c and mm/msync.c. MADV_DONTNEED really drops the pages (private
// anonymous memory reads zero again, a private file mapping the file, shared
// memory what the object holds); the hints that only tune paging are
// accepted (MADV_FREE included: see below), and those Linux records as region
// flags split regions as there.
#include "kernel/abi/linux_mm.hpp"
#include "kernel/vm/address_space.hpp"
#include "kernel/vm/errors.hpp"

namespace vm {
namespace {
using lib::Errno;
constexpr uint64_t page_align(uint64_t value) {
    return (value + kPageSize - 1) & ~(kPageSize - 1);
}

bool valid_advice(int advice) {
    switch (advice) {
        case uapi::kMadvNormal:
        case uapi::kMadvRandom:
        case uapi::kMadvSequential:
        case uapi::kMadvWillNeed:
        case uapi::kMadvDontNeed:
        case uapi::kMadvFree:
        case uapi::kMadvRemove:
        case uapi::kMadvDontFork:
        case uapi::kMadvDoFork:
        case uapi::kMadvMergeable:
        case uapi::kMadvUnmergeable:
        case uapi::kMadvHugePage:
        case uapi::kMadvNoHugePage:
        case uapi::kMadvDontDump:
        case uapi::kMadvDoDump:
        case uapi::kMadvWipeOnFork:
        case uapi::kMadvKeepOnFork:
        case uapi::kMadvCold:
        case uapi::kMadvPageOut:
        case uapi::kMadvPopulateRead:
        case uapi::kMadvPopulateWrite:
        case uapi::kMadvDontNeedLocked:
        case uapi::kMadvCollapse:
        case uapi::kMadvHwPoison:
        case uapi::kMadvSoftOffline: return true;
        default: return false;
    }
}
}  // namespace

lib::Expected<void> AddressSpace::madvise(uint64_t address, uint64_t length, int advice) {
    if (!valid_advice(advice)) return error(Errno::kEINVAL, "unknown madvise advice");
    if (address & (kPageSize - 1)) return error(Errno::kEINVAL, "madvise address not page aligned");
    uint64_t size = page_align(length);
    if (length && !size) return error(Errno::kEINVAL, "madvise length overflows");
    uint64_t end = address + size;
    if (end < address) return error(Errno::kEINVAL, "madvise range wraps around");
    if (end == address) return {};
    // Injecting memory errors would need CAP_SYS_ADMIN and real poison handling.
    if (advice == uapi::kMadvHwPoison || advice == uapi::kMadvSoftOffline)
        return error(Errno::kEPERM, "memory error injection is not supported");

    if (advice == uapi::kMadvRemove) return madvise_remove(address, end);
    ksync::Guard guard(lock_);
    if (advice == uapi::kMadvPopulateRead || advice == uapi::kMadvPopulateWrite)
        return madvise_populate(address, end, advice == uapi::kMadvPopulateWrite);
    // madvise_walk_vmas: holes are skipped but reported as ENOMEM at the end.
    bool hole = false;
    uint64_t start = address;
    Vma* vma = regions_.find_next(start);
    for (;;) {
        if (!vma) return error(Errno::kENOMEM, "madvise of unmapped memory");
        if (start < vma->start) {
            hole = true;
            start = vma->start;
            if (start >= end) break;
        }
        uint64_t stop = lib::min(vma->end, end);
        Vma* done = vma;
        TRY(advise_region(vma, start, stop, advice, done));
        start = lib::max(stop, done->end);
        if (start >= end) break;
        vma = regions_.find_next(start);
    }
    if (hole) return error(Errno::kENOMEM, "madvise range has a hole");
    return {};
}

lib::Expected<void> AddressSpace::advise_region(Vma* vma, uint64_t start, uint64_t end, int advice, Vma*& done) {
    uint32_t flags = vma->flags;
    switch (advice) {
        case uapi::kMadvDontNeed:
        case uapi::kMadvDontNeedLocked:
        case uapi::kMadvFree: {
            uint32_t forbidden = advice == uapi::kMadvDontNeedLocked ? 0 : kVmaLocked;
            if (flags & forbidden) return error(Errno::kEINVAL, "MADV_DONTNEED on locked memory");
            if (advice == uapi::kMadvFree) {
                if (vma->backing || vma->shared())
                    return error(Errno::kEINVAL, "MADV_FREE on memory that is not private anonymous");
                // Linux frees such pages lazily, under memory pressure only,
                // and a program reads its old data until then; nothing here
                // ever reclaims, so the data simply stays.
                return {};
            }
            Gather batch = gather();
            zap(*vma, start, end, batch);
            return {};
        }
        case uapi::kMadvCold:
        case uapi::kMadvPageOut:
            if (flags & kVmaLocked) return error(Errno::kEINVAL, "MADV_COLD on locked memory");
            return {};  // nothing is ever paged out
        case uapi::kMadvWillNeed:
        case uapi::kMadvCollapse: return {};
        case uapi::kMadvNormal: flags &= ~(kVmaRandom | kVmaSequential); break;
        case uapi::kMadvRandom: flags = (flags & ~kVmaSequential) | kVmaRandom; break;
        case uapi::kMadvSequential: flags = (flags & ~kVmaRandom) | kVmaSequential; break;
        case uapi::kMadvDontFork: flags |= kVmaDontFork; break;
        case uapi::kMadvDoFork: flags &= ~kVmaDontFork; break;
        case uapi::kMadvWipeOnFork:
            if (vma->backing || vma->shared())
                return error(Errno::kEINVAL, "MADV_WIPEONFORK on memory that is not private anonymous");
            flags |= kVmaWipeOnFork;
            break;
        case uapi::kMadvKeepOnFork: flags &= ~kVmaWipeOnFork; break;
        case uapi::kMadvDontDump: flags |= kVmaDontDump; break;
        case uapi::kMadvDoDump: flags &= ~kVmaDontDump; break;
        case uapi::kMadvMergeable:
            if (flags & (kVmaShared | kVmaMayShare)) return {};  // KSM ignores shared memory
            flags |= kVmaMergeable;
            break;
        case uapi::kMadvUnmergeable: flags &= ~kVmaMergeable; break;
        case uapi::kMadvHugePage: flags = (flags & ~kVmaNoHugePage) | kVmaHugePage; break;
        case uapi::kMadvNoHugePage: flags = (flags & ~kVmaHugePage) | kVmaNoHugePage; break;
        default: return error(Errno::kEINVAL, "unknown madvise advice");
    }
    return change_region(vma, start, end, vma->prot, flags, done);
}

// MADV_REMOVE (Linux's madvise_remove): a hole punched in the object of
// each shared writable region, with the address space's lock let go
// meanwhile (the object's remove may sleep, and unmap_pages takes every
// mapping's lock, this one's too); every mapping of those pages then
// faults the hole in. The walk as madvise_walk_vmas, starting afresh
// after each region.
lib::Expected<void> AddressSpace::madvise_remove(uint64_t start, uint64_t end) {
    bool hole = false;
    while (start < end) {
        Backing* object = nullptr;
        uint64_t first = 0, stop = 0;
        {
            ksync::Guard guard(lock_);
            Vma* vma = regions_.find_next(start);
            if (!vma) return error(Errno::kENOMEM, "madvise of unmapped memory");
            if (start < vma->start) {
                hole = true;
                start = vma->start;
                if (start >= end) break;
            }
            if (vma->flags & kVmaLocked) return error(Errno::kEINVAL, "MADV_REMOVE on locked memory");
            if (!vma->backing) return error(Errno::kEINVAL, "MADV_REMOVE on anonymous private memory");
            if (!vma->shared() || !(vma->prot & kProtWrite))
                return error(Errno::kEACCES, "MADV_REMOVE on a mapping that is not shared and writable");
            stop = lib::min(vma->end, end);
            object = vma->backing;
            first = vma->page_index(start);
            object->ref();  // the region may go while the lock is let go
        }
        uint64_t count = (stop - start) / kPageSize;
        auto removed = object->remove(first, count);
        if (removed) object->unmap_pages(first, count, false);
        object->unref();
        TRY(removed);
        start = stop;
    }
    if (hole) return error(Errno::kENOMEM, "madvise range has a hole");
    return {};
}

// MADV_POPULATE_READ/WRITE: fault the range in now. A hole is ENOMEM at
// once; rights the access needs are EINVAL; a SIGBUS page is EFAULT.
lib::Expected<void> AddressSpace::madvise_populate(uint64_t start, uint64_t end, bool write) {
    for (uint64_t page = start; page < end; page += kPageSize) {
        Vma* vma = regions_.find(page);
        if (!vma) return error(Errno::kENOMEM, "MADV_POPULATE over unmapped memory");
        // GUP's rights: reading needs PROT_READ, writing PROT_WRITE.
        if (!(vma->prot & (write ? kProtWrite : kProtRead)))
            return error(Errno::kEINVAL, "MADV_POPULATE with an access the mapping forbids");
        switch (resolve(*vma, page, write ? Access::kWrite : Access::kRead, false)) {
            case FaultResult::kResolved: break;
            case FaultResult::kOutOfMemory: return error(Errno::kENOMEM, "no frame to populate a page");
            default: return error(Errno::kEFAULT, "page past the end of its file");
        }
    }
    return {};
}

lib::Expected<void> AddressSpace::msync(uint64_t address, uint64_t length, uint64_t flags) {
    if (flags & ~(uapi::kMsAsync | uapi::kMsInvalidate | uapi::kMsSync))
        return error(Errno::kEINVAL, "unknown msync flags");
    if (address & (kPageSize - 1)) return error(Errno::kEINVAL, "msync address not page aligned");
    if ((flags & uapi::kMsAsync) && (flags & uapi::kMsSync)) return error(Errno::kEINVAL, "MS_ASYNC with MS_SYNC");
    uint64_t end = address + page_align(length);
    if (end < address) return error(Errno::kENOMEM, "msync range wraps around");
    if (end == address) return {};

    ksync::Guard guard(lock_);
    bool hole = false;
    uint64_t start = address;
    Vma* vma = regions_.find_next(start);
    for (;;) {
        if (!vma) return error(Errno::kENOMEM, "msync of unmapped memory");
        if (start < vma->start) {
            if (flags == uapi::kMsAsync) return error(Errno::kENOMEM, "msync of unmapped memory");
            start = vma->start;
            if (start >= end) return error(Errno::kENOMEM, "msync of unmapped memory");
            hole = true;
        }
        if ((flags & uapi::kMsInvalidate) && (vma->flags & kVmaLocked))
            return error(Errno::kEBUSY, "MS_INVALIDATE of locked memory");
        uint64_t stop = lib::min(end, vma->end);
        if ((flags & uapi::kMsSync) && vma->backing && vma->shared())
            TRY(vma->backing->sync(vma->page_index(start), (stop - start) / kPageSize));
        start = vma->end;
        if (start >= end) break;
        vma = vma->next;
    }
    if (hole) return error(Errno::kENOMEM, "msync range has a hole");
    return {};
}

}  // namespace vm
