// The registry of known kernel stacks and the temporary guard-page switch;
// see kernel_stacks.hpp.
#include "kernel/arch/x86_64/kernel_stacks.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/init.hpp"
#include "kernel/arch/x86_64/page_walk.hpp"
#include "kernel/sync/spinlock.hpp"

namespace arch {
namespace {

// Read by fault handlers without the lock (a handler must never wait for
// it): entries are written whole before `used` is raised.
KnownStack g_stacks[kMaxKnownStacks];
ksync::Spinlock g_stacks_lock;

}  // namespace

lib::Expected<void> register_kernel_stack(uint64_t bottom, uint64_t top, const char* name) {
    ksync::Guard guard(g_stacks_lock);
    for (KnownStack& slot : g_stacks) {
        if (slot.top != 0) continue;
        slot.bottom = bottom;
        slot.name = name;
        __atomic_store_n(&slot.top, top, __ATOMIC_RELEASE);
        return {};
    }
    return lib::Error::make(lib::ErrorCode::kENOMEM, "the table of known kernel stacks is full");
}

void unregister_kernel_stack(uint64_t bottom) {
    ksync::Guard guard(g_stacks_lock);
    for (KnownStack& slot : g_stacks)
        if (slot.top != 0 && slot.bottom == bottom) __atomic_store_n(&slot.top, 0, __ATOMIC_RELEASE);
}

const KnownStack* overflowed_stack(uint64_t rsp, uint64_t cr2) {
    const KnownStack* by_rsp = nullptr;
    bool rsp_inside_a_stack = false;
    for (const KnownStack& slot : g_stacks) {
        uint64_t top = __atomic_load_n(&slot.top, __ATOMIC_ACQUIRE);
        if (top == 0) continue;
        OverflowEvidence evidence = overflow_evidence(slot, rsp, cr2);
        if (evidence == OverflowEvidence::kCr2InGuardPage) return &slot;
        if (evidence == OverflowEvidence::kRspAtBottom && by_rsp == nullptr)
            by_rsp = &slot;
        else if (rsp >= slot.bottom && rsp < top)
            rsp_inside_a_stack = true;
    }
    return rsp_inside_a_stack ? nullptr : by_rsp;
}

// The live tables, read through the physical map (init.hpp).
lib::Expected<void> set_kernel_page_present(uint64_t page, bool present) {
    constexpr lib::Error kNotASmallPage =
        lib::Error::make(lib::ErrorCode::kEINVAL, "not a 4 KiB page of the kernel's page tables");
    uint64_t offset = physical_map_offset();
    if (offset == 0 || (page & 0xfff) != 0) return kNotASmallPage;
    x86_64::paging::Walk walk = x86_64::paging::walk(read_cr3(), page, paging_levels(), [offset](uint64_t table) {
        return reinterpret_cast<uint64_t*>(table + offset);
    });
    // Only a 4 KiB entry, present or made not present by us: such an entry
    // keeps its frame address, so it can be made present again as it was.
    bool small_page = walk.present ? walk.level == 0 : walk.missing_level == 0;
    if (!small_page || (walk.entry & pte::kAddressMask) == 0) return kNotASmallPage;
    volatile uint64_t* entry = walk.entry_pointer;
    *entry = present ? (walk.entry | pte::kPresent) : (walk.entry & ~pte::kPresent);
    invlpg(page);
    return {};
}

}  // namespace arch
