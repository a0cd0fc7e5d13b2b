// Address spaces: creation and teardown, the region bookkeeping every call
// shares (split, merge, accounting, unmapping), and mmap, munmap, mprotect
// and brk. The order of checks, and so which errno wins when several apply,
// follows Linux 6.1 (mm/mmap.c, mm/mprotect.c, arch/x86/kernel/sys_x86_64.c);
// docs/vm.md lists the rules.
#include "kernel/vm/address_space.hpp"

#include "kernel/debug/assert.hpp"
#include "kernel/vm/errors.hpp"
#include "kernel/vm/shared_memory.hpp"

namespace vm {
namespace {

using lib::Errno;

// The largest file offset mmap accepts (MAX_LFS_FILESIZE on 64-bit).
constexpr uint64_t kMaxFileSize = (1ULL << 63) - 1;

// PAGE_ALIGN: 0 when it overflows, which callers treat as "too large".
constexpr uint64_t page_align(uint64_t value) {
    return (value + kPageSize - 1) & ~(kPageSize - 1);
}
constexpr bool page_aligned(uint64_t value) {
    return (value & (kPageSize - 1)) == 0;
}

// A hint below vm.mmap_min_addr is moved up to it (round_hint_to_min).
uint64_t round_hint_to_min(uint64_t hint) {
    hint &= ~(kPageSize - 1);
    if (hint && hint < uapi::kMmapMinAddr) return page_align(uapi::kMmapMinAddr);
    return hint;
}

}  // namespace

AddressSpace::AddressSpace(const Services& services, uint64_t root)
    : services_(services), table_(*services.frames, root, services.no_execute) {}

lib::Expected<AddressSpace*> AddressSpace::create(const Services& services) {
    uint64_t root = TRY(PageTable::create_root(*services.frames, services.kernel_root));
    AddressSpace* space = vm::create<AddressSpace>(services, root);
    if (!space) {
        services.frames->unref(root);
        return error(Errno::kENOMEM, "no memory for an address space");
    }
    return space;
}

void AddressSpace::tear_down() {
    ksync::Guard guard(lock_);
    {
        Gather batch = gather();
        while (Vma* vma = regions_.first()) {
            zap(*vma, vma->start, vma->end, batch);
            regions_.erase(vma);
            free_region(vma);
        }
    }
    table_.release_user_half();
    services_.frames->unref(table_.root());
    torn_down_ = true;
}

void AddressSpace::destroy(AddressSpace* space) {
    // A CPU whose CR3 still held it would walk freed tables.
    ASSERT_MSG(space->cpus_.empty(), "vm: an address space is destroyed while a CPU has it loaded");
    ASSERT_MSG(__atomic_load_n(&space->users_, __ATOMIC_ACQUIRE) <= 1,
               "vm: an address space is destroyed while another process uses it");
    space->tear_down();
    release(space);
}

void AddressSpace::drop_user(AddressSpace* space) {
    // The acquire side pairs with the other users' release: whatever they
    // did to the memory is done before the last one tears it down.
    if (__atomic_sub_fetch(&space->users_, 1, __ATOMIC_ACQ_REL) == 0) destroy(space);
}

void AddressSpace::release(AddressSpace* space) {
    if (__atomic_sub_fetch(&space->references_, 1, __ATOMIC_ACQ_REL) == 0) vm::destroy(space);
}

void AddressSpace::unmap_object_pages(const Backing& object, uint64_t first, uint64_t count, bool even_private_copies) {
    uint64_t last = count > ~0ULL - first ? ~0ULL : first + count;  // exclusive
    ksync::Guard guard(lock_);
    if (torn_down_) return;
    Gather batch = gather();
    for (Vma* vma = regions_.first(); vma; vma = vma->next) {
        if (vma->backing != &object) continue;
        uint64_t low = lib::max(first, vma->pgoff), high = lib::min(last, vma->pgoff + vma->pages());
        if (low >= high) continue;
        uint64_t start = vma->start + (low - vma->pgoff) * kPageSize,
                 end = vma->start + (high - vma->pgoff) * kPageSize;
        table_.for_each(start, end, [&](uint64_t virt, PageTable::Slot& slot) {
            if (!even_private_copies && (*slot.leaf() & pte::kAnonymous)) return;
            drop_page(*vma, virt, slot, batch);
        });
    }
}

void AddressSpace::flush_hook(void* context, uint64_t start, uint64_t end) {
    auto* self = static_cast<AddressSpace*>(context);
    // The entries changed before the CPU set is read: a CPU that joins the
    // set after this point loads CR3 afterwards and walks the new entries
    // (switch_address_space joins before loading; SDM Vol. 3A §4.10.5).
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (self->cpus_.empty()) return;  // no CPU has it loaded: nothing can be cached
    self->services_.tlb->flush(self->cpus_, self->root(), start, end);
}

uint64_t AddressSpace::entry_at(uint64_t address) {
    ksync::Guard guard(lock_);
    PageTable::Slot slot;
    if (!table_.find(address, slot)) return 0;
    return *slot.leaf();
}

lib::Expected<AddressSpace::SharedWord> AddressSpace::shared_word(uint64_t address) const {
    ksync::Guard guard(lock_);
    const Vma* vma = regions_.find(address);
    if (!vma || !(vma->prot & kProtRead)) return error(lib::Errno::kEFAULT, "futex: no readable region");
    SharedWord word;
    if ((vma->flags & (kVmaShared | kVmaMayShare)) && vma->backing) {
        word.object = vma->backing;
        word.offset = vma->pgoff * uapi::kPageSize + (address - vma->start);
    }
    return word;
}

// --- regions ---

Vma* AddressSpace::new_region(uint64_t start, uint64_t end, uint8_t prot, uint32_t flags, Backing* backing,
                              uint64_t pgoff) {
    Vma* vma = vm::create<Vma>();
    if (!vma) return nullptr;
    vma->start = start;
    vma->end = end;
    vma->prot = prot;
    vma->flags = flags;
    vma->backing = backing;
    vma->pgoff = pgoff;
    if (backing) {
        if (!backing->add_mapper(this)) {
            vm::destroy(vma);
            return nullptr;
        }
        backing->ref();
    }
    return vma;
}

void AddressSpace::free_region(Vma* vma) {
    if (cached_ == vma) cached_ = nullptr;
    if (vma->backing) {
        vma->backing->remove_mapper(this);
        vma->backing->unref();
    }
    vm::destroy(vma);
}

// [vma->start, at) stays in `vma`; the new region [at, end) is returned.
lib::Expected<Vma*> AddressSpace::split(Vma* vma, uint64_t at) {
    Vma* upper = new_region(at, vma->end, vma->prot, vma->flags, vma->backing, vma->page_index(at));
    if (!upper) return error(Errno::kENOMEM, "no memory to split a region");
    upper->anon = vma->anon;
    upper->anon_inherited = vma->anon_inherited;
    vma->end = at;
    regions_.update(vma);
    regions_.insert(upper);
    return upper;
}

// Two neighbours become one region when nothing tells them apart
// (Linux's is_mergeable_vma, is_mergeable_anon_vma and the pgoff rule of
// can_vma_merge_*).
bool AddressSpace::mergeable(const Vma& low, const Vma& high) {
    if (low.end != high.start || low.prot != high.prot || low.flags != high.flags || low.backing != high.backing ||
        low.pgoff + low.pages() != high.pgoff)
        return false;
    if (low.anon == high.anon) return true;
    return (!low.anon || !high.anon) && !low.anon_inherited && !high.anon_inherited;
}

// The region gets its private-page identity before its first private page
// (Linux's anon_vma_prepare): a neighbour's, if they could merge but for
// their rights, otherwise a new one.
void AddressSpace::prepare_anon(Vma& vma) {
    if (vma.anon) return;
    auto compatible = [&](const Vma& low, const Vma& high) {
        return low.end == high.start && low.backing == high.backing && low.flags == high.flags &&
               low.pgoff + low.pages() == high.pgoff;
    };
    if (vma.next && vma.next->anon && !vma.next->anon_inherited && compatible(vma, *vma.next)) {
        vma.anon = vma.next->anon;
        return;
    }
    if (vma.prev && vma.prev->anon && !vma.prev->anon_inherited && compatible(*vma.prev, vma)) {
        vma.anon = vma.prev->anon;
        return;
    }
    static uint64_t next_identity = 1;
    vma.anon = __atomic_fetch_add(&next_identity, 1, __ATOMIC_RELAXED);
}

Vma* AddressSpace::merge_with_neighbours(Vma* vma) {
    Vma* prev = vma->prev;
    if (prev && mergeable(*prev, *vma)) {
        uint64_t end = vma->end;
        if (!prev->anon) prev->anon = vma->anon;
        regions_.erase(vma);
        free_region(vma);
        prev->end = end;
        regions_.update(prev);
        vma = prev;
    }
    Vma* next = vma->next;
    if (next && mergeable(*vma, *next)) {
        uint64_t end = next->end;
        if (!vma->anon) vma->anon = next->anon;
        regions_.erase(next);
        free_region(next);
        vma->end = end;
        regions_.update(vma);
    }
    return vma;
}

// A new region over free space, merged with its neighbours when they match
// (no allocation then, so extending the heap cannot fail for lack of
// kernel memory).
lib::Expected<void> AddressSpace::insert_region(uint64_t start, uint64_t end, uint8_t prot, uint32_t flags,
                                                Backing* backing, uint64_t pgoff, const Vma* anon_from) {
    Vma candidate;
    if (anon_from) {
        candidate.anon = anon_from->anon;
        candidate.anon_inherited = anon_from->anon_inherited;
    }
    candidate.start = start;
    candidate.end = end;
    candidate.prot = prot;
    candidate.flags = flags;
    candidate.backing = backing;
    candidate.pgoff = pgoff;
    Vma* next = regions_.find_next(start);
    Vma* prev = next ? next->prev : regions_.last();
    if (prev && mergeable(*prev, candidate)) {
        prev->end = end;
        if (!prev->anon) prev->anon = candidate.anon;
        regions_.update(prev);
        merge_with_neighbours(prev);
    } else if (next && mergeable(candidate, *next)) {
        next->start = start;
        next->pgoff = pgoff;
        if (!next->anon) next->anon = candidate.anon;
        regions_.update(next);
    } else {
        Vma* vma = new_region(start, end, prot, flags, backing, pgoff);
        if (!vma) return error(Errno::kENOMEM, "no memory for a region");
        vma->anon = candidate.anon;
        vma->anon_inherited = candidate.anon_inherited;
        regions_.insert(vma);
    }
    account_pages(prot, flags, int64_t((end - start) / kPageSize));
    return {};
}

void AddressSpace::account(const Vma& vma, int64_t sign) {
    account_pages(vma.prot, vma.flags, sign * int64_t(vma.pages()));
}

void AddressSpace::account_pages(uint8_t prot, uint32_t flags, int64_t pages) {
    counters_.total_pages += pages;
    if (is_data_mapping(prot, flags)) counters_.data_pages += pages;
    if (flags & kVmaGrowsDown) counters_.stack_pages += pages;
    if (is_exec_mapping(prot, flags)) counters_.exec_pages += pages;
}

// RLIMIT_AS over every region, RLIMIT_DATA over private writable memory
// (Linux's may_expand_vm).
bool AddressSpace::may_expand(uint8_t prot, uint32_t flags, uint64_t pages) const {
    if (counters_.total_pages + pages > limits_.address_space / kPageSize) return false;
    if (is_data_mapping(prot, flags) && counters_.data_pages + pages > limits_.data / kPageSize) return false;
    return true;
}

// --- pages ---

uint64_t AddressSpace::leaf_for(const Vma& vma, uint64_t frame, bool writable, uint64_t software_bits) const {
    if (vma.prot == kProtNone) return (frame & pte::kFrameMask) | pte::kProtNone | software_bits;
    return table_.make_leaf(frame, writable, vma.prot & kProtExec, software_bits);
}

void AddressSpace::count_page(const Vma& vma, uint64_t entry, int64_t sign) {
    if (pte::frame(entry) == services_.frames->zero_frame()) return;  // the zero page counts nowhere
    if (entry & pte::kAnonymous)
        counters_.rss_anon += sign;
    else if (vma.flags & kVmaShmem)
        counters_.rss_shmem += sign;
    else
        counters_.rss_file += sign;
}

void AddressSpace::install(const Vma& vma, uint64_t virt, PageTable::Slot& slot, uint64_t frame, bool writable,
                           uint64_t software_bits, Gather& batch) {
    uint64_t old = *slot.leaf();
    if (pte::has_page(old)) {
        count_page(vma, old, -1);
        if (pte::present(old)) batch.changed(virt);
        if (pte::frame(old) != services_.frames->zero_frame()) batch.release_later(pte::frame(old));
    }
    uint64_t value = leaf_for(vma, frame, writable, software_bits);
    table_.write(virt, slot, value, batch);
    count_page(vma, value, +1);
}

void AddressSpace::drop_page(const Vma& vma, uint64_t virt, PageTable::Slot& slot, Gather& batch) {
    uint64_t old = *slot.leaf();
    table_.write(virt, slot, 0, batch);
    if (pte::present(old)) batch.changed(virt);
    count_page(vma, old, -1);
    if (pte::frame(old) != services_.frames->zero_frame()) batch.release_later(pte::frame(old));
}

void AddressSpace::zap(const Vma& vma, uint64_t start, uint64_t end, Gather& batch) {
    table_.for_each(start, end, [&](uint64_t virt, PageTable::Slot& slot) { drop_page(vma, virt, slot, batch); });
}

// New rights for the pages of [start, end) after vma->prot changed. A
// private page becomes writable only if this address space alone holds it
// (a copy-on-write page stays read-only and the next write copies it).
void AddressSpace::reprotect(const Vma& vma, uint64_t start, uint64_t end, Gather& batch) {
    table_.for_each(start, end, [&](uint64_t virt, PageTable::Slot& slot) {
        uint64_t old = *slot.leaf();
        uint64_t frame = pte::frame(old);
        uint64_t software = old & pte::kAnonymous;
        bool writable = false;
        if (vma.prot & kProtWrite) {
            if (vma.shared())
                writable = true;
            else
                writable = software && frame != services_.frames->zero_frame() && services_.frames->count(frame) == 1;
        }
        uint64_t value = leaf_for(vma, frame, writable, software);
        if (value == (old & ~(pte::kAccessed | pte::kDirty))) return;
        table_.write(virt, slot, value, batch);
        if (pte::present(old)) batch.changed(virt);
    });
}

// Removes every mapping in [start, end) (page aligned): regions are split
// at the edges, their pages dropped (frames freed after the TLB flush).
lib::Expected<void> AddressSpace::unmap_locked(uint64_t start, uint64_t end) {
    Vma* vma = regions_.find_next(start);
    if (!vma || vma->start >= end) return {};
    if (vma->start < start) {
        // Cutting a hole in one region makes one more (do_mas_align_munmap).
        if (end < vma->end && regions_.count() >= uapi::kMaxMapCount)
            return error(Errno::kENOMEM, "too many regions to split one");
        vma = TRY(split(vma, start));
    }
    Vma* last = regions_.find(end - 1);
    if (last && last->end > end) TRY(split(last, end));
    Gather batch = gather();
    while (vma && vma->start < end) {
        Vma* next = vma->next;
        zap(*vma, vma->start, vma->end, batch);
        account(*vma, -1);
        regions_.erase(vma);
        free_region(vma);
        vma = next;
    }
    return {};
}

// --- placement (arch/x86/kernel/sys_x86_64.c, mm/mmap.c get_unmapped_area) ---

lib::Expected<uint64_t> AddressSpace::unmapped_area_bottom_up(uint64_t hint, uint64_t length, uint64_t flags) {
    uint64_t begin = layout_.mmap_legacy_base, end = uapi::kTaskSize;
    if (flags & uapi::kMap32Bit) {
        begin = layout_.map32_base;
        end = 0x80000000;
    }
    if (length > end) return error(Errno::kENOMEM, "mapping larger than the area for it");
    if (hint) {
        hint = page_align(hint);
        Vma* next = regions_.find_next(hint);
        if (end - length >= hint && (!next || hint + length <= next->start_gap())) return hint;
    }
    uint64_t at;
    if (regions_.find_gap_bottom_up(length, begin, end, at)) return at;
    return error(Errno::kENOMEM, "no free range large enough");
}

lib::Expected<uint64_t> AddressSpace::unmapped_area(uint64_t hint, uint64_t length, uint64_t flags) {
    if (flags & uapi::kMap32Bit) return unmapped_area_bottom_up(hint, length, flags);
    if (hint) {
        // The hint is taken when the range is free, keeping a stack's guard gap.
        uint64_t at = hint & ~(kPageSize - 1);
        if (uapi::kTaskSize - length >= at) {
            Vma* next = regions_.find_next(at);
            if (!next || at + length <= next->start_gap()) return at;
        }
    }
    uint64_t at;
    if (regions_.find_gap_top_down(length, kPageSize, layout_.mmap_base, at)) return at;
    // A full top-down area falls back to bottom-up (large stack limits, huge mappings).
    return unmapped_area_bottom_up(hint, length, flags);
}

lib::Expected<uint64_t> AddressSpace::get_unmapped_area(uint64_t hint, uint64_t length, uint64_t flags) {
    if (length > uapi::kTaskSize) return error(Errno::kENOMEM, "mapping larger than the address space");
    uint64_t at = hint;
    if (!(flags & uapi::kMapFixed)) at = TRY(unmapped_area(hint, length, flags));
    if (at > uapi::kTaskSize - length) return error(Errno::kENOMEM, "mapping past the end of user space");
    if (!page_aligned(at)) return error(Errno::kEINVAL, "fixed address not page aligned");
    // security_mmap_addr: the lowest pages need CAP_SYS_RAWIO.
    if (at < uapi::kMmapMinAddr && !may_map_low_) return error(Errno::kEPERM, "mapping below vm.mmap_min_addr");
    return at;
}

// --- mmap ---

lib::Expected<uint64_t> AddressSpace::mmap(uint64_t address, uint64_t length, uint64_t prot, uint64_t flags,
                                           const FileMapping* file, uint64_t offset) {
    ksync::Guard guard(lock_);
    uint64_t at = TRY(mmap_locked(address, length, prot, flags, file, offset));
    bool locked = flags & uapi::kMapLocked;
    if (locked || (flags & (uapi::kMapPopulate | uapi::kMapNonBlock)) == uapi::kMapPopulate)
        populate(at, at + page_align(length));
    return at;
}

lib::Expected<uint64_t> AddressSpace::mmap_locked(uint64_t address, uint64_t length, uint64_t prot, uint64_t flags,
                                                  const FileMapping* file, uint64_t offset) {
    // sys_mmap: the byte offset must be a whole number of pages.
    if (!page_aligned(offset)) return error(Errno::kEINVAL, "mmap offset not page aligned");
    uint64_t pgoff = offset / kPageSize;
    bool anonymous = flags & uapi::kMapAnonymous;
    // ksys_mmap_pgoff: the descriptor, then huge pages (none are reserved here).
    if (!anonymous) {
        if (!file) return error(Errno::kEBADF, "mmap of a descriptor that is not open");
        if (flags & uapi::kMapHugeTlb) return error(Errno::kEINVAL, "MAP_HUGETLB on a file that is not hugetlbfs");
    } else if (flags & uapi::kMapHugeTlb) {
        uint64_t size_log = (flags >> uapi::kMapHugeShift) & uapi::kMapHugeMask;
        if (size_log != 0 && size_log != 21 && size_log != 30) return error(Errno::kEINVAL, "no such huge page size");
        return error(Errno::kENOMEM, "no huge pages reserved");
    }

    // do_mmap.
    if (length == 0) return error(Errno::kEINVAL, "mmap of zero bytes");
    if (flags & uapi::kMapFixedNoReplace) flags |= uapi::kMapFixed;
    if (!(flags & uapi::kMapFixed)) address = round_hint_to_min(address);
    uint64_t size = page_align(length);
    if (size == 0) return error(Errno::kENOMEM, "mmap length overflows");
    if (pgoff + size / kPageSize < pgoff) return error(Errno::kEOVERFLOW, "mmap offset plus length overflows");
    if (regions_.count() > uapi::kMaxMapCount) return error(Errno::kENOMEM, "vm.max_map_count regions exist");
    address = TRY(get_unmapped_area(address, size, flags));
    if ((flags & uapi::kMapFixedNoReplace) && regions_.find_intersection(address, address + size))
        return error(Errno::kEEXIST, "MAP_FIXED_NOREPLACE over an existing mapping");

    uint8_t rights = uint8_t(prot & kProtMask);
    uint32_t vma_flags = kVmaMayRead | kVmaMayWrite | kVmaMayExec;
    if (flags & uapi::kMapGrowsDown) vma_flags |= kVmaGrowsDown;
    if (flags & uapi::kMapLocked) vma_flags |= kVmaLocked;
    Backing* backing = nullptr;
    if (!anonymous) {
        if (size > kMaxFileSize || pgoff > (kMaxFileSize - size) >> 12)
            return error(Errno::kEOVERFLOW, "mapping past the largest file offset");
        switch (flags & uapi::kMapType) {
            case uapi::kMapShared:
                // Unknown flags are ignored with MAP_SHARED, refused with MAP_SHARED_VALIDATE.
                flags &= uapi::kMapLegacyMask;
                [[fallthrough]];
            case uapi::kMapSharedValidate:
                if (flags & ~(uapi::kMapLegacyMask | (file->backing ? file->backing->supported_map_flags() : 0)))
                    return error(Errno::kEOPNOTSUPP, "mmap flag this file does not support");
                if ((prot & uapi::kProtWrite) && !file->writable)
                    return error(Errno::kEACCES, "shared writable mapping of a file not open for writing");
                if (file->append_only && file->writable)
                    return error(Errno::kEACCES, "shared mapping of an append-only file");
                vma_flags |= kVmaShared | kVmaMayShare;
                if (!file->writable) vma_flags &= ~(kVmaMayWrite | kVmaShared);
                [[fallthrough]];
            case uapi::kMapPrivate:
                if (!file->readable) return error(Errno::kEACCES, "mapping of a file not open for reading");
                if (file->noexec) {
                    if (prot & uapi::kProtExec) return error(Errno::kEPERM, "executable mapping on a noexec mount");
                    vma_flags &= ~kVmaMayExec;
                }
                if (!file->backing) return error(Errno::kENODEV, "mmap of a file that cannot be mapped");
                if (vma_flags & kVmaGrowsDown) return error(Errno::kEINVAL, "MAP_GROWSDOWN of a file");
                break;
            default: return error(Errno::kEINVAL, "mmap flags name no mapping type");
        }
        backing = file->backing;
    } else {
        switch (flags & uapi::kMapType) {
            case uapi::kMapShared:
                if (vma_flags & kVmaGrowsDown) return error(Errno::kEINVAL, "shared MAP_GROWSDOWN");
                pgoff = 0;
                vma_flags |= kVmaShared | kVmaMayShare | kVmaShmem;
                break;
            case uapi::kMapPrivate: pgoff = address / kPageSize; break;
            default: return error(Errno::kEINVAL, "mmap flags name no mapping type");
        }
    }
    if (flags & uapi::kMapNoReserve) vma_flags |= kVmaNoReserve;
    return mmap_region(address, size, rights, vma_flags, backing, pgoff);
}

lib::Expected<uint64_t> AddressSpace::mmap_region(uint64_t address, uint64_t size, uint8_t prot, uint32_t flags,
                                                  Backing* backing, uint64_t pgoff) {
    uint64_t pages = size / kPageSize;
    uint64_t end = address + size;
    if (!may_expand(prot, flags, pages)) {
        // MAP_FIXED frees what it replaces: count only the growth.
        uint64_t replaced = 0;
        for (Vma* vma = regions_.find_intersection(address, end); vma && vma->start < end; vma = vma->next)
            replaced += (lib::min(vma->end, end) - lib::max(vma->start, address)) / kPageSize;
        if (!may_expand(prot, flags, pages - replaced))
            return error(Errno::kENOMEM, "mapping over RLIMIT_AS or RLIMIT_DATA");
    }
    if (!unmap_locked(address, end)) return error(Errno::kENOMEM, "cannot unmap what MAP_FIXED replaces");
    if ((prot & kProtWrite) && !(flags & (kVmaNoReserve | kVmaShared))) {
        if (!commit_allows(pages)) return error(Errno::kENOMEM, "private mapping larger than all memory");
        flags |= kVmaAccount;
    }
    SharedMemory* object = nullptr;
    if (flags & kVmaShmem) {
        object = TRY(SharedMemory::create(*services_.frames, pages));
        backing = object;
    }
    auto inserted = insert_region(address, end, prot, flags, backing, pgoff);
    if (object) object->unref();  // the region holds its own reference
    if (!inserted) return inserted.error();
    return address;
}

// --- munmap ---

lib::Expected<void> AddressSpace::munmap(uint64_t address, uint64_t length) {
    if (!page_aligned(address) || address > uapi::kTaskSize || length > uapi::kTaskSize - address)
        return error(Errno::kEINVAL, "munmap range not page aligned or outside user space");
    uint64_t size = page_align(length);
    if (size == 0) return error(Errno::kEINVAL, "munmap of zero bytes");
    ksync::Guard guard(lock_);
    return unmap_locked(address, address + size);
}

// --- mprotect ---

lib::Expected<void> AddressSpace::mprotect(uint64_t address, uint64_t length, uint64_t prot) {
    uint64_t grows = prot & (uapi::kProtGrowsDown | uapi::kProtGrowsUp);
    prot &= ~grows;
    if (grows == (uapi::kProtGrowsDown | uapi::kProtGrowsUp))
        return error(Errno::kEINVAL, "PROT_GROWSDOWN|PROT_GROWSUP");
    if (!page_aligned(address)) return error(Errno::kEINVAL, "mprotect address not page aligned");
    if (length == 0) return {};
    uint64_t size = page_align(length);
    uint64_t end = address + size;
    if (end <= address) return error(Errno::kENOMEM, "mprotect range wraps around");
    if (prot & ~(uapi::kProtRead | uapi::kProtWrite | uapi::kProtExec | uapi::kProtSem))
        return error(Errno::kEINVAL, "unknown protection bits");

    ksync::Guard guard(lock_);
    Vma* vma = regions_.find_next(address);
    if (!vma) return error(Errno::kENOMEM, "mprotect of unmapped memory");
    if (grows & uapi::kProtGrowsDown) {
        if (vma->start >= end) return error(Errno::kENOMEM, "mprotect of unmapped memory");
        address = vma->start;
        if (!vma->grows_down()) return error(Errno::kEINVAL, "PROT_GROWSDOWN on a region that is no stack");
    } else {
        if (vma->start > address) return error(Errno::kENOMEM, "mprotect of unmapped memory");
        if (grows & uapi::kProtGrowsUp) return error(Errno::kEINVAL, "PROT_GROWSUP: no region grows up on x86_64");
    }
    uint8_t rights = uint8_t(prot & kProtMask);
    uint64_t next_start = address;
    for (;;) {
        // A right the region may never have (VM_MAY*): EACCES.
        if (((rights & kProtRead) && !(vma->flags & kVmaMayRead)) ||
            ((rights & kProtWrite) && !(vma->flags & kVmaMayWrite)) ||
            ((rights & kProtExec) && !(vma->flags & kVmaMayExec)))
            return error(Errno::kEACCES, "mprotect asks for a right the mapping may not have");
        uint64_t stop = lib::min(vma->end, end);
        Vma* done = nullptr;
        TRY(mprotect_fixup(vma, next_start, stop, rights, done));
        next_start = lib::max(stop, done->end);
        if (next_start >= end) return {};
        vma = done->next;
        // Linux changes what it reached before it finds the hole.
        if (!vma || vma->start != next_start) return error(Errno::kENOMEM, "mprotect range has a hole");
    }
}

lib::Expected<void> AddressSpace::mprotect_fixup(Vma* vma, uint64_t start, uint64_t end, uint8_t prot, Vma*& done) {
    if (prot == vma->prot) {
        done = vma;
        return {};
    }
    uint64_t pages = (end - start) / kPageSize;
    uint32_t flags = vma->flags;
    if (prot & kProtWrite) {
        // Turning into data must fit RLIMIT_DATA; private memory becoming
        // writable is committed memory from now on.
        if (!may_expand(prot, flags, pages) && may_expand(vma->prot, vma->flags, pages))
            return error(Errno::kENOMEM, "mprotect over RLIMIT_DATA");
        if (!(flags & (kVmaAccount | kVmaShared | kVmaNoReserve)) && !(vma->prot & kProtWrite)) {
            if (!commit_allows(pages)) return error(Errno::kENOMEM, "more writable memory than exists");
            flags |= kVmaAccount;
        }
    }
    return change_region(vma, start, end, prot, flags, done);
}

// Gives [start, end) of `vma` new rights and flags: split off as a region of
// its own, page rights rewritten, merged back with matching neighbours.
lib::Expected<void> AddressSpace::change_region(Vma* vma, uint64_t start, uint64_t end, uint8_t prot, uint32_t flags,
                                                Vma*& done) {
    if (prot == vma->prot && flags == vma->flags) {
        done = vma;
        return {};
    }
    if (start > vma->start) {
        if (regions_.count() >= uapi::kMaxMapCount) return error(Errno::kENOMEM, "too many regions to split one");
        vma = TRY(split(vma, start));
    }
    if (end < vma->end) {
        if (regions_.count() >= uapi::kMaxMapCount) return error(Errno::kENOMEM, "too many regions to split one");
        TRY(split(vma, end));
    }
    bool rights_change = prot != vma->prot;
    account(*vma, -1);
    vma->prot = prot;
    vma->flags = flags;
    account(*vma, +1);
    if (rights_change) {
        Gather batch = gather();
        reprotect(*vma, start, end, batch);
    }
    done = merge_with_neighbours(vma);
    return {};
}

// --- brk (mm/mmap.c sys_brk, without CONFIG_COMPAT_BRK as Debian builds it) ---

uint64_t AddressSpace::brk(uint64_t requested) {
    ksync::Guard guard(lock_);
    uint64_t original = layout_.brk;
    if (requested < layout_.start_brk) return original;
    if (limits_.data != kUnlimited &&
        (requested - layout_.start_brk) + (layout_.end_data - layout_.start_data) > limits_.data)
        return original;
    uint64_t new_end = page_align(requested), old_end = page_align(original);
    if (new_end == 0 || new_end > uapi::kTaskSize) return original;
    if (new_end == old_end) {
        layout_.brk = requested;
        return requested;
    }
    if (requested <= original) {
        // Shrinking always works, unless the pages are not the heap's.
        Vma* vma = regions_.find_next(new_end);
        if (!vma || vma->start >= old_end) return original;
        if (!unmap_locked(new_end, old_end)) return original;
        layout_.brk = requested;
        return requested;
    }
    // Growing keeps one page free below the next mapping (and a stack's guard gap).
    Vma* next = regions_.find_next(old_end);
    if (next && new_end + kPageSize > next->start_gap()) return original;
    uint64_t pages = (new_end - old_end) / kPageSize;
    uint8_t prot = kProtRead | kProtWrite;
    uint32_t flags = kVmaMayRead | kVmaMayWrite | kVmaMayExec | kVmaAccount;
    if (!may_expand(prot, flags, pages) || regions_.count() > uapi::kMaxMapCount || !commit_allows(pages))
        return original;
    if (!insert_region(old_end, new_end, prot, flags, nullptr, old_end / kPageSize)) return original;
    layout_.brk = requested;
    return requested;
}

// --- for exec ---

lib::Expected<void> AddressSpace::map_stack(uint64_t end, uint64_t size, bool executable) {
    ksync::Guard guard(lock_);
    if (!page_aligned(end) || !page_aligned(size) || size == 0 || size > end || end > uapi::kTaskSize)
        return error(Errno::kEINVAL, "stack range not page aligned or outside user space");
    if (regions_.find_intersection(end - size, end)) return error(Errno::kEEXIST, "stack over an existing mapping");
    uint8_t prot = kProtRead | kProtWrite | (executable ? kProtExec : 0);
    uint32_t flags = kVmaMayRead | kVmaMayWrite | kVmaMayExec | kVmaGrowsDown | kVmaAccount;
    return insert_region(end - size, end, prot, flags, nullptr, (end - size) / kPageSize);
}

lib::Expected<void> AddressSpace::map_zero(uint64_t start, uint64_t length, bool executable) {
    ksync::Guard guard(lock_);
    uint64_t size = page_align(length);
    if (length && !size) return error(Errno::kENOMEM, "zero mapping length overflows");
    if (!size) return {};
    if (!page_aligned(start) || start > uapi::kTaskSize - size)
        return error(Errno::kENOMEM, "zero mapping outside user space");
    uint8_t prot = kProtRead | kProtWrite | (executable ? kProtExec : 0);
    uint32_t flags = kVmaMayRead | kVmaMayWrite | kVmaMayExec | kVmaAccount;
    TRY(unmap_locked(start, start + size));
    uint64_t pages = size / kPageSize;
    if (!may_expand(prot, flags, pages) || regions_.count() > uapi::kMaxMapCount || !commit_allows(pages))
        return error(Errno::kENOMEM, "zero mapping over the limits");
    return insert_region(start, start + size, prot, flags, nullptr, start / kPageSize);
}

}  // namespace vm
