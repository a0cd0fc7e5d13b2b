// What the spinlock checks report in the kernel; see spinlock.hpp.
#include "kernel/sync/spinlock.hpp"

#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/console/log.hpp"

namespace ksync {
namespace {

uint64_t g_held_too_long_ticks = uint64_t(1) << 32;

// "0xffffffff80012345 (kernel_main+0x45)", or just the address.
struct CodeAddress {
    char text[128];
    explicit CodeAddress(uintptr_t address) {
        char symbol[96];
        arch::describe_code_address(address, symbol, sizeof symbol);
        lib::format(text, sizeof text, symbol[0] ? "{:#x} ({})" : "{:#x}", address, symbol);
    }
};

}  // namespace

uint64_t held_too_long_ticks() {
    return __atomic_load_n(&g_held_too_long_ticks, __ATOMIC_RELAXED);
}

void set_held_too_long_ticks(uint64_t ticks) {
    __atomic_store_n(&g_held_too_long_ticks, ticks, __ATOMIC_RELAXED);
}

namespace detail {

void report_recursion(const void* lock, uint32_t cpu, uintptr_t taken_at) {
    CodeAddress where(taken_at);
    PANIC("spinlock {}: CPU {} takes it again while holding it (taken at {})", lock, cpu, where.text);
}

void report_foreign_unlock(const void* lock, uint32_t cpu, uint32_t owner_plus_one) {
    if (owner_plus_one == kNoOwner) PANIC("spinlock {}: CPU {} unlocks it, but nobody holds it", lock, cpu);
    PANIC("spinlock {}: CPU {} unlocks it, but CPU {} holds it", lock, cpu, owner_plus_one - 1);
}

void report_held_too_long(const void* lock, uint32_t cpu, uint32_t owner_plus_one, uintptr_t taken_at,
                          uint64_t waited_ticks) {
    if (owner_plus_one == kNoOwner) {
        klog::warn("spinlock {}: CPU {} has waited {} TSC ticks for it (holder not tracked in this build)", lock, cpu,
                   waited_ticks);
        return;
    }
    CodeAddress where(taken_at);
    klog::warn("spinlock {}: CPU {} has waited {} TSC ticks for it; CPU {} holds it, taken at {}", lock, cpu,
               waited_ticks, owner_plus_one - 1, where.text);
}

}  // namespace detail
}  // namespace ksync
