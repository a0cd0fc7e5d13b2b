// A user address space: its regions, its page tables and the memory system
// calls on it, with Linux's semantics and errno values (mmap(2), munmap(2),
// mprotect(2), brk(2), mremap(2), madvise(2), msync(2); docs/vm.md says
// which rules of Linux 6.1 each follows). One per process; threads share it.
//
// Pure logic over three interfaces (FrameSource, TlbShootdown, Backing), so
// host tests drive all of it over simulated memory; the kernel supplies the
// real ones (vm::kernel_services()).
//
//   AddressSpace* as = TRY(AddressSpace::create(services));
//   uint64_t p = TRY(as->mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, nullptr, 0));
//   as->handle_fault(p, vm::Access::kWrite);   // from the #PF handler
//   AddressSpace* child = TRY(as->fork());
//   AddressSpace::destroy(as);
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/sync/spinlock.hpp"
#include "kernel/vm/allocation.hpp"
#include "kernel/vm/backing.hpp"
#include "kernel/vm/frames.hpp"
#include "kernel/vm/page_table.hpp"
#include "kernel/vm/tlb.hpp"
#include "kernel/vm/vma_tree.hpp"
#include "lib/expected.hpp"

namespace vm {

inline constexpr uint64_t kPageSize = uapi::kPageSize;
inline constexpr uint64_t kUnlimited = ~0ULL;

// What an address space needs from the machine.
struct Services {
    FrameSource* frames = nullptr;
    TlbShootdown* tlb = nullptr;
    uint64_t kernel_root = 0;  // the PML4 whose kernel half every address space shares (0: none, host tests)
    bool no_execute = true;    // EFER.NXE is on: bit 63 of an entry is NX
    // Linux's heuristic overcommit (vm.overcommit_memory=0): one private
    // writable mapping larger than all memory fails with ENOMEM.
    uint64_t commit_limit_pages = kUnlimited;
};

// The resource limits that bound an address space (soft limits, bytes).
struct Limits {
    uint64_t address_space = kUnlimited;  // RLIMIT_AS
    uint64_t data = kUnlimited;           // RLIMIT_DATA: private writable memory and the heap
    uint64_t stack = 8ULL << 20;          // RLIMIT_STACK: how far a stack may grow
};

// Where a program's parts are (set by exec; read by /proc and brk).
struct Layout {
    uint64_t mmap_base = uapi::kTaskSize;  // top-down placement starts below this
    uint64_t mmap_legacy_base = 0;         // bottom-up placement (the fallback) starts here
    uint64_t map32_base = 0x40000000;      // MAP_32BIT: [map32_base, 2 GiB)
    uint64_t start_brk = 0, brk = 0;       // the heap: [start_brk, brk)
    uint64_t start_code = 0, end_code = 0, start_data = 0, end_data = 0;
    uint64_t start_stack = 0, arg_start = 0, arg_end = 0, env_start = 0, env_end = 0;
};

// Pages in use, as /proc/<pid>/status and statm report them.
struct Counters {
    uint64_t total_pages = 0;  // VmSize: every region
    uint64_t data_pages = 0;   // VmData: private writable, not stack
    uint64_t stack_pages = 0;  // VmStk
    uint64_t exec_pages = 0;   // VmExe-like: executable, not writable
    uint64_t rss_anon = 0;     // RssAnon: private pages of this address space's own
    uint64_t rss_file = 0;     // RssFile: file pages mapped
    uint64_t rss_shmem = 0;    // RssShmem: shared anonymous pages mapped
};

// A file as mmap sees it: the open file description's mode and the object.
struct FileMapping {
    Backing* backing = nullptr;  // nullptr: a file that cannot be mapped (a pipe, a directory): ENODEV
    bool readable = true;        // opened for reading (FMODE_READ)
    bool writable = false;       // opened for writing (FMODE_WRITE)
    bool append_only = false;    // the inode is append-only
    bool noexec = false;         // on a noexec mount
};

enum class Access : uint8_t { kRead, kWrite, kExecute };

enum class FaultResult : uint8_t {
    kResolved,     // the access can be retried
    kMapError,     // SIGSEGV, si_code SEGV_MAPERR: no region at the address
    kAccessError,  // SIGSEGV, si_code SEGV_ACCERR: the region's rights forbid the access
    kBusError,     // SIGBUS, si_code BUS_ADRERR: a file page past the end of the file
    kOutOfMemory,  // no frame left: the out-of-memory policy decides
};

class AddressSpace {
public:
    static lib::Expected<AddressSpace*> create(const Services& services);
    // Frees every page, table and region. No CPU may have it loaded any
    // more (cpus() empty: each switched away, vm::switch_address_space);
    // a panic otherwise. (The object itself may live on, empty, while a
    // backing object's unmap_pages still holds it.) For the sole user only:
    // a shared one goes through drop_user.
    static void destroy(AddressSpace* space);

    // --- processes sharing it: clone with CLONE_VM but not CLONE_THREAD
    // (vfork, posix_spawn) gives the child the parent's address space, not
    // a copy (Linux's mm_users). The creator is its first user; each
    // sharing process adds one and drops it when it execs (it moves to a
    // new address space) or exits. The last to drop it destroys it, so it
    // must have switched away first (destroy's rule); the others may still
    // run it on their CPUs.
    void add_user() { __atomic_fetch_add(&users_, 1, __ATOMIC_RELAXED); }
    static void drop_user(AddressSpace* space);
    // More than one process uses it: an exiting task's clear-child-tid word
    // is still seen by someone (Linux's mm_release tests mm_users > 1).
    bool shared_by_processes() const { return __atomic_load_n(&users_, __ATOMIC_ACQUIRE) > 1; }

    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;

    // --- the system calls (arguments as the program passed them) ---
    // `file` is nullptr for MAP_ANONYMOUS, and also when the descriptor did
    // not name an open file (then EBADF, as Linux checks it).
    lib::Expected<uint64_t> mmap(uint64_t address, uint64_t length, uint64_t prot, uint64_t flags,
                                 const FileMapping* file, uint64_t offset);
    lib::Expected<void> munmap(uint64_t address, uint64_t length);
    lib::Expected<void> mprotect(uint64_t address, uint64_t length, uint64_t prot);
    // brk(2) never fails: it returns the new break, or the old one.
    uint64_t brk(uint64_t requested);
    lib::Expected<uint64_t> mremap(uint64_t old_address, uint64_t old_length, uint64_t new_length, uint64_t flags,
                                   uint64_t new_address);
    lib::Expected<void> madvise(uint64_t address, uint64_t length, int advice);
    lib::Expected<void> msync(uint64_t address, uint64_t length, uint64_t flags);

    // A page fault at `address` (user mode, or the kernel touching user
    // memory in uaccess): demand paging, copy-on-write, stack growth.
    FaultResult handle_fault(uint64_t address, Access access);

    // fork(2): a copy whose private pages are shared copy-on-write.
    lib::Expected<AddressSpace*> fork();

    // --- for exec, /proc/<pid>/mem and tests: the kernel reading and
    // writing this address space without running in it. `force` writes
    // even where the region is read-only (a private copy is made, as
    // ptrace's FOLL_FORCE does). EFAULT where no region allows it.
    lib::Expected<void> write_memory(uint64_t address, const void* data, size_t size, bool force = false);
    lib::Expected<void> read_memory(uint64_t address, void* data, size_t size);
    lib::Expected<void> zero_memory(uint64_t address, size_t size, bool force = false);

    // The stack exec sets up: a grows-down region [end - size, end).
    lib::Expected<void> map_stack(uint64_t end, uint64_t size, bool executable);
    // Anonymous zero-filled memory at a fixed place (ELF BSS), replacing
    // what was there: Linux's vm_brk_flags.
    lib::Expected<void> map_zero(uint64_t start, uint64_t length, bool executable);

    // --- the CPUs running it (for TLB shootdown) ---
    uint64_t root() const { return table_.root(); }
    // CR3 now holds root() on `cpu` / no longer does (the switch flushed
    // its non-global TLB entries: no PCIDs).
    void entered(size_t cpu) { cpus_.add(cpu); }
    void left(size_t cpu) { cpus_.remove(cpu); }
    const CpuSet& cpus() const { return cpus_; }

    Limits& limits() { return limits_; }
    Layout& layout() { return layout_; }
    const Layout& layout() const { return layout_; }
    const Counters& counters() const { return counters_; }
    size_t region_count() const { return regions_.count(); }
    // Mapping below vm.mmap_min_addr needs CAP_SYS_RAWIO.
    void set_may_map_low(bool allowed) { may_map_low_ = allowed; }

    // --- the reverse map (Backing::unmap_pages) ---
    void hold() { __atomic_fetch_add(&references_, 1, __ATOMIC_RELAXED); }
    static void release(AddressSpace* space);
    // Drops the entries of every region mapping pages [first, first + count)
    // of `object` (private copies too if asked), then flushes.
    void unmap_object_pages(const Backing& object, uint64_t first, uint64_t count, bool even_private_copies);

    // Visits every region in address order (/proc/<pid>/maps), under the lock.
    template <typename Visit>
    void for_each_region(Visit&& visit) {
        ksync::Guard guard(lock_);
        for (const Vma* vma = regions_.first(); vma; vma = vma->next) visit(*vma);
    }
    // The page-table entry of `address` (0 if none), for tests and /proc.
    uint64_t entry_at(uint64_t address);

    // What names the word at `address` for a futex that is not
    // FUTEX_PRIVATE (Linux's get_futex_key): in a shared mapping, the
    // object behind it and the byte offset in that object, the same for
    // every process and every address it is mapped at; in private memory
    // no object (the address space and the address name it). EFAULT
    // where no readable region is.
    struct SharedWord {
        const Backing* object = nullptr;
        uint64_t offset = 0;
    };
    lib::Expected<SharedWord> shared_word(uint64_t address) const;

private:
    template <typename T, typename... Args>
    friend T* create(Args&&... args);
    template <typename T>
    friend void destroy(T*);

    explicit AddressSpace(const Services& services, uint64_t root);
    ~AddressSpace() = default;
    void tear_down();

    // Regions.
    Vma* new_region(uint64_t start, uint64_t end, uint8_t prot, uint32_t flags, Backing* backing, uint64_t pgoff);
    void free_region(Vma* vma);
    lib::Expected<Vma*> split(Vma* vma, uint64_t at);
    lib::Expected<void> insert_region(uint64_t start, uint64_t end, uint8_t prot, uint32_t flags, Backing* backing,
                                      uint64_t pgoff, const Vma* anon_from = nullptr);
    void prepare_anon(Vma& vma);
    Vma* merge_with_neighbours(Vma* vma);
    static bool mergeable(const Vma& low, const Vma& high);
    void account(const Vma& vma, int64_t sign);
    void account_pages(uint8_t prot, uint32_t flags, int64_t pages);
    bool may_expand(uint8_t prot, uint32_t flags, uint64_t pages) const;
    bool commit_allows(uint64_t pages) const { return pages <= services_.commit_limit_pages; }

    // Page-level work.
    lib::Expected<void> unmap_locked(uint64_t start, uint64_t end);
    void zap(const Vma& vma, uint64_t start, uint64_t end, Gather& gather);
    void drop_page(const Vma& vma, uint64_t virt, PageTable::Slot& slot, Gather& gather);
    void count_page(const Vma& vma, uint64_t entry, int64_t sign);
    void install(const Vma& vma, uint64_t virt, PageTable::Slot& slot, uint64_t frame, bool writable,
                 uint64_t software_bits, Gather& gather);
    void reprotect(const Vma& vma, uint64_t start, uint64_t end, Gather& gather);
    uint64_t leaf_for(const Vma& vma, uint64_t frame, bool writable, uint64_t software_bits) const;
    FaultResult fault_locked(uint64_t address, Access access, bool force);
    FaultResult resolve(Vma& vma, uint64_t page, Access access, bool force);
    lib::Expected<void> expand_stack(Vma& vma, uint64_t address);
    void populate(uint64_t start, uint64_t end);
    lib::Expected<uint64_t> page_for_kernel(uint64_t address, bool write, bool force);
    lib::Expected<void> copy_locked(uint64_t address, void* kernel, const void* source, size_t size, bool write,
                                    bool force);

    // Placement.
    lib::Expected<uint64_t> unmapped_area(uint64_t hint, uint64_t length, uint64_t flags);
    lib::Expected<uint64_t> unmapped_area_bottom_up(uint64_t hint, uint64_t length, uint64_t flags);
    lib::Expected<uint64_t> get_unmapped_area(uint64_t hint, uint64_t length, uint64_t flags);

    lib::Expected<uint64_t> mmap_locked(uint64_t address, uint64_t length, uint64_t prot, uint64_t flags,
                                        const FileMapping* file, uint64_t offset);
    lib::Expected<uint64_t> mmap_region(uint64_t address, uint64_t length, uint8_t prot, uint32_t flags,
                                        Backing* backing, uint64_t pgoff);
    lib::Expected<void> mprotect_fixup(Vma* vma, uint64_t start, uint64_t end, uint8_t prot, Vma*& last);
    lib::Expected<void> change_region(Vma* vma, uint64_t start, uint64_t end, uint8_t prot, uint32_t flags, Vma*& last);
    lib::Expected<void> madvise_populate(uint64_t start, uint64_t end, bool write);
    lib::Expected<void> madvise_remove(uint64_t start, uint64_t end);
    lib::Expected<uint64_t> mremap_to(uint64_t old_address, uint64_t old_length, uint64_t new_address,
                                      uint64_t new_length, uint64_t flags);
    lib::Expected<uint64_t> move_region(Vma* vma, uint64_t old_address, uint64_t old_length, uint64_t new_length,
                                        uint64_t new_address, uint64_t flags);
    lib::Expected<Vma*> region_to_resize(uint64_t address, uint64_t old_length, uint64_t new_length, uint64_t flags);
    lib::Expected<void> advise_region(Vma* vma, uint64_t start, uint64_t end, int advice, Vma*& last);
    lib::Expected<void> copy_into(AddressSpace& child, const Vma& vma, Gather& parent_gather);

    static void flush_hook(void* context, uint64_t start, uint64_t end);
    Gather gather() { return Gather(*services_.frames, &flush_hook, this); }

    Services services_;
    mutable ksync::SpinlockNoIrq lock_;
    PageTable table_;
    VmaTree regions_;
    Vma* cached_ = nullptr;  // the region of the last fault: the next one is usually there too
    CpuSet cpus_;
    Limits limits_;
    Layout layout_;
    Counters counters_;
    bool may_map_low_ = false;
    bool torn_down_ = false;
    uint32_t references_ = 1;  // the users' one (destroy) and unmap_pages' visits
    uint32_t users_ = 1;       // processes using it (drop_user)
};

}  // namespace vm
