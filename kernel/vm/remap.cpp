// mremap(2): shrink in place, grow in place when the space above is free,
// otherwise move (MREMAP_MAYMOVE) to a free range or to a fixed one
// (MREMAP_FIXED, replacing what is there), optionally leaving the old range
// mapped but empty (MREMAP_DONTUNMAP). Pages move with their page-table
// entries, never copied. Checks in the order of Linux 6.1's mm/mremap.c.
#include "kernel/vm/address_space.hpp"
#include "kernel/vm/errors.hpp"

namespace vm {
namespace {
using lib::Errno;
constexpr uint64_t page_align(uint64_t value) {
    return (value + kPageSize - 1) & ~(kPageSize - 1);
}
constexpr bool page_aligned(uint64_t value) {
    return (value & (kPageSize - 1)) == 0;
}
}  // namespace

lib::Expected<uint64_t> AddressSpace::mremap(uint64_t address, uint64_t old_length, uint64_t new_length, uint64_t flags,
                                             uint64_t new_address) {
    if (flags & ~(uapi::kMremapMayMove | uapi::kMremapFixed | uapi::kMremapDontUnmap))
        return error(Errno::kEINVAL, "unknown mremap flags");
    if ((flags & uapi::kMremapFixed) && !(flags & uapi::kMremapMayMove))
        return error(Errno::kEINVAL, "MREMAP_FIXED without MREMAP_MAYMOVE");
    // MREMAP_DONTUNMAP is always a move and never a resize.
    if ((flags & uapi::kMremapDontUnmap) && (!(flags & uapi::kMremapMayMove) || old_length != new_length))
        return error(Errno::kEINVAL, "MREMAP_DONTUNMAP without a same-size move");
    if (!page_aligned(address)) return error(Errno::kEINVAL, "mremap address not page aligned");
    old_length = page_align(old_length);
    new_length = page_align(new_length);
    if (!new_length) return error(Errno::kEINVAL, "mremap to zero bytes");

    ksync::Guard guard(lock_);
    if (!regions_.find(address)) return error(Errno::kEFAULT, "mremap of unmapped memory");
    if (flags & (uapi::kMremapFixed | uapi::kMremapDontUnmap))
        return mremap_to(address, old_length, new_address, new_length, flags);

    if (old_length >= new_length) {
        // Shrinking just unmaps the tail.
        if (old_length != new_length) {
            uint64_t tail = address + new_length;
            if (tail > uapi::kTaskSize || old_length - new_length > uapi::kTaskSize - tail)
                return error(Errno::kEINVAL, "mremap range outside user space");
            TRY(unmap_locked(tail, address + old_length));
        }
        return address;
    }

    Vma* vma = TRY(region_to_resize(address, old_length, new_length, flags));
    if (old_length == vma->end - address) {
        // Growing in place: the range above must be free and inside user space.
        uint64_t delta = new_length - old_length;
        uint64_t new_end = vma->end + delta;
        if (new_end > vma->end && new_end <= uapi::kTaskSize && !regions_.find_intersection(vma->end, new_end) &&
            (vma->start >= uapi::kMmapMinAddr || may_map_low_)) {
            if ((vma->flags & kVmaAccount) && !commit_allows(delta / kPageSize))
                return error(Errno::kENOMEM, "more writable memory than exists");
            vma->end = new_end;
            regions_.update(vma);
            account_pages(vma->prot, vma->flags, int64_t(delta / kPageSize));
            merge_with_neighbours(vma);
            return address;
        }
    }
    if (!(flags & uapi::kMremapMayMove)) return error(Errno::kENOMEM, "no room to grow in place");
    uint64_t map_flags = (vma->flags & kVmaMayShare) ? uapi::kMapShared : 0;
    uint64_t at = TRY(get_unmapped_area(0, new_length, map_flags));
    return move_region(vma, address, old_length, new_length, at, flags);
}

lib::Expected<uint64_t> AddressSpace::mremap_to(uint64_t address, uint64_t old_length, uint64_t new_address,
                                                uint64_t new_length, uint64_t flags) {
    if (!page_aligned(new_address)) return error(Errno::kEINVAL, "mremap new address not page aligned");
    if (new_length > uapi::kTaskSize || new_address > uapi::kTaskSize - new_length)
        return error(Errno::kEINVAL, "mremap target outside user space");
    if (address + old_length > new_address && new_address + new_length > address)
        return error(Errno::kEINVAL, "mremap source and target overlap");
    // Both ranges may split in three: stay clear of the region limit.
    if (regions_.count() + 2 >= uapi::kMaxMapCount - 3) return error(Errno::kENOMEM, "too many regions");
    // Every check on the source comes before the target is unmapped, so a
    // failing call changes nothing (Linux 6.1 unmapped the target first;
    // 6.17 checks first, as here).
    TRY(region_to_resize(address, lib::min(old_length, new_length), new_length, flags));
    if (flags & uapi::kMremapFixed) TRY(unmap_locked(new_address, new_address + new_length));
    if (old_length > new_length) {
        TRY(unmap_locked(address + new_length, address + old_length));
        old_length = new_length;
    }
    Vma* vma = TRY(region_to_resize(address, old_length, new_length, flags));
    if ((flags & uapi::kMremapDontUnmap) && !may_expand(vma->prot, vma->flags, old_length / kPageSize))
        return error(Errno::kENOMEM, "MREMAP_DONTUNMAP over RLIMIT_AS");
    uint64_t map_flags = 0;
    if (flags & uapi::kMremapFixed) map_flags |= uapi::kMapFixed;
    if (vma->flags & kVmaMayShare) map_flags |= uapi::kMapShared;
    uint64_t at = TRY(get_unmapped_area(new_address, new_length, map_flags));
    if (!(flags & uapi::kMremapFixed)) new_address = at;
    return move_region(vma, address, old_length, new_length, new_address, flags);
}

// Linux's vma_to_resize: the region at `address` may become new_length long.
lib::Expected<Vma*> AddressSpace::region_to_resize(uint64_t address, uint64_t old_length, uint64_t new_length,
                                                   uint64_t flags) {
    Vma* vma = regions_.find(address);
    if (!vma) return error(Errno::kEFAULT, "mremap of unmapped memory");
    // old_length 0 duplicates a shared mapping; a private one cannot be.
    if (!old_length && !(vma->flags & (kVmaShared | kVmaMayShare)))
        return error(Errno::kEINVAL, "mremap duplicating a private mapping");
    if (old_length > vma->end - address) return error(Errno::kEFAULT, "mremap across regions");
    if (new_length == old_length) return vma;
    uint64_t pgoff = vma->page_index(address);
    if (pgoff + new_length / kPageSize < pgoff) return error(Errno::kEINVAL, "mremap offset overflows");
    if (!may_expand(vma->prot, vma->flags, (new_length - old_length) / kPageSize))
        return error(Errno::kENOMEM, "mremap over RLIMIT_AS or RLIMIT_DATA");
    (void)flags;
    return vma;
}

// Linux's move_vma: a region of the same kind at `new_address`, the page
// entries moved over, then the old range unmapped (or left empty).
lib::Expected<uint64_t> AddressSpace::move_region(Vma* vma, uint64_t old_address, uint64_t old_length,
                                                  uint64_t new_length, uint64_t new_address, uint64_t flags) {
    if (regions_.count() >= uapi::kMaxMapCount - 3) return error(Errno::kENOMEM, "too many regions");
    uint8_t prot = vma->prot;
    uint32_t region_flags = vma->flags;
    Backing* backing = vma->backing;
    uint64_t pgoff = vma->page_index(old_address);
    Vma identity;  // the moved pages keep their private-page identity
    identity.anon = vma->anon;
    identity.anon_inherited = vma->anon_inherited;
    if (backing) backing->ref();  // `vma` may go away below; keep the object alive meanwhile
    auto inserted = insert_region(new_address, new_address + new_length, prot, region_flags, backing, pgoff, &identity);
    if (!inserted) {
        if (backing) backing->unref();
        return inserted.error();
    }

    // First make every table the moved entries need, so the move itself
    // cannot fail halfway.
    bool out_of_memory = false;
    uint64_t old_end = old_address + old_length;
    table_.for_each(old_address, old_end, [&](uint64_t virt, PageTable::Slot&) {
        PageTable::Slot target;
        if (!out_of_memory && !table_.find_or_create(new_address + (virt - old_address), target)) out_of_memory = true;
    });
    if (out_of_memory) {
        (void)unmap_locked(new_address, new_address + new_length);
        if (backing) backing->unref();
        return error(Errno::kENOMEM, "no memory for page tables at the new place");
    }
    {
        Gather batch = gather();
        table_.for_each(old_address, old_end, [&](uint64_t virt, PageTable::Slot& slot) {
            uint64_t entry = *slot.leaf();
            PageTable::Slot target;
            table_.find(new_address + (virt - old_address), target);
            table_.write(new_address + (virt - old_address), target, entry, batch);
            table_.write(virt, slot, 0, batch);
            if (pte::present(entry)) batch.changed(virt);
        });
    }
    if (!(flags & uapi::kMremapDontUnmap)) (void)unmap_locked(old_address, old_end);
    if (backing) backing->unref();
    return new_address;
}

}  // namespace vm
