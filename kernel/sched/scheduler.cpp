// The scheduler: per-CPU run queues (run_queue.hpp, EEVDF), switching,
// blocking and waking, thread creation and reaping. docs/scheduler.md
// explains the policy and the rules this file follows; in short:
//
// Locks, outermost first: a wait queue's lock → a thread's lock_ → a
// CPU's run-queue lock (→ the timer lock of kernel/time, for tickless idle).
// A thread's lock_ serialises its wake-ups with its own blocking: schedule()
// holds it (and the run-queue lock) while it decides whether the thread
// leaves its queue; a waker holds it while it decides whether to put the
// thread back on one. Interrupts are off in every scheduler path.
//
// Switching: schedule() takes this CPU's run-queue lock, picks, and
// switches with the lock held; the thread that runs next releases it
// (finish_switch), and only then clears the previous thread's on_cpu_,
// which tells a waker on another CPU that its registers are saved and it
// may run elsewhere.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/arch/x86_64/ipi.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/sched/balance.hpp"
#include "kernel/sched/extended_state.hpp"
#include "kernel/sched/internal.hpp"
#include "kernel/sched/load_average.hpp"
#include "kernel/sched/sched.hpp"
#include "kernel/time/time.hpp"
#include "lib/format.hpp"

extern "C" void sched_thread_trampoline();
extern "C" [[noreturn]] void sched_thread_start(sched::Thread* prev);

namespace sched {
namespace {

// Ticks between two periodic balancing rounds of a busy CPU.
constexpr uint64_t kBalanceIntervalTicks = 4;

struct CpuSched {
    explicit CpuSched(uint32_t cpu) : queue(cpu) {}
    ksync::Spinlock lock;
    RunQueue queue;
    Thread* idle = nullptr;
    Thread* current = nullptr;
    uint64_t switches = 0;
    uint64_t idle_ns = 0;
    uint64_t idle_entries = 0;
    uint64_t idle_since_ns = 0;
    uint64_t ticks = 0;
    uint64_t migrations_in = 0;  // threads this CPU pulled (stealing, balancing)
    // Every CPU's load as this CPU last looked (placement, balancing); used
    // with interrupts off only, so one per CPU is enough.
    CpuLoad* loads = nullptr;
    bool running = false;
};

CpuSched* g_cpus[kMaxCpus];
uint32_t g_cpu_limit = 0;
SwitchHook g_switch_hook = nullptr;
uint64_t g_next_id = 1;

// Every thread (dump, counts), and the dead detached ones waiting to be freed.
ksync::Spinlock g_threads_lock;
lib::IntrusiveList<Thread, AllThreadsTag>* g_threads = nullptr;
uint32_t g_thread_count = 0;
ksync::Spinlock g_zombies_lock;
lib::IntrusiveList<Thread, ZombieTag>* g_zombies = nullptr;
// Joiners wait here for any thread's end (one queue for all: a thread
// that is freed right after its end can not host the queue its joiner
// is woken through).
WaitQueue* g_exits = nullptr;

Thread g_boot_thread;

void store_state(Thread& thread, ThreadState state) {
    __atomic_store_n(reinterpret_cast<uint8_t*>(&thread.state_), uint8_t(state), __ATOMIC_SEQ_CST);
}

CpuSched& this_cpu_sched() {
    return *g_cpus[arch::cpu_index()];
}

Thread* thread_of(Entity* entity) {
    return entity ? static_cast<Thread::ThreadEntity*>(entity)->thread : nullptr;
}

void set_name(Thread& thread, const char* name) { thread.rename(name); }

}  // namespace

void Thread::rename(const char* name) {
    size_t i = 0;
    for (; name && name[i] && i + 1 < kNameSize; ++i) __atomic_store_n(&name_[i], name[i], __ATOMIC_RELAXED);
    for (; i < kNameSize; ++i) __atomic_store_n(&name_[i], '\0', __ATOMIC_RELAXED);
}

namespace {

void register_thread(Thread& thread) {
    thread.id_ = __atomic_fetch_add(&g_next_id, 1, __ATOMIC_RELAXED);
    thread.entity_.thread = &thread;
    ksync::Guard guard(g_threads_lock);
    g_threads->push_back(thread);
    __atomic_fetch_add(&g_thread_count, 1, __ATOMIC_RELAXED);
}

void unregister_thread(Thread& thread) {
    ksync::Guard guard(g_threads_lock);
    g_threads->remove(thread);
}

// Asks `cpu` to reschedule: this CPU's flag, or another's and its IPI.
void request_reschedule(uint32_t cpu) {
    if (cpu == arch::cpu_index()) {
        arch::set_reschedule_pending();
        return;
    }
    arch::CpuLocal* local = arch::cpu_local(cpu);
    if (!local) return;
    __atomic_store_n(&local->hot.reschedule_pending, 1, __ATOMIC_RELEASE);
    arch::ipi::send(local->hot.apic_id, arch::ipi::kReschedule);
}

bool cpu_usable(uint32_t cpu) {
    return cpu < g_cpu_limit && g_cpus[cpu] && __atomic_load_n(&g_cpus[cpu]->running, __ATOMIC_ACQUIRE);
}

// Every CPU's load, read without locks into this CPU's scratch table (a
// stale view only makes a decision slightly worse: moves re-check under the
// locks). Interrupts off.
lib::Span<const CpuLoad> snapshot_loads() {
    CpuLoad* loads = g_cpus[arch::cpu_index()]->loads;
    for (uint32_t cpu = 0; cpu < g_cpu_limit; ++cpu) {
        CpuLoad& load = loads[cpu];
        load.online = cpu_usable(cpu);
        if (!load.online) {
            load.nr_running = 0;
            load.load = 0;
            continue;
        }
        const RunQueue& queue = g_cpus[cpu]->queue;
        load.nr_running = queue.nr_running();
        load.load = queue.load();
    }
    return lib::Span<const CpuLoad>(loads, g_cpu_limit);
}

// Where a thread that becomes runnable goes (balance.hpp): a wake-up
// prefers the CPU it last ran on (warm cache); a new thread (hint -2) the
// least loaded allowed CPU; hint >= 0 asks for that CPU if allowed.
// Interrupts off.
uint32_t select_cpu(const Thread& thread, int hint) {
    // One CPU: every rule below ends there (a thread whose affinity lacks
    // it is the caller's error, which they answer with CPU 0 as well).
    if (g_cpu_limit == 1) return 0;
    const CpuSet& allowed = thread.entity_.affinity;
    if (hint >= 0 && allowed.contains(uint32_t(hint)) && cpu_usable(uint32_t(hint))) return uint32_t(hint);
    lib::Span<const CpuLoad> loads = snapshot_loads();
    if (hint == -1) return select_wakeup_cpu(allowed, thread.entity_.cpu, loads);
    uint32_t best = ~0u;
    for (uint32_t cpu = 0; cpu < g_cpu_limit; ++cpu) {
        if (!allowed.contains(cpu) || !loads[cpu].online) continue;
        if (best == ~0u || loads[cpu].nr_running < loads[best].nr_running) best = cpu;
    }
    return best != ~0u ? best : 0;
}

// Moves waiting threads from `source` to `destination` (both locks held)
// while their weight stays within `max_weight`: the least urgent first
// (latest deadline), allowed on `destination`, and runnable (a thread
// preempted on its way to block stays: its waker relies on it being on its
// queue). A waiting thread's registers are saved: a switch is not in
// progress on `source` while its lock is held. Returns how many moved.
uint32_t pull_threads(CpuSched& source, CpuSched& destination, uint64_t max_weight, uint32_t max_threads,
                      uint64_t now) {
    uint32_t moved = 0;
    uint64_t weight = 0;
    const auto& waiting = source.queue.waiting();
    for (Entity* entity = waiting.back(); entity && moved < max_threads;) {
        Entity* previous = waiting.prev(*entity);
        Thread* thread = static_cast<Thread::ThreadEntity*>(entity)->thread;
        if (entity->affinity.contains(destination.queue.cpu()) && weight + entity->weight <= max_weight &&
            thread->state() == ThreadState::kRunnable && !thread->idle_) {
            source.queue.dequeue(*entity, now);
            destination.queue.enqueue(*entity, now);
            weight += entity->weight;
            ++moved;
        }
        entity = previous;
    }
    destination.migrations_in += moved;
    return moved;
}

// Work stealing (balance.hpp): this CPU, its lock held, has nothing to
// run. Takes one thread from the busiest CPU with one waiting. The other
// lock is only tried: two CPUs stealing from each other must not deadlock.
bool steal_into(CpuSched& cpu, uint64_t now) {
    if (g_cpu_limit < 2 || !cpu.loads) return false;
    BalanceDecision plan = plan_idle_steal(cpu.queue.cpu(), snapshot_loads());
    if (!plan.pull) return false;
    CpuSched& source = *g_cpus[plan.source];
    bool state;
    if (!source.lock.try_lock(state)) return false;
    uint32_t moved = pull_threads(source, cpu, plan.max_weight, 1, now);
    source.lock.unlock(state);
    return moved > 0;
}

// Nothing to run here: a stolen thread, picked (nullptr: still nothing).
// Out of line: the pick in schedule() is inlined once, for the usual case.
[[gnu::noinline]] Entity* steal_and_pick(CpuSched& cpu, uint64_t now) {
    return steal_into(cpu, now) ? cpu.queue.pick_next(now) : nullptr;
}

// Puts a thread that is off every queue and off every CPU on `cpu`'s queue;
// reschedules that CPU if the newcomer should run first.
void enqueue_on(Thread& thread, uint32_t cpu) {
    CpuSched& target = *g_cpus[cpu];
    bool preempt;
    {
        auto state = target.lock.lock();
        if (thread.nice_pending_) {
            thread.entity_.set_nice(thread.pending_nice_);
            thread.nice_pending_ = false;
        }
        target.queue.enqueue(thread.entity_, ktime::now_ns());
        preempt = target.current == target.idle || target.queue.should_preempt(thread.entity_);
        target.lock.unlock(state);
    }
    if (preempt) request_reschedule(cpu);
}

enum class Why : uint8_t { kBlock, kPreempt, kYield };

// Interrupts off. Picks the next thread of this CPU and switches to it.
// kBlock: the current thread leaves its queue unless a wake-up already made
// it runnable again (or it is dead); kPreempt: it stays runnable whatever
// its state says (it was preempted on its way to block and will finish
// blocking when it runs again); kYield: its deadline moves one slice on.
// Inline: yield() gets its own copy (the reason known, its branches gone,
// no call); everyone else calls schedule_out_of_line.
[[gnu::always_inline]] inline void schedule(Why why);
[[gnu::noinline]] void schedule_out_of_line(Why why);

[[gnu::always_inline]] inline void finish_switch(Thread* last, CpuSched& cpu);

// The context switch itself (docs/scheduler.md, "Switching"): pushes RBP
// and the address to resume at on this stack, saves RSP in prev, loads
// next's and returns to the address on top of it. Every other register is
// declared clobbered, so the compiler keeps nothing in them across the
// switch (schedule()'s own prologue has saved its caller's callee-saved
// registers): no second frame of pushes and pops. RFLAGS is not saved:
// every switch happens with interrupts off and DF clear. In the resumed
// thread RAX holds the `prev` its switcher passed: the thread that ran
// before it, and `cpu` the switcher's CpuSched: this CPU's, whichever CPU
// the resumed thread last ran on. A new thread's stack (create) holds only
// the address of sched_thread_trampoline.
[[gnu::always_inline]] inline Thread* switch_stacks(Thread* prev, Thread* next, CpuSched*& cpu) {
    Thread* last = prev;
    uint64_t* save = &prev->saved_rsp_;
    uint64_t next_rsp = next->saved_rsp_;
    asm volatile(
        "pushq %%rbp\n\t"
        "leaq 1f(%%rip), %%rcx\n\t"
        "pushq %%rcx\n\t"
        "movq %%rsp, (%[save])\n\t"
        "movq %[next_rsp], %%rsp\n\t"
        "ret\n"
        "1:\n\t"
        "popq %%rbp"
        : "+a"(last), [save] "+D"(save), [next_rsp] "+d"(next_rsp), "+S"(cpu)
        :
        : "rbx", "rcx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "memory", "cc");
    return last;
}

[[gnu::always_inline]] inline void context_switch(CpuSched& cpu, Thread* prev, Thread* next, uint64_t now) {
    __atomic_store_n(&next->on_cpu_, true, __ATOMIC_RELAXED);
    cpu.current = next;
    arch::set_current_thread(next);
    // The stack an entry from user mode lands on is the thread's own state:
    // its stack top unless the process layer set another
    // (set_entry_stack_top, which keeps it in the thread, so nothing is
    // saved here; every thread has one: an AP's idle thread takes the CPU's).
    arch::set_kernel_stack_top(next->entry_stack_top_);
    // Two threads without an owner (kernel threads) need nothing of the
    // process layer (thread.hpp, set_switch_hook). An owner is set only by
    // the process layer, after it installed its hook (which happens before
    // any thread with an owner runs): no null test, and a plain load the
    // call can take its target from.
    if (prev->owner || next->owner) g_switch_hook(next);
    switch_extended_state(prev->xstate_, next->xstate_);
    ++cpu.switches;
    if (prev->idle_) {
        cpu.idle_ns += now - cpu.idle_since_ns;
        ktime::exit_idle();  // the tick is back for the thread
    }
    if (next->idle_) {
        cpu.idle_since_ns = now;
        ++cpu.idle_entries;
    }
    CpuSched* here = &cpu;
    Thread* last = switch_stacks(prev, next, here);
    finish_switch(last, *here);
}

// A running thread's pending nice or affinity change (set_nice,
// set_affinity: changes_pending_), applied when it leaves the CPU without
// blocking; out of line, as it is rare. The run-queue lock held.
[[gnu::noinline]] void apply_pending_changes(CpuSched& cpu, Thread* prev, ThreadState state, uint64_t now) {
    if (prev->nice_pending_ && state == ThreadState::kRunnable) {
        // A new weight: off the queue and back on, keeping its lag.
        // (Not while it is on its way to block: a waker, which holds only
        // the thread's lock, must not see it off the queue for a moment.)
        cpu.queue.dequeue(prev->entity_, now);
        prev->entity_.set_nice(prev->pending_nice_);
        prev->nice_pending_ = false;
        cpu.queue.enqueue(prev->entity_, now);
    }
    if (prev->affinity_changed_) {
        // set_affinity took this CPU away while it ran (the only way a
        // running thread finds itself on a CPU it may not use: placement
        // and balancing follow the affinity): off this queue now, onto
        // another once its registers are saved (finish_switch).
        prev->affinity_changed_ = false;
        if (!prev->entity_.affinity.contains(cpu.queue.cpu())) {
            cpu.queue.dequeue(prev->entity_, now);
            prev->migrating_ = true;
        }
    }
}

[[gnu::always_inline]] inline void schedule(Why why) {
    DEBUG_ASSERT(!arch::interrupts_enabled());
    CpuSched& cpu = this_cpu_sched();
    Thread* prev = cpu.current;
    // Only a thread that blocks needs its own lock: whether it leaves the
    // queue races with its wake-ups. A preempted or yielding one stays
    // runnable whatever happens (its nice and affinity changes are made
    // under the run-queue lock too).
    bool blocking = why == Why::kBlock && !prev->idle_;
    bool thread_state = false;
    // Interrupts are off (every caller), so the locks skip IrqSave's RFLAGS
    // read; the unlocks pass `false` (leave them off).
    if (blocking) thread_state = prev->lock_.lock_interrupts_off();
    auto queue_state = cpu.lock.lock_interrupts_off();
    uint64_t now = ktime::now_ns();
    arch::clear_reschedule_pending();
    bool charged = false;  // the current entity is charged up to `now`
    if (!prev->idle_) {
        // The state is read where it is used: a yield or a preemption reads
        // it only for a pending change (a blocking thread's lock keeps it
        // as it was).
        if (blocking && prev->state_ != ThreadState::kRunnable) {
            cpu.queue.dequeue(prev->entity_, now, prev->state_ == ThreadState::kBlocked);
        } else {
            if (why == Why::kYield) {
                cpu.queue.yield_current(now);
                charged = true;
            }
            if (__builtin_expect(prev->changes_pending_ != 0, 0)) apply_pending_changes(cpu, prev, prev->state_, now);
        }
    }
    if (blocking) prev->lock_.unlock(thread_state);
    if (!charged) cpu.queue.update_current(now);
    Entity* picked = cpu.queue.pick_charged(now);
    if (!picked) picked = steal_and_pick(cpu, now);
    Thread* next = picked ? thread_of(picked) : cpu.idle;
    if (next == prev) {
        cpu.lock.unlock(queue_state);
        return;
    }
    context_switch(cpu, prev, next, now);
}

void schedule_out_of_line(Why why) {
    schedule(why);
}

// A dead thread is off its CPU: whoever frees it may now.
void thread_ended(Thread* thread) {
    bool detached;
    {
        ksync::Guard guard(thread->lock_);
        thread->reapable_ = true;
        detached = thread->detached_;
    }
    if (detached && !thread->adopted_) {
        ksync::Guard guard(g_zombies_lock);
        g_zombies->push_back(*thread);
    }
    g_exits->wake_all();
}

void finish_migration(Thread* last);

// What a switch away from a dead or migrating thread leaves to do, out of
// finish_switch's way (that one is inlined into every switch).
[[gnu::noinline]] void finish_switch_slow(Thread* last, bool dead) {
    if (dead) thread_ended(last);
    else if (last->migrating_) finish_migration(last);
}

[[gnu::always_inline]] inline void finish_switch(Thread* last, CpuSched& cpu) {
    bool dead = last->state_ == ThreadState::kDead;
    __atomic_store_n(&last->on_cpu_, false, __ATOMIC_RELEASE);
    cpu.lock.unlock(false);
    if (__builtin_expect(dead || last->migrating_, 0)) finish_switch_slow(last, dead);
}

void free_thread(Thread* thread) {
    unregister_thread(*thread);
    if (thread->owns_stack_) mm::free_kernel_stack({thread->stack_bottom_, thread->stack_top_});
    if (thread->xstate_) mm::kfree(thread->xstate_);
    delete thread;
    // Last: a count back where it was means everything is freed.
    __atomic_fetch_sub(&g_thread_count, 1, __ATOMIC_RELEASE);
}

// Frees the detached threads that have ended. Thread context, no lock
// held: freeing a stack unmaps it, which waits for the other CPUs' TLBs.
void reap_zombies() {
    for (;;) {
        Thread* thread;
        {
            ksync::Guard guard(g_zombies_lock);
            thread = g_zombies->pop_front();
        }
        if (!thread) return;
        free_thread(thread);
    }
}

// --- hooks into the interrupt and timer paths ---

// Periodic balancing (balance.hpp), from the tick of a CPU that runs a
// thread (idle CPUs have no tick: they steal when they go idle, and a busy
// CPU that sees one idle while it has threads waiting wakes it to steal).
// Locks are taken in CPU order; interrupts are off.
void balance_periodically(CpuSched& cpu, uint64_t now) {
    lib::Span<const CpuLoad> loads = snapshot_loads();
    uint32_t self = cpu.queue.cpu();
    if (loads[self].nr_running >= 2) {
        for (uint32_t other = 0; other < g_cpu_limit; ++other) {
            if (other == self || !loads[other].online || loads[other].nr_running != 0) continue;
            // An idle CPU steals at its next pick: wake it if one of the
            // threads waiting here may run there.
            bool movable = false;
            {
                auto state = cpu.lock.lock();
                for (const Entity& entity : cpu.queue.waiting()) movable = movable || entity.affinity.contains(other);
                cpu.lock.unlock(state);
            }
            if (movable) request_reschedule(other);
            return;
        }
    }
    BalanceDecision plan = plan_periodic_balance(self, loads);
    if (!plan.pull) return;
    CpuSched& source = *g_cpus[plan.source];
    CpuSched& first = plan.source < self ? source : cpu;
    CpuSched& second = plan.source < self ? cpu : source;
    auto first_state = first.lock.lock();
    auto second_state = second.lock.lock();
    bool moved = pull_threads(source, cpu, plan.max_weight, ~0u, now) > 0;
    // An idle CPU takes ticks too (until it halts again): what it pulled
    // must be picked now, or it halts with threads on its queue and no
    // tick to find them.
    bool preempt = moved && (cpu.current == cpu.idle || cpu.queue.nr_running() > 1);
    second.lock.unlock(second_state);
    first.lock.unlock(first_state);
    if (preempt) arch::set_reschedule_pending();
}

// The load averages (load_average.hpp): sampled by the first tick on any
// CPU once an interval has ended, and by readers.
ksync::Spinlock g_load_lock;
LoadAverage g_load;
uint64_t g_load_next_ns = 0;  // g_load.next_ns(), read without the lock

void sample_load(uint64_t now) {
    // Cheap test first: most ticks have nothing to do.
    if (now < __atomic_load_n(&g_load_next_ns, __ATOMIC_RELAXED)) return;
    uint32_t active = runnable_count();
    ksync::Guard guard(g_load_lock);
    g_load.update(now, active);
    __atomic_store_n(&g_load_next_ns, g_load.next_ns(), __ATOMIC_RELAXED);
}

// Every tick of every CPU (interrupt context): charges the running thread;
// its slice used up and another thread waiting, the CPU reschedules at the
// trap exit. Every few ticks, balancing.
void on_tick() {
    if (!arch::current_thread()) return;
    CpuSched& cpu = this_cpu_sched();
    bool reschedule = false;
    uint64_t now = ktime::now_ns();
    {
        auto state = cpu.lock.lock();
        if (cpu.current == cpu.idle) {
            reschedule = cpu.queue.nr_running() > 0;
        } else {
            bool expired = cpu.queue.update_current(now);
            reschedule = expired && cpu.queue.nr_running() > 1;
        }
        cpu.lock.unlock(state);
    }
    if (reschedule) arch::set_reschedule_pending();
    on_tick_work();
    sample_load(now);
    // Staggered by CPU, so that not every CPU looks in the same tick.
    if (g_cpu_limit > 1 && (++cpu.ticks + cpu.queue.cpu()) % kBalanceIntervalTicks == 0)
        balance_periodically(cpu, now);
}

// The end of an interrupt that returns to preemptible code.
void on_trap_exit(arch::InterruptFrame&) {
    if (arch::reschedule_pending() && arch::current_thread()) schedule_out_of_line(Why::kPreempt);
}

// preempt_enable() ended the last disable with a reschedule pending.
void on_preempt_enable() {
    if (!arch::interrupts_enabled() || !arch::current_thread()) return;
    arch::cli();
    schedule_out_of_line(Why::kPreempt);
    arch::sti();
}

// --- idle ---

// CPU 0's idle thread (the other CPUs idle in their bring-up loop, which
// works the same way: check with interrupts off, then STI;HLT).
void idle_entry(void*) {
    for (;;) {
        reap_zombies();
        arch::cli();
        CpuSched& cpu = this_cpu_sched();
        if (arch::reschedule_pending() || cpu.queue.nr_running() > 0) {
            schedule_out_of_line(Why::kPreempt);
            arch::sti();
            continue;
        }
        if (klog::output_pending()) {
            arch::sti();
            klog::drain();
            continue;
        }
        ktime::halt_until_interrupt();
        arch::sti();
    }
}

lib::Expected<Thread*> create(const char* name, void (*entry)(void*), void* argument, const SpawnOptions& options) {
    Thread* thread = new Thread;
    if (!thread) return lib::Error::make(lib::Errno::kENOMEM, "no memory for a thread");
    set_name(*thread, name);
    auto stack = mm::allocate_kernel_stack(options.stack_bytes, "thread stack");
    if (!stack) {
        delete thread;
        return stack.error();
    }
    thread->stack_bottom_ = stack->bottom;
    thread->stack_top_ = stack->top;
    thread->entry_stack_top_ = stack->top;
    thread->owns_stack_ = true;
    if (options.extended_state) {
        const ExtendedStateInfo& info = extended_state_info();
        thread->xstate_ = static_cast<uint8_t*>(mm::kmalloc_aligned(info.size, 64));
        if (!thread->xstate_) {
            mm::free_kernel_stack(*stack);
            delete thread;
            return lib::Error::make(lib::Errno::kENOMEM, "no memory for a thread's extended state");
        }
        reset_extended_state(thread->xstate_);
    }
    thread->entry_ = entry;
    thread->argument_ = argument;
    thread->entity_.set_nice(options.nice);
    thread->entity_.affinity = options.affinity;
    // The stack as switch_stacks leaves a thread's: the address to resume
    // at (the trampoline, which needs no saved RBP) on top, then a zero
    // return address that ends backtraces.
    uint64_t* top = reinterpret_cast<uint64_t*>(stack->top & ~uint64_t(15));
    *--top = 0;
    *--top = reinterpret_cast<uint64_t>(&sched_thread_trampoline);
    thread->saved_rsp_ = reinterpret_cast<uint64_t>(top);
    register_thread(*thread);
    return thread;
}

}  // namespace

// --- the scheduler's internal interface (internal.hpp) ---

bool wake_thread(Thread* thread, WakeReason reason) {
    auto state = thread->lock_.lock();
    if (reason == WakeReason::kTimeout) thread->timed_out_ = true;
    if (reason == WakeReason::kInterrupt) {
        thread->interrupt_pending_ = true;
        if (!thread->interruptible_) {
            thread->lock_.unlock(state);
            return false;
        }
    }
    if (thread->state_ != ThreadState::kBlocked) {
        thread->lock_.unlock(state);
        return false;
    }
    store_state(*thread, ThreadState::kRunnable);
    if (!thread->entity_.on_queue) {
        // Off its queue: it has switched away or is switching away now;
        // once its registers are saved it may run anywhere.
        while (__atomic_load_n(&thread->on_cpu_, __ATOMIC_ACQUIRE)) arch::pause();
        enqueue_on(*thread, select_cpu(*thread, -1));
    }
    // Else schedule() has not taken it off yet and now will not.
    thread->lock_.unlock(state);
    return true;
}

void block_current() {
    arch::cli();
    schedule_out_of_line(Why::kBlock);
    arch::sti();
}

void set_current_waiting(const char* channel, bool interruptible) {
    Thread* self = current();
    auto state = self->lock_.lock();
    store_state(*self, ThreadState::kBlocked);
    self->interruptible_ = interruptible;
    self->wait_channel_ = channel;
    self->lock_.unlock(state);
}

void set_current_running() {
    Thread* self = current();
    auto state = self->lock_.lock();
    store_state(*self, ThreadState::kRunnable);
    self->interruptible_ = false;
    self->wait_channel_ = nullptr;
    self->lock_.unlock(state);
}

// --- the public interface ---

const char* thread_state_name(ThreadState state) {
    switch (state) {
    case ThreadState::kRunnable: return "runnable";
    case ThreadState::kBlocked: return "blocked";
    case ThreadState::kDead: return "dead";
    }
    return "?";
}

bool running_here() {
    return arch::current_thread() != nullptr;
}

bool cpu_running(uint32_t cpu) {
    return cpu_usable(cpu);
}

uint32_t cpus_running() {
    uint32_t count = 0;
    for (uint32_t cpu = 0; cpu < g_cpu_limit; ++cpu) count += cpu_usable(cpu);
    return count;
}

void init(uint32_t cpu_limit) {
    g_cpu_limit = cpu_limit < kMaxCpus ? cpu_limit : kMaxCpus;
    g_threads = new lib::IntrusiveList<Thread, AllThreadsTag>;
    g_zombies = new lib::IntrusiveList<Thread, ZombieTag>;
    g_exits = new WaitQueue("thread exit");
    for (uint32_t cpu = 0; cpu < g_cpu_limit; ++cpu) {
        g_cpus[cpu] = new CpuSched(cpu);
        ASSERT(g_cpus[cpu] != nullptr);
        g_cpus[cpu]->loads = new CpuLoad[g_cpu_limit];
        ASSERT(g_cpus[cpu]->loads != nullptr);
    }
    init_extended_state_this_cpu();
    const ExtendedStateInfo& xinfo = extended_state_info();
    klog::info("sched: EEVDF run queues on {} CPUs; extended state by {} ({} bytes, XCR0 {:#x})", g_cpu_limit,
               extended_state_format_name(xinfo.format), xinfo.size, xinfo.features);

    // The boot context becomes thread "main", pinned to CPU 0 (the tests it
    // runs rely on staying there).
    bool were_enabled = arch::interrupts_enabled();
    arch::cli();
    Thread& boot = g_boot_thread;
    set_name(boot, "main");
    boot.adopted_ = true;
    mm::KernelStack stack = mm::boot_cpu_stack();
    boot.stack_bottom_ = stack.bottom;
    boot.stack_top_ = stack.top;
    boot.entry_stack_top_ = stack.top;
    boot.entity_.affinity = CpuSet::only(0);
    boot.on_cpu_ = true;
    register_thread(boot);
    CpuSched& cpu = *g_cpus[0];
    {
        auto state = cpu.lock.lock();
        uint64_t now = ktime::now_ns();
        cpu.queue.enqueue(boot.entity_, now);
        cpu.queue.pick_next(now);
        cpu.lock.unlock(state);
    }
    cpu.current = &boot;
    arch::set_current_thread(&boot);
    arch::set_kernel_stack_top(boot.stack_top_);
    if (were_enabled) arch::sti();

    auto idle = create("idle/0", idle_entry, nullptr, SpawnOptions{CpuSet::only(0), 0, 16 * 1024, false, 0});
    if (!idle) PANIC("sched: no idle thread for CPU 0: {}", idle.error().message);
    (*idle)->idle_ = true;
    (*idle)->state_ = ThreadState::kRunnable;
    cpu.idle = *idle;
    __atomic_store_n(&cpu.running, true, __ATOMIC_RELEASE);

    ktime::set_tick_hook(on_tick);
    arch::set_trap_exit_hook(on_trap_exit);
    arch::set_preempt_hook(on_preempt_enable);
}

void start_this_cpu(void*) {
    uint32_t index = arch::cpu_index();
    if (index >= g_cpu_limit || !g_cpus[index] || arch::current_thread()) return;
    init_extended_state_this_cpu();
    // The context running now (the CPU's idle loop, interrupted by this
    // call) becomes its idle thread; its registers are saved at its first
    // switch. Allocated here, in the interrupt: the heap takes only locks
    // that are never held with interrupts on across a wait.
    Thread* idle = new Thread;
    ASSERT(idle != nullptr);
    char name[Thread::kNameSize];
    lib::format(name, sizeof name, "idle/{}", index);
    set_name(*idle, name);
    idle->adopted_ = true;
    idle->idle_ = true;
    idle->on_cpu_ = true;
    idle->entity_.affinity = CpuSet::only(index);
    idle->entity_.cpu = index;
    idle->entry_stack_top_ = arch::kernel_stack_top();
    register_thread(*idle);
    CpuSched& cpu = *g_cpus[index];
    cpu.idle = idle;
    cpu.current = idle;
    cpu.idle_since_ns = ktime::now_ns();
    arch::set_current_thread(idle);
    __atomic_store_n(&cpu.running, true, __ATOMIC_RELEASE);
}

lib::Expected<Thread*> spawn_stopped(const char* name, void (*entry)(void*), void* argument,
                                     const SpawnOptions& options) {
    if (!entry) return lib::Error::make(lib::Errno::kEINVAL, "a thread needs an entry");
    reap_zombies();
    Thread* thread = TRY(create(name, entry, argument, options));
    bool any = false;
    for (uint32_t cpu = 0; cpu < g_cpu_limit && !any; ++cpu) any = options.affinity.contains(cpu) && cpu_usable(cpu);
    if (!any) {
        free_thread(thread);
        return lib::Error::make(lib::Errno::kEINVAL, "no online CPU in the thread's affinity");
    }
    return thread;
}

void start(Thread* thread, const SpawnOptions& options) {
    bool were_enabled = arch::interrupts_enabled();
    arch::cli();
    uint32_t cpu = select_cpu(*thread, options.cpu >= 0 ? options.cpu : -2);
    thread->entity_.cpu = cpu;
    enqueue_on(*thread, cpu);
    if (were_enabled) arch::sti();
}

lib::Expected<Thread*> spawn(const char* name, void (*entry)(void*), void* argument, const SpawnOptions& options) {
    Thread* thread = TRY(spawn_stopped(name, entry, argument, options));
    start(thread, options);
    return thread;
}

lib::Expected<void> join(Thread* thread) {
    if (!thread || thread == current())
        return lib::Error::make(lib::Errno::kEINVAL, "a thread can not join itself");
    {
        ksync::Guard guard(thread->lock_);
        if (thread->detached_) return lib::Error::make(lib::Errno::kEINVAL, "the thread is detached");
    }
    TRY(g_exits->wait_event([thread] { return __atomic_load_n(&thread->reapable_, __ATOMIC_ACQUIRE); }));
    free_thread(thread);
    return {};
}

void detach(Thread* thread) {
    bool ended;
    {
        ksync::Guard guard(thread->lock_);
        thread->detached_ = true;
        ended = thread->reapable_;
    }
    if (ended && !thread->adopted_) free_thread(thread);
}

void exit_current() {
    might_sleep("sched::exit_current");
    arch::cli();
    Thread* self = current();
    {
        auto state = self->lock_.lock();
        store_state(*self, ThreadState::kDead);
        self->lock_.unlock(state);
    }
    schedule_out_of_line(Why::kBlock);
    PANIC("sched: dead thread {} ran again", self->name_);
}

void yield() {
    bool were_enabled = arch::interrupts_enabled();
    arch::cli();
    schedule(Why::kYield);
    if (were_enabled) arch::sti();
}

void set_entry_stack_top(uint64_t top) {
    DEBUG_ASSERT(!arch::interrupts_enabled());
    current()->entry_stack_top_ = top;
    arch::set_kernel_stack_top(top);
}

int64_t yield_syscall(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    DEBUG_ASSERT(arch::interrupts_enabled());
    arch::cli();
    schedule(Why::kYield);
    return 0;
}

namespace {

// Runs change(queue_of_thread) with the thread's lock and the lock of the
// run queue it is on (or last was on) held: a thread on a queue can not
// move then (moves hold both run-queue locks, wake-ups its own lock).
template <typename Change>
void with_thread_and_queue(Thread* thread, Change&& change) {
    auto thread_state = thread->lock_.lock();
    for (;;) {
        uint32_t cpu = __atomic_load_n(&thread->entity_.cpu, __ATOMIC_ACQUIRE);
        CpuSched& queue = *g_cpus[cpu];
        auto queue_state = queue.lock.lock();
        if (thread->entity_.cpu != cpu) {
            queue.lock.unlock(queue_state);
            continue;
        }
        change(queue);
        queue.lock.unlock(queue_state);
        break;
    }
    thread->lock_.unlock(thread_state);
}

// After a switch: `last` left its queue in schedule() because it may no
// longer run on that CPU; now that its registers are saved it goes to one
// it may use — unless a wake-up (it was preempted on its way to block, and
// a waker found it off every queue) has queued it meanwhile.
void finish_migration(Thread* last) {
    auto state = last->lock_.lock();
    last->migrating_ = false;
    if (!last->entity_.on_queue) enqueue_on(*last, select_cpu(*last, -2));
    last->lock_.unlock(state);
}

}  // namespace

void set_nice(Thread* thread, int nice) {
    // The weight is part of its queue's sums while it is on one: a waiting
    // thread leaves and re-enters its queue (keeping its lag); a running
    // one does so at its next switch, which is asked for now.
    bool reschedule = false;
    uint32_t cpu = 0;
    with_thread_and_queue(thread, [&](CpuSched& queue) {
        Entity& entity = thread->entity_;
        if (!entity.on_queue) {
            entity.set_nice(nice);
        } else if (queue.queue.current() == &entity) {
            thread->pending_nice_ = int8_t(clamp_nice(nice));
            thread->nice_pending_ = true;
            reschedule = true;
            cpu = queue.queue.cpu();
        } else {
            uint64_t now = ktime::now_ns();
            queue.queue.dequeue(entity, now);
            entity.set_nice(nice);
            queue.queue.enqueue(entity, now);
        }
    });
    if (reschedule) request_reschedule(cpu);
}

lib::Expected<void> set_affinity(Thread* thread, const CpuSet& cpus) {
    bool any = false;
    for (uint32_t cpu = 0; cpu < g_cpu_limit && !any; ++cpu) any = cpus.contains(cpu) && cpu_usable(cpu);
    if (!any) return lib::Error::make(lib::Errno::kEINVAL, "no online CPU in the set");
    // A waiting thread on a CPU it may no longer use moves now; a running
    // one when it is switched out (move_if_not_allowed_here), asked for now.
    bool were_enabled = arch::interrupts_enabled();
    arch::cli();
    bool reschedule = false, move = false;
    uint32_t cpu = 0;
    with_thread_and_queue(thread, [&](CpuSched& queue) {
        Entity& entity = thread->entity_;
        entity.affinity = cpus;
        cpu = queue.queue.cpu();
        if (!entity.on_queue || cpus.contains(cpu)) return;
        if (queue.queue.current() == &entity) {
            thread->affinity_changed_ = true;  // schedule() moves it
            reschedule = true;
        } else {
            queue.queue.dequeue(entity, ktime::now_ns());
            move = true;
        }
    });
    if (move) {
        // Off every queue and runnable: no waker or balancer touches it.
        enqueue_on(*thread, select_cpu(*thread, -2));
    }
    if (reschedule) request_reschedule(cpu);
    if (were_enabled) arch::sti();
    return {};
}

void set_switch_hook(SwitchHook hook) {
    __atomic_store_n(&g_switch_hook, hook, __ATOMIC_RELEASE);
}

void interrupt(Thread* thread) {
    wake_thread(thread, WakeReason::kInterrupt);
}

void clear_interrupt() {
    Thread* self = current();
    auto state = self->lock_.lock();
    self->interrupt_pending_ = false;
    self->lock_.unlock(state);
}

bool interrupt_pending() {
    return __atomic_load_n(&current()->interrupt_pending_, __ATOMIC_ACQUIRE);
}

void save_current_extended_state() {
    Thread* self = current();
    if (self->xstate_) save_extended_state(self->xstate_);
}

void load_current_extended_state() {
    Thread* self = current();
    if (self->xstate_) load_extended_state(self->xstate_);
}

uint64_t cpu_time_ns(Thread* thread) {
    // Its runtime changes only under the lock of the queue it is on, and
    // it is that queue's current entity while it runs; with its own lock
    // held too, no wake-up moves it meanwhile.
    uint64_t ns = 0;
    with_thread_and_queue(thread, [&](CpuSched& queue) {
        const Entity& entity = thread->entity_;
        ns = entity.runtime_ns;
        if (queue.queue.current() != &entity) return;
        int64_t running = run_queue_detail::difference(ktime::now_ns(), entity.exec_start_ns);
        if (running > 0) ns += uint64_t(running);
    });
    return ns;
}

CpuStats cpu_stats(uint32_t cpu) {
    CpuStats stats;
    if (cpu >= g_cpu_limit || !g_cpus[cpu]) return stats;
    CpuSched& c = *g_cpus[cpu];
    auto state = c.lock.lock();
    stats.switches = c.switches;
    stats.idle_entries = c.idle_entries;
    stats.idle_ns = c.idle_ns + (c.current == c.idle ? ktime::now_ns() - c.idle_since_ns : 0);
    stats.migrations_in = c.migrations_in;
    stats.nr_running = c.queue.nr_running();
    stats.load = c.queue.load();
    c.lock.unlock(state);
    return stats;
}

uint32_t thread_count() {
    return __atomic_load_n(&g_thread_count, __ATOMIC_ACQUIRE);
}

uint32_t runnable_count() {
    uint32_t running = 0;
    for (uint32_t cpu = 0; cpu < g_cpu_limit; ++cpu)
        if (cpu_usable(cpu)) running += cpu_stats(cpu).nr_running;
    return running;
}

void load_averages(uint64_t out[3]) {
    sample_load(ktime::now_ns());
    ksync::Guard guard(g_load_lock);
    for (int i = 0; i < 3; ++i) out[i] = g_load.average(i);
}

void log_statistics() {
    for (uint32_t cpu = 0; cpu < g_cpu_limit; ++cpu) {
        if (!cpu_usable(cpu)) continue;
        CpuStats stats = cpu_stats(cpu);
        uint64_t now = ktime::now_ns();
        klog::info("sched: cpu {}: {} switches, {} threads pulled in, idle {} of {} ms, {} runnable now", cpu,
                   stats.switches, stats.migrations_in, stats.idle_ns / 1'000'000, now / 1'000'000,
                   stats.nr_running);
    }
}

void dump() {
    klog::info("sched: {} threads", thread_count());
    {
        ksync::Guard guard(g_threads_lock);
        for (Thread& t : *g_threads) {
            const char* channel = t.wait_channel();
            klog::info("  {:>4} {:<16} {:<8} cpu {} run {} us{}{}", t.id(), t.name(), thread_state_name(t.state()),
                       t.cpu(), t.runtime_ns() / 1000, channel ? " waits on " : "", channel ? channel : "");
        }
    }
    for (uint32_t cpu = 0; cpu < g_cpu_limit; ++cpu) {
        if (!cpu_usable(cpu)) continue;
        CpuStats stats = cpu_stats(cpu);
        klog::info("  cpu {}: {} runnable, load {}, {} switches, idle {} ms", cpu, stats.nr_running, stats.load,
                   stats.switches, stats.idle_ns / 1'000'000);
    }
}

}  // namespace sched

extern "C" void sched_thread_start(sched::Thread* prev) {
    sched::finish_switch(prev, sched::this_cpu_sched());
    arch::sti();
    sched::Thread* self = sched::current();
    self->entry_(self->argument_);
    sched::exit_current();
}
