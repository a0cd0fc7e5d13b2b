// Every CPU runs the kernel (docs/smp.md): which CPUs run, their bring-up,
// calls from one CPU to others (inter-processor interrupts), TLB shootdown,
// reschedule requests and stopping.
//
//   smp::start_application_processors();   // kernel_main, after mm and ACPI
//   smp::start_timers();                   // after ktime::init: every CPU ticks
//   smp::call_on_others(fn, &argument, smp::Wait::kYes);
//   smp::request_reschedule(3);
//
// CPUs are numbered 0 .. cpu_limit() - 1 (0 is the boot CPU, the others in
// MADT order); arch::cpu_index() says which one runs the caller.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/cpu_set.hpp"

namespace smp {

// --- bring-up ------------------------------------------------------------------

// On the boot CPU, after mm::init and acpi::init, before the bootloader
// memory is released: decides which CPUs run (cpu_plan.hpp), gives each AP
// its per-CPU data, GDT/TSS, IST and kernel stacks with guard pages, and
// sends it (through the Limine protocol's goto_address) to load them and its
// local APIC, then to idle with interrupts on. Waits, bounded, for each to
// come online; one that does not is reported and left out. Every other AP
// the loader started is parked in kernel code for good. Logs
// "smp: <n> CPUs online (APIC ids ...)". Returns how many APs may still be
// using bootloader memory (those that did not answer): the argument for
// mm::release_bootloader_memory.
size_t start_application_processors();

// After ktime::init on the boot CPU: checks each AP's TSC against the boot
// CPU's (an offset beyond what the measurement can tell is corrected in the
// AP's clock) and starts every AP's tick. Logs one line.
void start_timers();

// CPUs online (running the kernel, answering IPIs), and the plan's count:
// the CPU limit per-CPU structures are sized by.
uint32_t cpu_count();
uint32_t cpu_limit();
bool is_online(uint32_t cpu);
lib::CpuSet online_cpus();
// Its local APIC id (for online CPUs).
uint32_t apic_id(uint32_t cpu);

// --- running functions on other CPUs -----------------------------------------

enum class Wait : uint8_t { kNo, kYes };
using Function = void (*)(void* argument);

// Runs function(argument) on `cpu` (this CPU included: then at once),
// in interrupt context there: interrupts off, on that CPU's current stack,
// quickly, taking only locks that are never held with interrupts on. With
// Wait::kYes, returns once it has run (meanwhile this CPU runs the calls
// others ask of it, so two CPUs calling each other never deadlock; still,
// never wait while holding a spinlock another CPU may spin on). Without,
// `argument` must outlive the call. False if `cpu` is not online.
bool call_on(uint32_t cpu, Function function, void* argument, Wait wait);
// The same on every online CPU of `cpus`.
void call_on_set(const lib::CpuSet& cpus, Function function, void* argument, Wait wait);
// On every online CPU but this one.
void call_on_others(Function function, void* argument, Wait wait);
// On every online CPU, this one included; returns when all have run it.
void call_on_all(Function function, void* argument);

// A TLB shootdown for a user address space (kernel/vm/kernel_services.cpp):
// runs function(argument) on every online CPU of `cpus` but this one, on
// the TLB-shootdown vector, and returns once all have run it. Meanwhile
// this CPU answers the calls and shootdowns others send it, so two CPUs
// shooting down at each other both finish. The caller must not hold a
// spinlock another CPU may spin on with interrupts off (§4's rule): the
// address-space lock qualifies only because no CPU takes it with
// interrupts off (docs/vm.md, "TLB shootdown").
void shoot_down(const lib::CpuSet& cpus, Function function, void* argument);

// --- scheduling ---------------------------------------------------------------

// Asks `cpu` to pick another thread: sets its reschedule flag
// (arch::reschedule_pending) and, for another CPU, sends it the reschedule
// IPI so that it notices at its next trap exit (arch::set_trap_exit_hook).
void request_reschedule(uint32_t cpu);

// --- statistics (tests, benchmarks) ----------------------------------------------

struct IpiCounts {
    uint64_t reschedule = 0;
    uint64_t call_function = 0;
    uint64_t tlb_shootdown = 0;
};
// What `cpu` has received since boot.
IpiCounts received(uint32_t cpu);

// --- idling and stopping ------------------------------------------------------

// What a CPU does with nothing else to do: shows pending log output, then
// halts with interrupts on until the next interrupt. Never returns.
[[noreturn]] void idle();

// Stops every other online CPU (the stop IPI: interrupts off, halted for
// good), waiting (bounded) until they have; returns how many stopped.
uint32_t stop_other_cpus();

// For `make bench` (bench=smp on the command line): measures a call's round
// trip to another CPU, a lock hand-off between two CPUs and a one-page
// unmap with its shootdown to every CPU, in TSC ticks; prints
// "bench: smp cpus=<n> call_round_trip=<t> lock_hand_off=<t>
// unmap_page_with_shootdown=<t>" and ends the QEMU run.
[[noreturn]] void run_benchmarks();

}  // namespace smp
