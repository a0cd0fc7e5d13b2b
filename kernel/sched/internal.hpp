// What the scheduler's own files share (kernel/sched/ only): the steps of
// blocking and waking that wait queues and sleeping locks are built from.
#pragma once

#include "kernel/sched/thread.hpp"

namespace sched {

enum class WakeReason : uint8_t { kNormal, kTimeout, kInterrupt };

// Makes a blocked thread runnable (kTimeout / kInterrupt also record why,
// kInterrupt only for an interruptible wait). From any context. True if
// it was blocked.
bool wake_thread(Thread* thread, WakeReason reason);

// The calling thread's wait: marks it blocked (before it checks its
// condition; a wake-up from then on makes it runnable again), blocks
// (switches away unless a wake-up came meanwhile), and marks it running
// when it is done waiting.
void set_current_waiting(const char* channel, bool interruptible);
void block_current();
void set_current_running();

// From the tick (interrupt context): hands pending work to the worker
// (work_queue.cpp: the log's drain).
void on_tick_work();

}  // namespace sched
