// Queue entries for pending signals come from the kernel heap
// (signal_state.hpp; host tests provide their own).
#include "kernel/mm/mm.hpp"
#include "kernel/proc/signal_state.hpp"
#include "lib/placement_new.hpp"

namespace proc {

QueuedSignal* allocate_queued_signal() {
    void* memory = mm::kmalloc_aligned(sizeof(QueuedSignal), alignof(QueuedSignal));
    return memory ? new (memory) QueuedSignal : nullptr;
}

void free_queued_signal(QueuedSignal* entry) {
    entry->~QueuedSignal();
    mm::kfree(entry);
}

}  // namespace proc
