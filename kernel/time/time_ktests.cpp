// In-kernel tests of the clock, the tick and deadlines (suite "time"): the
// tick rate and the monotonic clock against the reference clock within 1%,
// the calibrated rates re-measured, the other reference clocks agreeing with
// the chosen one, deadlines firing in order and not early, cancel.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/lapic_timer.hpp"
#include "kernel/console/log.hpp"
#include "kernel/test/ktest.hpp"
#include "kernel/time/calibration.hpp"
#include "kernel/time/reference_clock.hpp"
#include "kernel/time/time.hpp"

namespace {

using namespace ktime;

constexpr uint64_t kOnePercentPpm = 10'000;

// Opens interrupts for the test's body and restores the state after.
class InterruptsOn {
public:
    InterruptsOn() : were_enabled_(arch::interrupts_enabled()) { arch::sti(); }
    ~InterruptsOn() {
        if (!were_enabled_) arch::cli();
    }

private:
    bool were_enabled_;
};

// Polls `clock` until it has advanced by `ms` of its own time; returns the
// ticks it advanced (0 if it did not move within a generous spin budget).
uint64_t wait_on_reference(const ReferenceClock& clock, uint64_t ms) {
    uint64_t start = clock.read(), now = start;
    uint64_t goal = clock.hz * ms / 1000;
    for (uint64_t spins = 0; now - start < goal && spins < 500'000'000; ++spins) now = clock.read();
    return now - start;
}

// Under TCG the virtual CPU can be descheduled by the host for milliseconds,
// which shifts one edge of a measuring window and looks like a rate error. A
// wrong rate is wrong in every window, a preempted edge spoils only one: so a
// rate passes when one of three windows is within 1 %. Returns the best ppm.
template <typename Measure>
uint64_t best_of_three_ppm(Measure measure_ppm) {
    uint64_t best = UINT64_MAX;
    for (int attempt = 0; attempt < 3 && best >= kOnePercentPpm; ++attempt) {
        uint64_t ppm = measure_ppm();
        if (ppm < best) best = ppm;
    }
    return best;
}

// The tick count and the reference read right after a tick was handled:
// ticks are due at fixed clock times and a late one counts every period it
// missed, so such a pair is consistent however late interrupts come.
uint64_t ticks_at_a_tick(const ReferenceClock& clock, uint64_t& reference_now) {
    uint64_t before = ticks(), now;
    for (uint64_t spins = 0; (now = ticks()) == before && spins < 500'000'000; ++spins) arch::pause();
    reference_now = clock.read();
    return now;
}

}  // namespace

KTEST(time, calibrated_and_running) {
    KASSERT(initialized());
    KEXPECT_GT(tsc_hz(), 100'000'000u);      // a 64-bit CPU's TSC runs at well over 100 MHz
    KEXPECT_GT(lapic_timer_hz(), 1'000'000u);
    KEXPECT(reference().present());
    KEXPECT_NE(event_mode(), EventMode::kNone);
    uint64_t a = now_ns(), b = now_ns();
    KEXPECT_LE(a, b);
    KEXPECT_GT(a, 0u);
}

KTEST(time, tick_rate_matches_reference_within_one_percent) {
    InterruptsOn on;
    const ReferenceClock& clock = reference();
    uint64_t best = best_of_three_ppm([&] {
        uint64_t start = 0, end = 0;
        uint64_t ticks_before = ticks_at_a_tick(clock, start);
        wait_on_reference(clock, 300);
        uint64_t counted = ticks_at_a_tick(clock, end) - ticks_before;
        uint64_t elapsed = end - start;
        uint64_t expected = scale(elapsed, kTickHz, clock.hz);
        uint64_t ppm = elapsed ? deviation_ppm(counted, expected) : UINT64_MAX;
        klog::info("time test: {} ticks in {} ms of {} (expected {}, {} ppm off, {} late)", counted,
                   scale(elapsed, 1000, clock.hz), clock.name, expected, ppm, late_ticks());
        return ppm;
    });
    KEXPECT_LT(best, kOnePercentPpm);
}

KTEST(time, monotonic_clock_matches_reference_within_one_percent) {
    const ReferenceClock& clock = reference();
    uint64_t best = best_of_three_ppm([&] {
        uint64_t ns_before = now_ns();
        uint64_t elapsed = wait_on_reference(clock, 200);
        uint64_t ns_elapsed = now_ns() - ns_before;
        return deviation_ppm(ns_elapsed, scale(elapsed, kNanosecondsPerSecond, clock.hz));
    });
    KEXPECT_LT(best, kOnePercentPpm);
}

KTEST(time, lapic_timer_rate_remeasured_within_one_percent) {
    // A masked one-shot count, against the reference, as at calibration.
    const ReferenceClock& clock = reference();
    arch::lapic_timer::Mode mode = event_mode() == EventMode::kTscDeadline ? arch::lapic_timer::Mode::kTscDeadline
                                                                           : arch::lapic_timer::Mode::kOneShot;
    bool were_enabled = arch::interrupts_enabled();
    arch::cli();
    arch::lapic_timer::configure(kTimerVector, arch::lapic_timer::Mode::kOneShot, true);
    uint64_t best = best_of_three_ppm([&] {
        arch::lapic_timer::start_count(0xffffffff);
        uint32_t start = arch::lapic_timer::current_count();
        uint64_t elapsed = wait_on_reference(clock, 50);
        uint32_t end = arch::lapic_timer::current_count();
        return deviation_ppm(measured_frequency(start - end, elapsed, clock.hz), lapic_timer_hz());
    });
    // Back to the timer's own mode; the next tick re-arms it.
    arch::lapic_timer::start_count(0);
    arch::lapic_timer::configure(kTimerVector, mode, false);
    if (mode == arch::lapic_timer::Mode::kTscDeadline)
        arch::lapic_timer::set_tsc_deadline(arch::rdtsc() + 1000);
    else
        arch::lapic_timer::start_count(1000);
    if (were_enabled) arch::sti();
    KEXPECT_LT(best, kOnePercentPpm);
}

KTEST(time, reference_clocks_agree) {
    // Every other reference present, measured against the chosen one.
    const ReferenceClock& chosen = reference();
    ReferenceClock others[] = {hpet_reference(), pm_timer_reference(), pit_reference()};
    for (const ReferenceClock& other : others) {
        if (!other.present() || other.kind == chosen.kind) continue;
        uint64_t best = best_of_three_ppm([&] {
            uint64_t other_start = other.read();
            uint64_t chosen_start = chosen.read(), now = chosen_start;
            uint64_t goal = chosen.hz / 20;  // 50 ms
            // Both are polled in the loop, so narrow counters never miss a wrap.
            while (now - chosen_start < goal) {
                now = chosen.read();
                other.read();
            }
            uint64_t other_elapsed = other.read() - other_start;
            uint64_t other_hz = measured_frequency(other_elapsed, now - chosen_start, chosen.hz);
            klog::info("time test: {} runs at {} Hz by {} (nominal {})", other.name, other_hz, chosen.name, other.hz);
            return deviation_ppm(other_hz, other.hz);
        });
        KEXPECT_LT(best, kOnePercentPpm);
    }
}

namespace {

struct Firing {
    volatile uint32_t count = 0;
    volatile uint64_t at_ns = 0;
    volatile uint32_t order = 0;
};
volatile uint32_t g_sequence = 0;

void record_firing(void* context) {
    Firing& firing = *static_cast<Firing*>(context);
    firing.at_ns = now_ns();
    g_sequence = g_sequence + 1;
    firing.order = g_sequence;
    firing.count = firing.count + 1;
}

bool wait_until_fired(const Firing& firing, uint64_t budget_ns) {
    uint64_t give_up = now_ns() + budget_ns;
    while (firing.count == 0 && now_ns() < give_up) arch::hlt();
    return firing.count != 0;
}

}  // namespace

KTEST(time, deadline_fires_once_and_not_early) {
    InterruptsOn on;
    Firing firing;
    Deadline deadline;
    uint64_t due = now_ns() + 3'000'000;
    KASSERT(arm_deadline(deadline, due, record_firing, &firing));
    // Not early, once, and not lost. How late it may come has no bound the
    // test can hold a shared host to: under TCG a virtual CPU that the host
    // does not run for a while takes its interrupt that much later (seen:
    // 62 ms at a load of 13 on 2 cores), so lateness is bounded by the wait.
    constexpr uint64_t kWaitNs = 2'000'000'000;
    KASSERT(wait_until_fired(firing, kWaitNs));
    KEXPECT_EQ(firing.count, 1u);
    KEXPECT_GE(firing.at_ns, due);
    KEXPECT_LT(firing.at_ns, due + kWaitNs);
    KEXPECT(!deadline.armed);
    busy_wait_ns(5'000'000);
    KEXPECT_EQ(firing.count, 1u);
}

KTEST(time, deadlines_fire_in_order_and_cancel_works) {
    InterruptsOn on;
    Firing late, early, cancelled;
    Deadline d_late, d_early, d_cancelled;
    g_sequence = 0;
    // Armed and cancelled with interrupts off: under TCG on a busy host the
    // virtual CPU can lose more than the 2 ms before the cancel, and the
    // timer interrupt must not run in between (its firing stays pending and
    // finds the cancelled deadline gone).
    arch::cli();
    uint64_t now = now_ns();
    bool armed = arm_deadline(d_late, now + 6'000'000, record_firing, &late) &&
                 arm_deadline(d_cancelled, now + 2'000'000, record_firing, &cancelled) &&
                 arm_deadline(d_early, now + 4'000'000, record_firing, &early);
    bool cancelled_once = cancel_deadline(d_cancelled);
    bool cancelled_twice = cancel_deadline(d_cancelled);
    arch::sti();
    KASSERT(armed);
    KEXPECT(cancelled_once);
    KEXPECT(!cancelled_twice);
    KASSERT(wait_until_fired(late, 500'000'000));
    KEXPECT_EQ(early.count, 1u);
    KEXPECT_EQ(cancelled.count, 0u);
    KEXPECT_EQ(early.order, 1u);
    KEXPECT_EQ(late.order, 2u);
}

KTEST(time, deadline_in_the_past_fires_promptly) {
    InterruptsOn on;
    Firing firing;
    Deadline deadline;
    KASSERT(arm_deadline(deadline, 0, record_firing, &firing));
    KEXPECT(wait_until_fired(firing, 100'000'000));
}
