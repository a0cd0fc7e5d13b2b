// Deferred work: interrupt handlers hand work to a kernel thread of their
// CPU ("kworker/N"), which runs it in thread context — interrupts on, free
// to take sleeping locks, to log and print, to block.
//
//   void echo(sched::Work&) { ... }
//   constinit sched::Work g_echo_work{echo, "keyboard echo"};
//   sched::queue_work(g_echo_work);     // from the IRQ handler
//
// A Work item is queued at most once at a time: queueing it again before
// it runs does nothing more (it runs once for both requests); queueing it
// while it runs makes it run again afterwards. The item's storage must
// outlive its runs (usually a static).
#pragma once

#include <stdint.h>

#include "lib/intrusive_list.hpp"

namespace sched {

struct WorkTag;

class Work : public lib::ListNode<WorkTag> {
public:
    using Function = void (*)(Work& work);
    constexpr Work(Function function, const char* name) : function_(function), name_(name) {}
    Work(const Work&) = delete;
    Work& operator=(const Work&) = delete;

    const char* name() const { return name_; }
    bool queued() const { return __atomic_load_n(&queued_, __ATOMIC_ACQUIRE); }
    // How often it ran.
    uint64_t runs() const { return __atomic_load_n(&runs_, __ATOMIC_RELAXED); }

private:
    friend struct WorkQueueAccess;
    Function function_;
    const char* name_;
    bool queued_ = false;
    uint64_t runs_ = 0;
};

// Queues `work` on this CPU's worker / CPU `cpu`'s. From any context,
// interrupt handlers included. False when it was queued already, or when
// there are no workers yet (before start_workers(); the caller then does
// the work itself if it must be done).
bool queue_work(Work& work);
bool queue_work_on(uint32_t cpu, Work& work);

// sched::dump() by a worker (from any context: the keyboard's
// Ctrl+Alt+F12 asks for it from its interrupt handler).
void request_dump();

// Once every CPU runs threads: one worker thread per CPU, pinned to it.
void start_workers();
bool workers_running();

}  // namespace sched
