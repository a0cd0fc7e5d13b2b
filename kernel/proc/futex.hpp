// futex(2) in the kernel (docs/signals.md §5, §7): the futex table of
// futex_table.hpp with waiters sleeping on the scheduler, keys from the
// calling process's address space, the clear-child-tid wake-up and the
// robust-list walk of a task that ends.
#pragma once

#include <stdint.h>

#include "kernel/proc/process.hpp"
#include "lib/expected.hpp"

namespace proc {

// sys_futex for the calling task (futex_call.hpp has the checks and their order).
lib::Expected<long> futex(uint64_t uaddr, int op, uint32_t val, uint64_t timeout_or_val2, uint64_t uaddr2,
                          uint32_t val3);

// Wakes up to `count` waiters on the word at `address` of `space`, keyed
// as a futex without FUTEX_PRIVATE (CLONE_CHILD_CLEARTID at a thread's
// exit: pthread_join waits there; a robust futex of a dying owner, which
// another process may wait on).
void futex_wake(const vm::AddressSpace* space, uint64_t address, uint32_t count);

// What a task leaves behind as it ends, in its own address space: the
// robust futexes it held marked FUTEX_OWNER_DIED (their waiters woken),
// then, when other tasks still share the memory (`memory_shared`: Linux's
// mm_release), the clear-child-tid word zeroed and its waiter woken.
void release_task_futexes(Task& task, bool memory_shared);

}  // namespace proc
