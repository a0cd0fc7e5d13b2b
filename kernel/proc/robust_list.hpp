// The robust-futex list a thread registers with set_robust_list(2)
// (docs: the kernel's robust-futex ABI, restated in docs/signals.md §5):
// when the thread ends, every lock it still holds gets FUTEX_OWNER_DIED
// and one waiter is woken, so the next locker sees EOWNERDEAD instead of
// waiting forever.
#pragma once

#include <stdint.h>

#include "kernel/proc/futex_table.hpp"

namespace proc {

// Wakes one waiter of the (shared-keyed) futex at `address`.
using RobustWake = void (*)(void* context, uint64_t address);

// Walks the list at `head` of the ending thread `tid`: at most
// ROBUST_LIST_LIMIT entries, stopping quietly at the first word it cannot
// reach (the program's memory is the program's business), then the entry
// in `list_op_pending`.
void walk_robust_list(uint64_t head, uint32_t tid, FutexMemory& memory, RobustWake wake, void* context);

}  // namespace proc
