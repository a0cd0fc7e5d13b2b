// The scheduler's front door: starting it, and everything it offers
// (threads, wait queues, sleeping locks, sleeps). docs/scheduler.md.
//
//   sched::init(smp::cpu_limit());                        // kernel_main, the boot CPU, after ktime
//   smp::call_on_others(sched::start_this_cpu, nullptr, smp::Wait::kYes);   // every AP
//   ... the boot context is now thread "main" on CPU 0 ...
//   sched::exit_current();                                 // kernel_main's end: the idle threads take over
#pragma once

#include <stdint.h>

#include "kernel/sched/sync.hpp"
#include "kernel/sched/work_queue.hpp"
#include "kernel/sched/thread.hpp"
#include "kernel/sched/wait_queue.hpp"

namespace sched {

// On the boot CPU, with the tick running: per-CPU run queues for CPUs
// 0 .. cpu_limit - 1, the calling context becomes thread "main" (pinned to
// CPU 0), CPU 0 gets an idle thread, and preemption (the tick, trap exit,
// preempt_enable) is switched on.
void init(uint32_t cpu_limit);
// On each other CPU, in the call-function interrupt (argument unused): the
// CPU's idle loop, which it is in, becomes its idle thread and the CPU
// takes threads from then on.
void start_this_cpu(void* unused = nullptr);
// Whether this CPU runs threads.
bool running_here();
// Whether `cpu` runs threads; how many CPUs do (they are 0 .. count - 1
// unless one failed to come online).
bool cpu_running(uint32_t cpu);
uint32_t cpus_running();

// For `make bench` (bench=sched on the command line): measures a yield, a
// wake-up on another CPU, mutex costs and create+join in TSC ticks (guest
// instructions under QEMU -icount); prints "bench: sched cpus=<n> yield=<t>
// wake_other_cpu=<t> mutex_uncontended=<t> mutex_hand_off=<t>
// create_join=<t>" and ends the QEMU run.
[[noreturn]] void run_benchmarks();

}  // namespace sched
