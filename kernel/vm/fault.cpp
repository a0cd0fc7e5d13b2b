// Page faults: demand paging (the shared zero page for reads of untouched
// anonymous memory, a fresh zeroed frame for writes, file pages from the
// backing object), copy-on-write (reuse a private page no one else holds,
// copy otherwise), stack growth below a MAP_GROWSDOWN region, and the
// kernel's own accesses to a user address space (exec, /proc/<pid>/mem).
// docs/vm.md, "The fault path", walks through it.
#include "kernel/vm/address_space.hpp"
#include "kernel/vm/errors.hpp"

namespace vm {
namespace {
using lib::Errno;
constexpr uint64_t kPageMask = ~(kPageSize - 1);
}  // namespace

FaultResult AddressSpace::handle_fault(uint64_t address, Access access) {
    ksync::Guard guard(lock_);
    return fault_locked(address, access, false);
}

FaultResult AddressSpace::fault_locked(uint64_t address, Access access, bool force) {
    if (address >= uapi::kTaskSize) return FaultResult::kMapError;
    Vma* vma = cached_ && cached_->contains(address) ? cached_ : regions_.find_next(address);
    if (!vma) return FaultResult::kMapError;
    if (vma->start > address) {
        if (!vma->grows_down() || !expand_stack(*vma, address)) return FaultResult::kMapError;
    }
    // The region's rights decide (x86 access_error): present user pages
    // are always readable, so PROT_WRITE and PROT_EXEC imply reading.
    switch (access) {
        case Access::kWrite:
            if (!(vma->prot & kProtWrite) && !force) return FaultResult::kAccessError;
            break;
        case Access::kExecute:
            if (!(vma->prot & kProtExec)) return FaultResult::kAccessError;
            break;
        case Access::kRead:
            if (vma->prot == kProtNone && !force) return FaultResult::kAccessError;
            break;
    }
    cached_ = vma;
    return resolve(*vma, address & kPageMask, access, force);
}

FaultResult AddressSpace::resolve(Vma& vma, uint64_t page, Access access, bool force) {
    PageTable::Slot slot;
    if (!table_.find_or_create(page, slot)) return FaultResult::kOutOfMemory;
    FrameSource& frames = *services_.frames;
    uint64_t zero = frames.zero_frame();
    uint64_t entry = *slot.leaf();
    bool write = access == Access::kWrite;
    bool region_writable = vma.prot & kProtWrite;
    Gather batch = gather();

    if (!pte::has_page(entry)) {
        if (!vma.backing) {
            // Untouched private anonymous memory: reads see the zero page,
            // a write gets a page of its own.
            if (!write) {
                install(vma, page, slot, zero, false, 0, batch);
                return FaultResult::kResolved;
            }
            auto frame = frames.allocate(true);
            if (!frame) return FaultResult::kOutOfMemory;
            prepare_anon(vma);
            install(vma, page, slot, *frame, region_writable, pte::kAnonymous, batch);
            return FaultResult::kResolved;
        }
        auto object_page = vma.backing->acquire_page(vma.page_index(page), write && vma.shared());
        if (!object_page) {
            return error_number(object_page.error()) == Errno::kENOMEM ? FaultResult::kOutOfMemory
                                                                       : FaultResult::kBusError;
        }
        if (vma.is_private() && write) {
            // A private file mapping written for the first time: copy now.
            auto frame = frames.allocate(false);
            if (!frame) {
                if (*object_page != zero) frames.unref(*object_page);
                return FaultResult::kOutOfMemory;
            }
            __builtin_memcpy(frames.at(*frame), frames.at(*object_page), kPageSize);
            if (*object_page != zero) frames.unref(*object_page);  // the copy is all this mapping keeps
            prepare_anon(vma);
            install(vma, page, slot, *frame, region_writable, pte::kAnonymous, batch);
            return FaultResult::kResolved;
        }
        // The reference acquire_page took is the entry's now.
        install(vma, page, slot, *object_page, vma.shared() && region_writable, 0, batch);
        return FaultResult::kResolved;
    }

    // A page is there. Reads, and writes it already allows, only raced with
    // another CPU resolving the same fault (the fault itself dropped the
    // stale TLB entry: SDM Vol. 3A §4.10.4.1).
    if (!write || pte::writable(entry)) return FaultResult::kResolved;
    if (vma.shared()) {
        if (region_writable) table_.write(page, slot, entry | pte::kWritable, batch);
        return FaultResult::kResolved;
    }
    // Copy-on-write. A private page that only this address space holds is
    // simply made writable again; anything else (the zero page, a file's
    // page, a page shared with a fork) is copied.
    uint64_t old = pte::frame(entry);
    if ((entry & pte::kAnonymous) && old != zero && frames.count(old) == 1) {
        if (region_writable) table_.write(page, slot, entry | pte::kWritable, batch);
        return FaultResult::kResolved;
    }
    auto frame = frames.allocate(old == zero);
    if (!frame) return FaultResult::kOutOfMemory;
    if (old != zero) __builtin_memcpy(frames.at(*frame), frames.at(old), kPageSize);
    prepare_anon(vma);
    install(vma, page, slot, *frame, region_writable, pte::kAnonymous, batch);
    (void)force;
    return FaultResult::kResolved;
}

// Linux's expand_downwards and acct_stack_growth: the stack may grow down
// to `address` unless that comes within the guard gap of the region below,
// passes RLIMIT_STACK or RLIMIT_AS, or goes under vm.mmap_min_addr.
lib::Expected<void> AddressSpace::expand_stack(Vma& vma, uint64_t address) {
    address &= kPageMask;
    if (address < uapi::kMmapMinAddr) return error(Errno::kEPERM, "stack growth below vm.mmap_min_addr");
    Vma* prev = vma.prev;
    if (prev && !prev->grows_down() && prev->prot != kProtNone && address - prev->end < uapi::kStackGuardGap)
        return error(Errno::kENOMEM, "stack growth into the guard gap");
    uint64_t size = vma.end - address;
    uint64_t grow = (vma.start - address) / kPageSize;
    if (grow > vma.pgoff) return error(Errno::kENOMEM, "stack growth below page 0");
    if (!may_expand(vma.prot, vma.flags, grow)) return error(Errno::kENOMEM, "stack growth over RLIMIT_AS");
    if (size > limits_.stack) return error(Errno::kENOMEM, "stack growth over RLIMIT_STACK");
    vma.start = address;
    vma.pgoff -= grow;
    regions_.update(&vma);
    account_pages(vma.prot, vma.flags, int64_t(grow));
    return {};
}

// MAP_POPULATE and MAP_LOCKED: fault every page in now. Private writable
// pages are written (so they are the program's own), others read; errors
// are ignored, as Linux's mm_populate does.
void AddressSpace::populate(uint64_t start, uint64_t end) {
    for (uint64_t page = start; page < end; page += kPageSize) {
        Vma* vma = regions_.find(page);
        if (!vma || vma->prot == kProtNone) continue;
        bool write = (vma->prot & kProtWrite) && vma->is_private();
        if (resolve(*vma, page, write ? Access::kWrite : Access::kRead, false) == FaultResult::kOutOfMemory) return;
    }
}

// The frame holding `address` for a kernel access, faulted in as a user
// access would be. `force` lets a write go to a private read-only region
// (into a private copy), never to a shared one (GUP's check_vma_flags).
lib::Expected<uint64_t> AddressSpace::page_for_kernel(uint64_t address, bool write, bool force) {
    if (address >= uapi::kTaskSize) return error(Errno::kEFAULT, "address outside user space");
    Vma* vma = regions_.find_next(address);
    if (!vma) return error(Errno::kEFAULT, "no mapping at the address");
    if (vma->start > address) {
        if (!vma->grows_down() || !expand_stack(*vma, address))
            return error(Errno::kEFAULT, "no mapping at the address");
    }
    if (write && !(vma->prot & kProtWrite) && (!force || vma->shared()))
        return error(Errno::kEFAULT, "mapping is not writable");
    // Reads need PROT_READ here, though the CPU lets a program read any
    // page it may write or execute (GUP's check_vma_flags).
    if (!write && !(vma->prot & kProtRead) && !(force && (vma->flags & kVmaMayRead)))
        return error(Errno::kEFAULT, "mapping is not readable");
    FaultResult result = resolve(*vma, address & kPageMask, write ? Access::kWrite : Access::kRead, force);
    if (result == FaultResult::kOutOfMemory) return error(Errno::kENOMEM, "no frame for a page");
    if (result != FaultResult::kResolved) return error(Errno::kEFAULT, "page cannot be reached");
    PageTable::Slot slot;
    table_.find(address, slot);
    return pte::frame(*slot.leaf());
}

lib::Expected<void> AddressSpace::copy_locked(uint64_t address, void* destination, const void* source, size_t size,
                                              bool write, bool force) {
    size_t done = 0;
    while (done < size) {
        uint64_t at = address + done;
        if (at < address) return error(Errno::kEFAULT, "range wraps around");
        size_t in_page = lib::min<size_t>(size - done, kPageSize - (at & (kPageSize - 1)));
        uint64_t frame = TRY(page_for_kernel(at, write, force));
        uint8_t* memory = services_.frames->at(frame) + (at & (kPageSize - 1));
        if (!write)
            __builtin_memcpy(static_cast<uint8_t*>(destination) + done, memory, in_page);
        else if (source)
            __builtin_memcpy(memory, static_cast<const uint8_t*>(source) + done, in_page);
        else
            __builtin_memset(memory, 0, in_page);
        done += in_page;
    }
    return {};
}

lib::Expected<void> AddressSpace::write_memory(uint64_t address, const void* data, size_t size, bool force) {
    ksync::Guard guard(lock_);
    return copy_locked(address, nullptr, data, size, true, force);
}

lib::Expected<void> AddressSpace::zero_memory(uint64_t address, size_t size, bool force) {
    ksync::Guard guard(lock_);
    return copy_locked(address, nullptr, nullptr, size, true, force);
}

lib::Expected<void> AddressSpace::read_memory(uint64_t address, void* data, size_t size) {
    ksync::Guard guard(lock_);
    return copy_locked(address, data, nullptr, size, false, false);
}

}  // namespace vm
