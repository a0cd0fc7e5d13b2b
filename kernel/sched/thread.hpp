// Threads: a kernel stack with a guard page, the registers a switch saves,
// a scheduling entity (run_queue.hpp), a name, and the extended CPU state
// of code that uses it. docs/scheduler.md, "Threads", has the API in prose.
//
//   auto t = sched::spawn("worker", work, &arg);        // runnable at once
//   if (!t) return t.error();
//   TRY(sched::join(*t));                                // waits, then frees it
//
// A thread ends by returning from its entry or by sched::exit_current().
// Exactly one of join() or detach() must be called for each spawned thread:
// join waits for the end and frees the thread; a detached thread is freed
// by the scheduler once it has ended.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/sched/cpu_set.hpp"
#include "kernel/sched/run_queue.hpp"
#include "kernel/sync/spinlock.hpp"
#include "kernel/time/time.hpp"
#include "lib/expected.hpp"
#include "lib/intrusive_list.hpp"

namespace sched {

enum class ThreadState : uint8_t {
    kRunnable,  // on a run queue (waiting or running)
    kBlocked,   // waiting for a wake-up (a wait queue, a sleep, a join)
    kDead,      // ended; its stack is freed once it is off its CPU
};
const char* thread_state_name(ThreadState state);

struct AllThreadsTag;
struct ZombieTag;

struct SpawnOptions {
    CpuSet affinity = CpuSet::all();
    int nice = 0;
    size_t stack_bytes = 64 * 1024;
    // Save and restore the x87/SSE/AVX registers when it leaves and enters a
    // CPU (threads that run user code, or use those registers in asm).
    bool extended_state = false;
    // The CPU to start on; -1: the scheduler's choice.
    int cpu = -1;
};

class Thread : public lib::ListNode<AllThreadsTag>, public lib::ListNode<ZombieTag> {
public:
    static constexpr size_t kNameSize = 32;

    // --- for everyone ---
    uint64_t id() const { return id_; }
    const char* name() const { return name_; }
    ThreadState state() const { return ThreadState(__atomic_load_n(reinterpret_cast<const uint8_t*>(&state_), __ATOMIC_ACQUIRE)); }
    // The CPU it runs on, or last ran on / is queued on.
    uint32_t cpu() const { return __atomic_load_n(&entity_.cpu, __ATOMIC_RELAXED); }
    // CPU time received up to its last charge (a switch, a tick): cheap,
    // for statistics; cpu_time_ns() below is exact.
    uint64_t runtime_ns() const { return entity_.runtime_ns; }
    uint64_t switches() const { return entity_.switches_in; }
    int nice() const { return entity_.nice; }
    const CpuSet& affinity() const { return entity_.affinity; }
    bool is_idle() const { return idle_; }
    // The kernel stack: [bottom, top).
    uint64_t stack_bottom() const { return stack_bottom_; }
    uint64_t stack_top() const { return stack_top_; }
    // What it waits on when blocked (a wait queue's name), for the debug dump.
    const char* wait_channel() const { return __atomic_load_n(&wait_channel_, __ATOMIC_RELAXED); }

    // --- for the process layer (docs/scheduler.md, "Hooks for processes") ---
    // An opaque slot: proc points it at its task.
    void* owner = nullptr;
    // The name the debug dump and the lock checks show: a task's comm after
    // execve, PR_SET_NAME or a write to /proc's comm (docs/proc.md, "Names").
    // Byte stores: a dump that runs meanwhile may show a mix of the two
    // names, never a string without its end.
    void rename(const char* name);
    // The extended-state save area (extended_state.hpp gives its format and
    // size), valid while the thread is not running; nullptr for a thread
    // spawned without SpawnOptions::extended_state.
    uint8_t* extended_state() { return xstate_; }

    // --- the scheduler's own (kernel/sched/ only) ---
    struct ThreadEntity : Entity {
        Thread* thread = nullptr;
    };
    ThreadEntity entity_;
    uint64_t saved_rsp_ = 0;  // while switched out: where its callee-saved registers are
    uint64_t id_ = 0;
    ThreadState state_ = ThreadState::kRunnable;
    bool on_cpu_ = false;     // its registers are live on a CPU (a waker must wait for the switch to end)
    bool idle_ = false;
    bool adopted_ = false;    // a context that existed before the scheduler (boot thread, APs' idle): not freed
    bool detached_ = false;   // under lock_
    bool reapable_ = false;   // dead and off its CPU; under lock_
    bool owns_stack_ = false;
    bool migrating_ = false;     // left its queue for another CPU; queued there once off this one
    // Changes schedule() applies when the thread leaves its CPU; one 16-bit
    // test for both (the common case: neither).
    union {
        struct {
            bool nice_pending_;      // set_nice() while on a queue: applied at its next enqueue
            bool affinity_changed_;  // set_affinity() took its CPU away while it ran (under the run-queue lock)
        };
        uint16_t changes_pending_ = 0;
    };
    int8_t pending_nice_ = 0;
    // Waits: set by wake-ups (under lock_), read by the waiter.
    bool interrupt_pending_ = false;  // sched::interrupt(): sticky until clear_interrupt()
    bool interruptible_ = false;      // the wait in progress may be ended by interrupt()
    bool timed_out_ = false;          // its wait's timer fired
    bool timer_running_ = false;      // the timer callback may still touch this thread
    const char* wait_channel_ = nullptr;
    const void* blocked_on_mutex_ = nullptr;  // the Mutex it waits for (deadlock reports)
    ktime::Deadline timer_;
    // Serialises wake-ups of this thread with its own blocking (state_,
    // the flags above); outside every run-queue lock.
    ksync::Spinlock lock_;
    uint64_t stack_bottom_ = 0, stack_top_ = 0;
    uint64_t entry_stack_top_ = 0;  // arch::kernel_stack_top() while it runs (set_entry_stack_top)
    uint8_t* xstate_ = nullptr;
    void (*entry_)(void*) = nullptr;
    void* argument_ = nullptr;
    char name_[kNameSize] = {};
};

// The thread running this code (never nullptr once sched::init ran): one
// load from the CPU's hot block, inline because every system call asks.
inline Thread* current() {
    return static_cast<Thread*>(arch::current_thread());
}

// Points the calling thread's entries from user mode (system calls,
// interrupts: arch::set_kernel_stack_top) at the stack ending at `top`, now
// and whenever it runs again: the switch loads the thread's value and does
// not read it back, so this is the one way to change it. Interrupts off.
void set_entry_stack_top(uint64_t top);

// Creates a thread running entry(argument); it is runnable at once.
// kENOMEM without memory for its stack or state.
[[nodiscard]] lib::Expected<Thread*> spawn(const char* name, void (*entry)(void*), void* argument,
                                           const SpawnOptions& options = {});
// Creates a thread as spawn() does, but it runs only once start() is
// called: the creator can publish the pointer first (a process's task
// stores its thread before the thread can run, exit or be looked for).
[[nodiscard]] lib::Expected<Thread*> spawn_stopped(const char* name, void (*entry)(void*), void* argument,
                                                   const SpawnOptions& options = {});
// Makes a thread from spawn_stopped() runnable (once).
void start(Thread* thread, const SpawnOptions& options = {});
// Waits until `thread` has ended, then frees it. kEINVAL for the caller
// itself or a detached thread.
[[nodiscard]] lib::Expected<void> join(Thread* thread);
// Lets `thread` be freed when it ends (at once if it has ended).
void detach(Thread* thread);
// Ends the calling thread.
[[noreturn]] void exit_current();

// Gives the CPU to another runnable thread of this CPU, if there is one
// that is owed it (an equal thread: yes; see docs/scheduler.md "Yield").
void yield();
// sched_yield(2) itself: the system-call table's entry (its six argument
// registers unused; returns 0, the call's result), without the generic
// call<> frame. The system-call path runs with interrupts on, so unlike
// yield() it saves no RFLAGS; it returns with interrupts off, which is how
// the entry path goes on to the return to user mode anyway
// (kernel/syscall/entry.S, docs/benchmarks.md "The switch path").
int64_t yield_syscall(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

// Nice level (-20..19, clamped) and the CPUs a thread may run on (a CPU set
// with at least one online CPU; kEINVAL otherwise). Take effect at its next
// placement (wake-up, or a yield of its own).
void set_nice(Thread* thread, int nice);
[[nodiscard]] lib::Expected<void> set_affinity(Thread* thread, const CpuSet& cpus);

// --- hooks for processes and signals ---

// Runs on every switch where the thread leaving or `next` has an owner, on the
// switching CPU with interrupts off, before `next` runs (proc loads CR3 and
// the FS base there). A switch between two ownerless threads leaves it out:
// the process layer keeps a thread without an owner on the kernel's tables
// (a task's thread drops its address space when it stops being the task's). The scheduler has
// already pointed TSS.RSP0 and the per-CPU syscall stack top
// (arch::set_kernel_stack_top) at `next`'s: that value is per-thread state,
// kept in the thread and loaded when it comes back — its kernel stack
// top, unless the thread (the process layer) set another (set_entry_stack_top).
// nullptr: none.
// Only `next` is passed: a task's CPU time is the scheduler's own
// (cpu_time_ns), so the thread that leaves needs nothing.
using SwitchHook = void (*)(Thread* next);
void set_switch_hook(SwitchHook hook);

// The CPU time `thread` has received in total, its current run up to now
// included: the charges its run queue makes (switches, ticks) plus, while
// it runs, the time since the last one. Read under the lock of its run
// queue, so it is consistent from any CPU and never goes back (Linux's
// task_sched_runtime; docs/proc.md "CPU time"). The process layer's
// CPU clocks are built on it. `thread` must not be freed meanwhile.
uint64_t cpu_time_ns(Thread* thread);

// Ends an interruptible wait of `thread` with kEINTR now or, if it is not
// in one, its next one: the request stays pending until the thread calls
// clear_interrupt() (the signal layer does, once it has looked at its
// signals). From any context, IRQ included.
void interrupt(Thread* thread);
void clear_interrupt();
bool interrupt_pending();

// Saves the extended-state registers of the calling thread into its area
// now (for a signal frame built while it runs); and loads them back after
// the area was changed (sigreturn). With interrupts off, or preemption
// disabled, around the use of the area.
void save_current_extended_state();
void load_current_extended_state();

// --- statistics and introspection ---

struct CpuStats {
    uint64_t switches = 0;      // context switches on this CPU
    uint64_t idle_ns = 0;       // time in its idle thread
    uint64_t idle_entries = 0;  // switches to its idle thread (nothing runnable)
    uint64_t migrations_in = 0; // threads it pulled from other CPUs (stealing, balancing)
    uint32_t nr_running = 0;    // runnable threads now, the running one included (idle not counted)
    uint64_t load = 0;          // their total weight
};
CpuStats cpu_stats(uint32_t cpu);
// Threads alive now (spawned and not yet freed), idle threads included.
uint32_t thread_count();
// Runnable threads now over all CPUs, the running ones included (idle
// threads not counted).
uint32_t runnable_count();
// The 1-, 5- and 15-minute load averages in 11-bit fixed point
// (load_average.hpp), brought up to date first.
void load_averages(uint64_t out[3]);
// Logs every thread: id, name, state, CPU, run time, what it waits on; and
// every CPU's load and switch count.
void dump();
// One line per CPU: switches, threads pulled in, idle time (for the log at
// shutdown).
void log_statistics();

}  // namespace sched
