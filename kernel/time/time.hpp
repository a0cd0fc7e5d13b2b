// Time: the TSC and the local APIC timer calibrated against a reference
// clock (HPET, else the ACPI PM timer, else the 8254 PIT; see
// reference_clock.hpp), a monotonic clock in nanoseconds since kernel entry,
// a periodic tick on each CPU and one-shot deadlines.
//
// One mechanism drives both the tick and the deadlines: each CPU's local APIC
// timer is armed for its next event — the next tick or the earliest deadline,
// whichever comes first — in TSC-deadline mode when the CPU has it (SDM Vol.
// 3A §11.5.4.1; the deadline is an absolute TSC value, so nothing drifts),
// else in one-shot mode with the count converted from the calibrated rates.
// Ticks are due at absolute TSC times (boot + n * period), so the tick rate
// is exact on average even when one interrupt is late.
//
//   ktime::init(cmdline);                  // kernel_main, after ACPI
//   klog::info("{} ns", ktime::now_ns());
//   ktime::Deadline d;
//   TRY(ktime::arm_deadline_after(d, 5'000'000, on_expiry, context));   // 5 ms from now, on this CPU
//
// Command line: clocksource=hpet|pmtimer|pit picks the reference;
// timer=oneshot refuses TSC-deadline mode.
#pragma once

#include <stdint.h>

#include "kernel/time/reference_clock.hpp"
#include "lib/cmdline.hpp"
#include "lib/expected.hpp"

namespace ktime {

inline constexpr uint32_t kTickHz = 1000;
inline constexpr uint8_t kTimerVector = 0xf0;

enum class EventMode : uint8_t { kNone, kTscDeadline, kOneShot };
const char* event_mode_name(EventMode mode);

// A one-shot deadline; the caller owns the storage, which must stay valid
// while armed. The callback runs in the timer interrupt of the CPU that armed
// it, with interrupts off, and may re-arm its own deadline.
struct Deadline {
    using Callback = void (*)(void* context);

    Callback callback = nullptr;
    void* context = nullptr;
    // Owned by the timer code while armed.
    uint64_t expiry_tsc = 0;
    Deadline* next = nullptr;
    uint32_t cpu = 0;
    bool armed = false;
};

// On the BSP: calibrates, starts the clock (and klog's timestamps), installs
// the timer vector and starts this CPU's tick; logs the result. Checks that
// the timer really interrupts (briefly enabling interrupts) and falls back
// from TSC-deadline to one-shot mode if it does not.
void init(const lib::CommandLine& cmdline);
// On each application processor once it runs: its own tick, with the BSP's
// calibration (the TSC and APIC clocks are common to the package).
void init_this_cpu();

// Tickless idle: a CPU with nothing to do stops its tick (its timer then
// fires only for a deadline), and catches up on the ticks that passed when
// it wakes. For the idle loop, with interrupts off.
void enter_idle();
void exit_idle();
// One halt of an idle CPU, called and returning with interrupts off:
// enter_idle, STI;HLT, exit_idle. STI's one-instruction shadow (SDM Vol. 2B,
// STI) means an interrupt that came after the caller's last check for work
// still ends the HLT. The idle loop before the scheduler (kernel/smp/idle.cpp)
// and the scheduler's idle threads both halt through it.
void halt_until_interrupt();

// Where this CPU's TSC is not in step with the boot CPU's (kernel/smp/
// measures it at bring-up): `ticks` added to it give the boot CPU's time
// base, for now_ns() and the deadlines armed here. 0 by default.
void set_this_cpu_tsc_offset(int64_t ticks);
int64_t this_cpu_tsc_offset();
bool initialized();

// Nanoseconds since kernel entry; one clock for all CPUs (their TSCs in
// step, or corrected), so it never goes backwards, on one CPU or across.
// Inline where the TSCs run in step (every context switch reads it); the
// rest (before init, per-CPU offsets) is now_ns_slow in time.cpp.
namespace clock_detail {
struct FastClock {
    uint64_t zero_tsc = 0;  // the TSC at kernel entry
    uint64_t factor = 0;    // ns per tick, 32.32 fixed point (TicksToNanoseconds)
    bool usable = false;    // initialised, and no CPU needs a TSC offset
};
extern FastClock g_fast;
uint64_t now_ns_slow();
}  // namespace clock_detail

inline uint64_t now_ns() {
    const clock_detail::FastClock& clock = clock_detail::g_fast;
    if (__builtin_expect(!__atomic_load_n(&clock.usable, __ATOMIC_RELAXED), 0)) return clock_detail::now_ns_slow();
    uint32_t low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    uint64_t ticks = ((uint64_t(high) << 32) | low) - clock.zero_tsc;
    return uint64_t((static_cast<unsigned __int128>(ticks) * clock.factor) >> 32);
}

// CLOCK_REALTIME: now_ns() plus an offset, at first the boot date the
// loader read from the firmware's clock (the Limine boot-time response),
// moved by set_realtime_ns (clock_settime, settimeofday). The offset may
// be negative (a date set to before the boot's monotonic age).
int64_t realtime_offset_ns();
uint64_t realtime_ns();
// Sets CLOCK_REALTIME to `ns` now (the caller checked the value and the
// right to); the hook (the vDSO's data page) sees the new offset.
void set_realtime_ns(uint64_t ns);
void set_realtime_hook(void (*hook)(int64_t offset_ns));
uint64_t ns_to_tsc_delta(uint64_t ns);
uint64_t tsc_delta_to_ns(uint64_t ticks);

// How now_ns() reads the clock, for the vDSO: ((TSC - zero_tsc) *
// ns_per_tick) >> 32, the same on every CPU unless per_cpu_offsets (then
// only the kernel, which knows each CPU's offset, can read it).
struct ClockParameters {
    uint64_t zero_tsc;
    uint64_t ns_per_tick;  // 32.32 fixed point
    bool per_cpu_offsets;
};
ClockParameters clock_parameters();

uint64_t tsc_hz();
uint64_t lapic_timer_hz();
const ReferenceClock& reference();
EventMode event_mode();

// Ticks this CPU has counted since its timer started (a tick that is
// handled late still counts once for each period that passed), and how many
// of those came late, folded into a later interrupt.
uint64_t ticks();
uint64_t late_ticks();
// A hook run on every tick of every CPU (the scheduler's), or nullptr.
// Returns the hook it replaces (a test that installs its own chains to it).
void (*set_tick_hook(void (*hook)()))();

// Arms `deadline` on this CPU for `at_ns` (now_ns() time) or after
// `delay_ns`. Re-arming an armed deadline moves it, on the CPU that armed
// it (kEBUSY elsewhere). kEAGAIN before this CPU's timer runs, kEINVAL
// without a callback.
[[nodiscard]] lib::Expected<void> arm_deadline(Deadline& deadline, uint64_t at_ns, Deadline::Callback callback,
                                               void* context);
[[nodiscard]] lib::Expected<void> arm_deadline_after(Deadline& deadline, uint64_t delay_ns, Deadline::Callback callback,
                                                     void* context);
// Disarms; returns whether it was still armed (false: it fired, and its
// callback may still be running on the arming CPU). From any CPU.
bool cancel_deadline(Deadline& deadline);

// Spins for at least `ns`.
void busy_wait_ns(uint64_t ns);

}  // namespace ktime
