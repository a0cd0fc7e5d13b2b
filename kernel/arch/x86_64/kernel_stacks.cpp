// The registry of known kernel stacks and the temporary guard-page switch;
// see kernel_stacks.hpp.
#include "kernel/arch/x86_64/kernel_stacks.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/page_walk.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/sync/spinlock.hpp"

namespace arch {
namespace {

// Read by fault handlers without the lock (a handler must never wait for
// it): entries are written whole before `used` is raised.
KnownStack g_stacks[kMaxKnownStacks];
ksync::Spinlock g_stacks_lock;

}  // namespace

bool register_kernel_stack(uint64_t bottom, uint64_t top, const char* name) {
    ksync::Guard guard(g_stacks_lock);
    for (KnownStack& slot : g_stacks) {
        if (slot.top != 0) continue;
        slot.bottom = bottom;
        slot.name = name;
        __atomic_store_n(&slot.top, top, __ATOMIC_RELEASE);
        return true;
    }
    return false;
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

// A 4-level walk to the final entry (SDM Vol. 3A §4.5), through the HHDM.
bool set_kernel_page_present(uint64_t page, bool present) {
    uint64_t hhdm = boot::info().hhdm_offset;
    if (hhdm == 0 || (read_cr4() & kCr4La57) || (page & 0xfff) != 0) return false;
    uint64_t table_physical = read_cr3() & kPteAddressMask;
    for (int level = 3; level >= 0; --level) {
        unsigned index = (page >> (12 + 9 * level)) & 0x1ff;
        auto* entry = reinterpret_cast<volatile uint64_t*>(table_physical + hhdm) + index;
        uint64_t value = *entry;
        if (level == 0) {
            // A not-present entry we made keeps its frame address, so it can
            // be made present again as it was.
            if ((value & kPteAddressMask) == 0) return false;
            *entry = present ? (value | kPtePresent) : (value & ~kPtePresent);
            asm volatile("invlpg (%0)" ::"r"(page) : "memory");
            return true;
        }
        if (!(value & kPtePresent) || (value & kPteLarge)) return false;
        table_physical = value & kPteAddressMask;
    }
    return false;
}

}  // namespace arch
