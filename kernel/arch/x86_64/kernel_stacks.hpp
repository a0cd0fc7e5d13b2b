// The kernel stacks the fault handlers know about, so a double fault or a
// page fault can say "stack overflow" instead of only "double fault": when
// the faulting RSP or CR2 lies in the guard region just below a known stack,
// the stack ran out (the #PF for the guard page could not push its frame on
// the same stack, which is what turns it into a #DF, SDM Vol. 3A §6.15
// "Interrupt 8—Double Fault Exception", Table 6-5).
//
// Whoever creates a stack registers it; the BSP's boot stack and the IST
// stacks are registered by init_cpu().
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/cpu_limit.hpp"
#include "lib/expected.hpp"

namespace arch {

inline constexpr uint64_t kStackGuardSize = 4096;  // one page below each stack

struct KnownStack {
    uint64_t bottom = 0;  // lowest usable address
    uint64_t top = 0;     // one past the highest
    const char* name = nullptr;
};

// The registry holds kKnownStacksPerChunk stacks in a chunk of its own
// (enough for the boot: each CPU's kernel stack and three IST stacks on a
// typical machine) and grows by chunks from the allocator mm hands it once
// the heap runs, so every thread's stack is watched, up to
// kMaxKnownStacks. Chunks are never freed: fault handlers read them without
// the lock. kENOMEM when full or out of memory (the stack then works, but
// its overflow is reported as a plain fault).
inline constexpr size_t kKnownStacksPerChunk = 64;
inline constexpr size_t kMaxKnownStackChunks = 1024;
inline constexpr size_t kMaxKnownStacks = kKnownStacksPerChunk * kMaxKnownStackChunks;
static_assert(kKnownStacksPerChunk * kMaxKnownStackChunks >= 4 * lib::kMaxCpus + 4096,
              "every CPU's four stacks and thousands of threads");
[[nodiscard]] lib::Expected<void> register_kernel_stack(uint64_t bottom, uint64_t top, const char* name);
void unregister_kernel_stack(uint64_t bottom);

// Where the registry's further chunks come from (mm's heap; zeroing is the
// registry's business). Called without any lock of the registry held: the
// heap may map pages and wait for other CPUs' TLB shootdown.
void set_known_stack_allocator(void* (*allocate)(size_t bytes));

// The stack whose guard region (the page below `bottom`) holds `cr2`, or
// that `rsp` has just left downwards (or is about to); nullptr if none. The
// RSP test gives way when RSP lies inside another known stack: stacks
// without guard pages may sit back to back, and the top of one is then the
// "guard region" of the next.
const KnownStack* overflowed_stack(uint64_t rsp, uint64_t cr2);

enum class OverflowEvidence : uint8_t { kNone, kCr2InGuardPage, kRspAtBottom };

// Pure form of the test above for one stack, host-tested.
constexpr OverflowEvidence overflow_evidence(const KnownStack& stack, uint64_t rsp, uint64_t cr2) {
    if (stack.bottom < kStackGuardSize || stack.top <= stack.bottom) return OverflowEvidence::kNone;
    uint64_t guard = stack.bottom - kStackGuardSize;
    if (cr2 >= guard && cr2 < stack.bottom) return OverflowEvidence::kCr2InGuardPage;
    if (rsp >= guard && rsp < stack.bottom + 64) return OverflowEvidence::kRspAtBottom;  // a push or two from the edge
    return OverflowEvidence::kNone;
}

constexpr bool is_overflow_of(const KnownStack& stack, uint64_t rsp, uint64_t cr2) {
    return overflow_evidence(stack, rsp, cr2) != OverflowEvidence::kNone;
}

// Marks the 4 KiB page at `page` present or not present in the live page
// tables and flushes it from the TLB. Only for a page the kernel image maps
// with a 4 KiB entry (kInvalid otherwise): the fault tests use it to put a
// guard page below a stack in .bss, before kernel/mm exists.
[[nodiscard]] lib::Expected<void> set_kernel_page_present(uint64_t page, bool present);

// Runs fn(arg) with RSP at `stack_top` (16-byte aligned), back on the
// caller's stack afterwards. kernel/arch/x86_64/call_on_stack.S.
extern "C" void arch_call_on_stack(uint64_t stack_top, void (*fn)(void*), void* arg);

}  // namespace arch
