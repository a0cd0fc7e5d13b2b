// Deferred work; see work_queue.hpp.
#include "kernel/sched/work_queue.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/sched/internal.hpp"
#include "kernel/sched/sched.hpp"
#include "lib/format.hpp"

namespace sched {

struct WorkQueueAccess {
    static bool& queued(Work& work) { return work.queued_; }
    static void run(Work& work) {
        __atomic_fetch_add(&work.runs_, 1, __ATOMIC_RELAXED);
        work.function_(work);
    }
};

namespace {

struct Worker {
    ksync::Spinlock lock;  // interrupt handlers queue work: interrupts off while held
    lib::IntrusiveList<Work, WorkTag> items;
    WaitQueue wake{"work"};
    Thread* thread = nullptr;
};

Worker* g_workers[kMaxCpus];
bool g_running = false;

void worker_main(void* argument) {
    Worker& worker = *static_cast<Worker*>(argument);
    for (;;) {
        (void)worker.wake.wait_event([&worker] {
            ksync::Guard guard(worker.lock);
            return !worker.items.empty();
        });
        for (;;) {
            Work* work;
            {
                ksync::Guard guard(worker.lock);
                work = worker.items.pop_front();
                // Cleared before it runs: queued again from now on, it runs again.
                if (work) __atomic_store_n(&WorkQueueAccess::queued(*work), false, __ATOMIC_RELEASE);
            }
            if (!work) break;
            WorkQueueAccess::run(*work);
        }
    }
}

// The log's drain: lines logged with interrupts off wait in the log ring
// (docs/smp.md §7). The log tells us (klog::set_output_pending_hook) from
// wherever it is, possibly with scheduler locks held, so the hook only
// notes it; the next tick (an interrupt: none of the scheduler's locks are
// held by the code it interrupted) hands the drain to the worker.
bool g_log_pending = false;

void note_log_pending() {
    __atomic_store_n(&g_log_pending, true, __ATOMIC_RELEASE);
}

void drain_log(Work&) {
    klog::drain();
}

constinit Work g_drain_work{drain_log, "log drain"};

void dump_now(Work&) {
    dump();
}

constinit Work g_dump_work{dump_now, "scheduler dump"};

}  // namespace

void request_dump() {
    if (!queue_work(g_dump_work) && !workers_running()) dump();
}

void on_tick_work() {
    if (__atomic_load_n(&g_log_pending, __ATOMIC_RELAXED) && __atomic_exchange_n(&g_log_pending, false, __ATOMIC_ACQ_REL))
        queue_work(g_drain_work);
}

bool queue_work_on(uint32_t cpu, Work& work) {
    if (!__atomic_load_n(&g_running, __ATOMIC_ACQUIRE) || cpu >= kMaxCpus || !g_workers[cpu]) return false;
    Worker& worker = *g_workers[cpu];
    {
        ksync::Guard guard(worker.lock);
        if (WorkQueueAccess::queued(work)) return false;
        __atomic_store_n(&WorkQueueAccess::queued(work), true, __ATOMIC_RELEASE);
        worker.items.push_back(work);
    }
    worker.wake.wake_all();
    return true;
}

bool queue_work(Work& work) {
    bool were_enabled = arch::interrupts_enabled();
    arch::cli();
    bool queued = queue_work_on(arch::cpu_index(), work);
    if (were_enabled) arch::sti();
    return queued;
}

void start_workers() {
    for (uint32_t cpu = 0; cpu < kMaxCpus; ++cpu) {
        if (!cpu_running(cpu)) continue;
        Worker* worker = new Worker;
        if (!worker) PANIC("sched: no memory for CPU {}'s worker", cpu);
        char name[Thread::kNameSize];
        lib::format(name, sizeof name, "kworker/{}", cpu);
        SpawnOptions options;
        options.affinity = CpuSet::only(cpu);
        auto thread = spawn(name, worker_main, worker, options);
        if (!thread) PANIC("sched: no worker thread for CPU {}: {}", cpu, thread.error().message);
        worker->thread = *thread;
        detach(*thread);
        __atomic_store_n(&g_workers[cpu], worker, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&g_running, true, __ATOMIC_RELEASE);
    klog::set_output_pending_hook(note_log_pending);
    klog::info("sched: a worker thread on each of {} CPUs", cpus_running());
}

bool workers_running() {
    return __atomic_load_n(&g_running, __ATOMIC_ACQUIRE);
}

}  // namespace sched
