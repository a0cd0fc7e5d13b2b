// User address spaces on the real CPU (test=vm): the page tables an
// AddressSpace builds are the ones the CPU walks once CR3 holds them (the
// kernel half shared, so the kernel keeps running); a fault the CPU raises
// is resolved by handle_fault as the #PF handler will call it, copy-on-write
// included; and the TLB hook really drops stale translations. The CPU
// touches the user pages from the kernel (no user mode yet), with RFLAGS.AC
// set where SMAP is on (Intel SDM Vol. 3A §4.6.1). The kernel's user copies
// (arch::copy_to_user & co.), with a resolver calling vm::handle_page_fault,
// fault pages in through the current address space as the program's own
// accesses would.
#include "kernel/abi/linux_mm.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/exception_info.hpp"
#include "kernel/arch/x86_64/fault_expect.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/test/ktest.hpp"
#include "kernel/vm/kernel_services.hpp"
#include "lib/x86_64/registers.hpp"

namespace {

using vm::Access;
using vm::FaultResult;

constexpr uint64_t kPage = 4096;
constexpr uint64_t kRw = uapi::kProtRead | uapi::kProtWrite;
constexpr uint64_t kFixedAnon = uapi::kMapPrivate | uapi::kMapAnonymous | uapi::kMapFixed;

// Kernel accesses to user pages, allowed for the scope (STAC/CLAC).
class UserAccess {
public:
    UserAccess() : smap_(arch::read_cr4() & x86_64::cr4::kSmap) {
        if (smap_) arch::stac();
    }
    ~UserAccess() {
        if (smap_) arch::clac();
    }

private:
    bool smap_;
};

void read_byte(void* address) {
    (void)*static_cast<volatile uint8_t*>(address);
}
void write_byte(void* address) {
    *static_cast<volatile uint8_t*>(address) = 0x5a;
}

arch::FaultRecord touch(void (*access)(void*), uint64_t address) {
    UserAccess user;
    return arch::expect_fault(arch::vector::kPageFault, access, reinterpret_cast<void*>(address));
}

template <typename T>
T load(uint64_t address) {
    UserAccess user;
    return *reinterpret_cast<volatile T*>(address);
}

// An address space that is destroyed (after switching away) at scope end.
struct Space {
    vm::AddressSpace* space = nullptr;
    vm::AddressSpace* previous = nullptr;
    bool switched = false;
    Space() {
        auto created = vm::AddressSpace::create(vm::kernel_services());
        if (created) space = *created;
    }
    void enter() {
        previous = vm::switch_address_space(space);
        switched = true;
    }
    void leave() {
        if (switched) vm::switch_address_space(previous);
        switched = false;
    }
    ~Space() {
        leave();
        if (space) vm::AddressSpace::destroy(space);
    }
};

KTEST(vm, user_page_tables_are_what_the_cpu_walks) {
    Space s;
    KASSERT(s.space);
    uint64_t a = 0x10000000;
    KASSERT(s.space->mmap(a, 2 * kPage, kRw, kFixedAnon, nullptr, 0).has_value());
    uint64_t value = 0x1122334455667788ULL;
    KASSERT(s.space->write_memory(a + 8, &value, sizeof value).has_value());
    s.enter();
    KEXPECT_EQ(load<uint64_t>(a + 8), value);  // and the kernel still runs: its half is shared
    // The untouched second page is not present for the CPU either.
    arch::FaultRecord fault = touch(read_byte, a + kPage);
    KEXPECT(fault.faulted);
    KEXPECT_EQ(fault.vector, arch::vector::kPageFault);
    KEXPECT_EQ(fault.cr2, a + kPage);
    KEXPECT_EQ(fault.error_code & 1, 0u);  // P = 0: not present
    KEXPECT(s.space->handle_fault(fault.cr2, vm::fault_access(fault.error_code)) == FaultResult::kResolved);
    KEXPECT_EQ(load<uint8_t>(a + kPage), 0);
    KEXPECT(!touch(read_byte, a + kPage).faulted);
    // Outside any mapping: the fault is a SEGV_MAPERR for the signal layer.
    fault = touch(read_byte, 0x20000000);
    KEXPECT(fault.faulted);
    KEXPECT(s.space->handle_fault(fault.cr2, vm::fault_access(fault.error_code)) == FaultResult::kMapError);
}

KTEST(vm, copy_on_write_is_resolved_from_the_cpus_fault) {
    KASSERT(arch::read_cr0() & x86_64::cr0::kWriteProtect);  // supervisor writes honour read-only pages
    Space parent;
    KASSERT(parent.space);
    uint64_t a = 0x30000000;
    KASSERT(parent.space->mmap(a, kPage, kRw, kFixedAnon, nullptr, 0).has_value());
    uint8_t one = 1;
    KASSERT(parent.space->write_memory(a, &one, 1).has_value());
    auto forked = parent.space->fork();
    KASSERT(forked.has_value());
    Space child;
    vm::AddressSpace::destroy(child.space);
    child.space = *forked;

    child.enter();
    KEXPECT_EQ(load<uint8_t>(a), 1);
    arch::FaultRecord fault = touch(write_byte, a);
    KEXPECT(fault.faulted);
    KEXPECT_EQ(fault.error_code & 3, 3u);  // P = 1, W/R = 1: a write to a read-only page
    KEXPECT(child.space->handle_fault(fault.cr2, vm::fault_access(fault.error_code)) == FaultResult::kResolved);
    KEXPECT(!touch(write_byte, a).faulted);  // the child's own copy now
    KEXPECT_EQ(load<uint8_t>(a), 0x5a);
    child.leave();

    parent.enter();
    KEXPECT_EQ(load<uint8_t>(a), 1);  // the parent's page is untouched
    // The child holds its copy, so the parent's page is its own again: a
    // write fault reuses it.
    uint64_t frame = vm::pte::frame(parent.space->entry_at(a));
    fault = touch(write_byte, a);
    KEXPECT(fault.faulted);
    KEXPECT(parent.space->handle_fault(fault.cr2, Access::kWrite) == FaultResult::kResolved);
    KEXPECT_EQ(vm::pte::frame(parent.space->entry_at(a)), frame);
    KEXPECT(!touch(write_byte, a).faulted);
}

KTEST(vm, tlb_hook_drops_stale_translations) {
    Space s;
    KASSERT(s.space);
    uint64_t a = 0x40000000;
    KASSERT(s.space->mmap(a, 2 * kPage, kRw, kFixedAnon, nullptr, 0).has_value());
    KASSERT(s.space->zero_memory(a, 2 * kPage).has_value());
    s.enter();
    // Cache writable translations of both pages, then take them away: the
    // CPU must fault at once, not use what its TLB remembers.
    KEXPECT(!touch(write_byte, a).faulted);
    KEXPECT(!touch(write_byte, a + kPage).faulted);
    KASSERT(s.space->mprotect(a, kPage, uapi::kProtRead).has_value());
    arch::FaultRecord fault = touch(write_byte, a);
    KEXPECT(fault.faulted);
    KEXPECT(s.space->handle_fault(fault.cr2, Access::kWrite) == FaultResult::kAccessError);
    KASSERT(s.space->munmap(a + kPage, kPage).has_value());
    KEXPECT(touch(read_byte, a + kPage).faulted);
    KEXPECT(!touch(read_byte, a).faulted);
    KEXPECT(s.space->cpus().contains(arch::cpu_index()));
    s.leave();
    KEXPECT(!s.space->cpus().contains(arch::cpu_index()));
}

KTEST(vm, stack_grows_when_the_cpu_touches_below_it) {
    Space s;
    KASSERT(s.space);
    uint64_t top = 0x7ff000000000;
    KASSERT(s.space->map_stack(top, 4 * kPage, false).has_value());
    s.enter();
    uint64_t below = top - 10 * kPage + 16;
    arch::FaultRecord fault = touch(write_byte, below);
    KEXPECT(fault.faulted);
    KEXPECT(s.space->handle_fault(fault.cr2, vm::fault_access(fault.error_code)) == FaultResult::kResolved);
    KEXPECT(!touch(write_byte, below).faulted);
    KEXPECT_EQ(s.space->counters().stack_pages, 10u);
}

// The process layer's resolver, as far as memory goes: the fault goes to
// the address space this CPU runs.
bool resolve_in_current_space(uint64_t address, uint64_t error_code) {
    return vm::handle_page_fault(address, error_code) == FaultResult::kResolved;
}

// Installs it for a scope, restoring whichever was there.
struct ResolverForTest {
    arch::UaccessFaultResolver previous = arch::uaccess_fault_resolver();
    ResolverForTest() { arch::set_uaccess_fault_resolver(resolve_in_current_space); }
    ~ResolverForTest() { arch::set_uaccess_fault_resolver(previous); }
};

KTEST(vm, user_copies_fault_pages_in_through_the_current_address_space) {
    ResolverForTest resolver;
    Space parent;
    KASSERT(parent.space);
    uint64_t a = 0x60000000;
    KASSERT(parent.space->mmap(a, 3 * kPage, kRw, kFixedAnon, nullptr, 0).has_value());
    parent.enter();
    // Untouched memory: a copy out of it reads the zero page, a copy into
    // it (across a page boundary) gets fresh pages.
    char buffer[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    KEXPECT_EQ(arch::copy_from_user(buffer, a + kPage, sizeof buffer), 0u);
    for (char c : buffer) KEXPECT_EQ(c, 0);
    const char text[8] = "abcdefg";
    KEXPECT_EQ(arch::copy_to_user(a + kPage - 3, text, sizeof text), 0u);
    char back[8] = {};
    KASSERT(parent.space->read_memory(a + kPage - 3, back, sizeof back).has_value());
    KEXPECT_EQ(__builtin_memcmp(back, text, sizeof text), 0);
    // A read-only page stays as it is: the copy stops there (EFAULT).
    KASSERT(parent.space->mprotect(a + 2 * kPage, kPage, uapi::kProtRead).has_value());
    KEXPECT_EQ(arch::copy_to_user(a + 2 * kPage, text, sizeof text), sizeof text);
    KEXPECT_EQ(parent.space->entry_at(a + 2 * kPage) & vm::pte::kPresent, 0u);
    // No mapping at all.
    KEXPECT_EQ(arch::copy_from_user(buffer, 0x20000000, sizeof buffer), sizeof buffer);

    // Copy-on-write: a forked child's copy into the shared page gets its own.
    auto forked = parent.space->fork();
    KASSERT(forked.has_value());
    parent.leave();
    Space child;
    vm::AddressSpace::destroy(child.space);
    child.space = *forked;
    child.enter();
    const char other[8] = "ABCDEFG";
    KEXPECT_EQ(arch::copy_to_user(a + kPage - 3, other, sizeof other), 0u);
    KASSERT(parent.space->read_memory(a + kPage - 3, back, sizeof back).has_value());
    KEXPECT_EQ(__builtin_memcmp(back, text, sizeof text), 0);
    KEXPECT_EQ(arch::copy_from_user(back, a + kPage - 3, sizeof back), 0u);
    KEXPECT_EQ(__builtin_memcmp(back, other, sizeof other), 0);
    child.leave();

    // This CPU runs no address space now: nothing to fault in.
    KEXPECT_EQ(arch::copy_from_user(buffer, a, sizeof buffer), sizeof buffer);
}

// Frames not free and not holding the kernel heap (which keeps some empty
// slabs cached).
uint64_t frames_in_use() {
    mm::HeapStats heap = mm::heap().stats();
    return mm::frames().stats().managed_bytes / kPage - mm::frames().free_frames() - heap.slab_pages - heap.large_pages;
}

KTEST(vm, teardown_returns_every_frame) {
    (void)vm::kernel_services();  // its zero page is made once, on first use
    uint64_t before = frames_in_use();
    {
        Space s;
        KASSERT(s.space);
        KASSERT(s.space->mmap(0x50000000, 64 * kPage, kRw, kFixedAnon, nullptr, 0).has_value());
        KASSERT(s.space->zero_memory(0x50000000, 64 * kPage).has_value());
        auto shared = s.space->mmap(0, 8 * kPage, kRw, uapi::kMapShared | uapi::kMapAnonymous, nullptr, 0);
        KASSERT(shared.has_value());
        KASSERT(s.space->zero_memory(*shared, 8 * kPage).has_value());
        auto child = s.space->fork();
        KASSERT(child.has_value());
        vm::AddressSpace::destroy(*child);
    }
    KEXPECT_EQ(frames_in_use(), before);
}

}  // namespace
