// The kernel's only way to touch user memory: copies that check the range
// and never fault the kernel (uaccess.S). A user address range is valid
// when it lies below kUserTop; anything else (the kernel half, a
// non-canonical address, a wrap-around) is refused before any access. An
// unmapped or protected page inside the range faults; the page-fault
// handler first asks the memory manager to resolve it (demand paging, copy
// on write, stack growth: set_uaccess_fault_resolver; only where the copy
// ran with interrupts on) and otherwise resumes
// at the instruction's fix-up from the exception table, which ends the copy
// there. The syscall layer turns "not everything copied" into EFAULT.
//
//   if (arch::copy_from_user(&ts, user_address, sizeof ts) != 0) return EFAULT;
//
// With SMAP the accesses are bracketed by STAC/CLAC; everywhere else a
// kernel access to a user page faults (enable_user_protections()).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86_64/interrupt_frame.hpp"

namespace arch {

// User space is [0, kUserTop): the lower canonical half (Intel SDM Vol. 1
// §3.3.7.1: 48-bit linear addresses) less its top page, which Linux keeps
// unmapped so that no SYSCALL returns to a non-canonical RIP+2 (its
// TASK_SIZE_MAX; docs/userspace.md).
inline constexpr uint64_t kUserTop = (1ULL << 47) - 4096;

// Whether [address, address + size) lies in user space (no wrap-around).
constexpr bool user_range_ok(uint64_t address, uint64_t size) {
    return size <= kUserTop && address <= kUserTop - size;
}

// Each returns how many bytes were NOT copied/cleared (0: all of them); a
// refused range counts as nothing done.
size_t copy_from_user(void* destination, uint64_t user_source, size_t size);
size_t copy_to_user(uint64_t user_destination, const void* source, size_t size);
size_t clear_user(uint64_t user_destination, size_t size);

// Copies a NUL-terminated string of at most `capacity` bytes (its NUL
// included): returns its length (without the NUL) when the NUL came within
// `capacity` bytes, `capacity` when it did not (the buffer then holds no
// NUL), or -1 when the string is not readable.
int64_t strncpy_from_user(char* destination, uint64_t user_source, size_t capacity);

// One aligned 32- or 64-bit access (atomic with respect to other threads
// of the program); false when the address is not accessible.
bool load_user_u32(uint64_t user_address, uint32_t& value);
bool load_user_u64(uint64_t user_address, uint64_t& value);
bool store_user_u32(uint64_t user_address, uint32_t value);
bool store_user_u64(uint64_t user_address, uint64_t value);
// An atomic compare-and-exchange of an aligned user word (futexes): `actual`
// gets the old value, the store happened when it equals `expected`; false
// when the word is not accessible.
bool cmpxchg_user_u32(uint64_t user_address, uint32_t expected, uint32_t desired, uint32_t& actual);

// The exception table: the fix-up for a faulting instruction at `rip`, or 0
// when `rip` is not a user access.
uint64_t exception_fixup(uint64_t rip);

// The memory manager's side of a fault in a user access: `access_error_code`
// is the #PF error code (SDM Vol. 3A §4.7). True when the page is now there
// and the access can be retried. Runs with interrupts on, and only for a
// copy that ran with interrupts on: one with interrupts off just fails
// (EFAULT), as in Linux's atomic context, because resolving takes the
// address-space lock whose holder may wait for this CPU's answer to a TLB
// shootdown. Code that reads user memory with interrupts off faults the
// page in first and retries on failure (kernel/proc/futex.cpp).
using UaccessFaultResolver = bool (*)(uint64_t address, uint64_t error_code);
void set_uaccess_fault_resolver(UaccessFaultResolver resolver);
UaccessFaultResolver uaccess_fault_resolver();  // the one installed (nullptr: none)

// What happens to an exception raised in user mode (CPL 3): a page fault
// the handler resolves, or a signal for the program (issue 12 makes it one;
// the process layer installs it). Runs with interrupts off on the thread's
// kernel stack; `cr2` is the #PF address (0 for other vectors).
using UserTrapHandler = void (*)(InterruptFrame& frame, uint64_t cr2);
void set_user_trap_handler(UserTrapHandler handler);

// Called last before every return to user mode from an interrupt or
// exception: the process layer's "work before user mode" (signals). The
// system-call exit, above the process layer, calls that work directly.
// Interrupts off on entry and exit.
using ReturnToUserHook = void (*)(InterruptFrame& frame);
void set_return_to_user_hook(ReturnToUserHook hook);

// This CPU's user-mode protections, where the CPU has them (CPUID.07H):
// SMEP (no kernel execution of user pages), SMAP (no kernel access to user
// pages outside the copies above), UMIP (no SGDT/SIDT/SLDT/SMSW/STR at
// CPL 3). SDM Vol. 3A §2.5 (CR4 bits 20, 21, 11), §4.6. Each CPU, once.
void enable_user_protections();
bool smap_active();
bool smep_active();
bool umip_active();

}  // namespace arch
