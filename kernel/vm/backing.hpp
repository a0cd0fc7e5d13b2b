// What a file-backed or shared mapping maps: an object of pages. The VFS
// implements it for files (tmpfs: its page cache); vm::SharedMemory
// implements it for MAP_SHARED|MAP_ANONYMOUS. The frames it hands out are
// counted frames of the FrameSource: the object holds one reference for as
// long as it keeps the page, and every page-table entry mapping the frame
// holds one more. acquire_page takes that one for its caller, under the
// object's own lock, so a page the object drops at the same moment
// (truncate, MADV_REMOVE from another process) is never freed under a
// mapping; the address space keeps it in the entry or gives it back.
// Several address spaces (processes) call one object at once: it locks
// what it needs.
//
// The object also knows which address spaces map it (Linux's i_mmap, one
// entry per address space): when pages go from the object (a truncate, a
// punched hole), unmap_pages takes them out of every mapping, so the next
// access faults and finds the object's new state (SIGBUS past the end, a
// fresh page in a hole) instead of the old frame.
#pragma once

#include <stdint.h>

#include "kernel/sync/spinlock.hpp"
#include "lib/expected.hpp"

namespace vm {

class AddressSpace;

// How /proc/<pid>/maps names a mapping's object.
struct BackingInfo {
    uint32_t device_major = 0;
    uint32_t device_minor = 0;
    uint64_t inode = 0;
    const char* path = nullptr;  // nullptr: an anonymous object
    // A file's: the fs::Inode whose pages these are (named by
    // fs::inode_name; vm does not look inside).
    const void* file = nullptr;
};

class Backing {
public:
    // The frame holding page `index` (byte offset index * 4096) of the
    // object, with one reference for the caller (none if it is the
    // FrameSource's zero frame, which is never counted). `for_write`: a
    // shared mapping is about to write it (a hole in a sparse file gets its
    // own page then; a read may return the zero frame, or make the page:
    // Linux's shmem does). A hole below the end of the object is never an
    // error: it reads as zeros. Errors: kENXIO for a page at or past the
    // end of the object (the access becomes SIGBUS), kENOMEM when no frame
    // was left, anything else is SIGBUS too.
    virtual lib::Expected<uint64_t> acquire_page(uint64_t index, bool for_write) = 0;

    // One reference per region mapping the object.
    virtual void ref() = 0;
    virtual void unref() = 0;

    // msync(MS_SYNC) of pages [first, first + count): write them back.
    virtual lib::Expected<void> sync(uint64_t first, uint64_t count) { return {}; }
    // MADV_REMOVE: free the pages (punch a hole), so the range reads zero.
    virtual lib::Expected<void> remove(uint64_t first, uint64_t count) { return {}; }
    // mmap flags beyond the legacy set this object accepts with
    // MAP_SHARED_VALIDATE (Linux's mmap_supported_flags).
    virtual uint64_t supported_map_flags() const { return 0; }
    virtual BackingInfo info() const { return {}; }

    // Pages [first, first + count) (count may run past the end: ~0) are
    // gone from the object or changed under it: every address space
    // mapping them drops its entries for them (and flushes its TLBs), so
    // they fault again. `even_private_copies`: also drop private
    // copy-on-write copies of those pages (a truncate does, a punched hole
    // does not: Linux's even_cows). Call it after the object's own state
    // changed (new size, pages dropped) and without holding any lock a
    // page fault takes (the object's own lock included: a fault holds its
    // address space's lock while it calls acquire_page).
    void unmap_pages(uint64_t first, uint64_t count, bool even_private_copies);

protected:
    Backing() = default;
    ~Backing();

private:
    friend class AddressSpace;
    struct Mapper {
        AddressSpace* space;
        uint64_t regions;  // of `space` mapping this object
        uint64_t pass;     // the unmap_pages pass that last visited it
        Mapper* next;
    };
    // Kept by the address spaces' regions (AddressSpace::new_region/free_region).
    bool add_mapper(AddressSpace* space);
    void remove_mapper(AddressSpace* space);

    ksync::SpinlockNoIrq mappers_lock_;  // mappers_; taken inside an address space's lock
    Mapper* mappers_ = nullptr;
    ksync::SpinlockNoIrq unmap_lock_;  // one unmap_pages at a time; taken before any address space's lock
    uint64_t unmap_pass_ = 0;
};

}  // namespace vm
