// The clock, the tick and deadlines; see time.hpp.
#include "kernel/time/time.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/arch/x86_64/interrupt_controllers.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/arch/x86_64/lapic_timer.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/boot/entry_state.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "kernel/sync/spinlock.hpp"
#include "kernel/time/calibration.hpp"

namespace ktime {
namespace {

using arch::rdtsc;

// Calibration: three windows of 25 ms each; the median of each rate is kept.
constexpr uint64_t kCalibrationWindowMs = 25;
constexpr uint64_t kMaxReferenceSpins = 50'000'000;  // a reference that never moves is given up on

// The timer state of one CPU (each CPU's own copy: arch::PerCpu).
struct CpuTimer {
    ksync::Spinlock lock;
    bool running = false;
    bool idle = false;  // between enter_idle and exit_idle: no tick, deadlines only
    uint64_t next_tick_tsc = 0;
    uint64_t ticks = 0;
    uint64_t late_ticks = 0;
    uint64_t interrupts = 0;
    Deadline* head = nullptr;  // sorted by expiry_tsc
};

PER_CPU constinit arch::PerCpu<CpuTimer> g_timers;

// Ticks added to this CPU's TSC to give the boot CPU's time base: 0 where
// the TSCs run in step (kernel/smp/ checks each at bring-up).
PER_CPU constinit arch::PerCpu<int64_t> g_tsc_offset;
bool g_tsc_offsets_in_use = false;

// The TSC in the boot CPU's time base; where the CPU can not change.
uint64_t clock_tsc() {
    return rdtsc() + uint64_t(g_tsc_offset.local());
}
// A clock_tsc() value as this CPU's own TSC (for IA32_TSC_DEADLINE).
uint64_t to_local_tsc(uint64_t tsc) {
    return tsc - uint64_t(g_tsc_offset.local());
}

bool g_initialized = false;
ReferenceClock g_reference;
EventMode g_mode = EventMode::kNone;
uint64_t g_tsc_hz = 0;
uint64_t g_lapic_hz = 0;
uint64_t g_zero_tsc = 0;     // the TSC at kernel entry: now_ns() counts from there
uint64_t g_tick_period_tsc = 0;
TicksToNanoseconds g_tsc_to_ns;
void (*g_tick_hook)() = nullptr;

// This CPU's: call where the CPU can not change (arch::cpu_is_pinned()).
CpuTimer* this_timer() {
    return &g_timers.local();
}

struct Rates {
    uint64_t tsc_hz = 0;
    uint64_t lapic_hz = 0;
};

// One window: both counters read right after a reference edge and again
// once the reference has advanced by the window.
bool measure_once(const ReferenceClock& reference, Rates& out) {
    uint64_t window = reference.hz * kCalibrationWindowMs / 1000;
    arch::lapic_timer::configure(kTimerVector, arch::lapic_timer::Mode::kOneShot, true);
    arch::lapic_timer::start_count(0xffffffff);
    uint64_t spins = 0;
    uint64_t first = reference.read(), start;
    while ((start = reference.read()) == first)
        if (++spins > kMaxReferenceSpins) return false;
    uint64_t tsc_start = rdtsc();
    uint32_t apic_start = arch::lapic_timer::current_count();
    uint64_t end;
    while ((end = reference.read()) - start < window)
        if (++spins > kMaxReferenceSpins) return false;
    uint64_t tsc_end = rdtsc();
    uint32_t apic_end = arch::lapic_timer::current_count();
    arch::lapic_timer::start_count(0);
    out.tsc_hz = measured_frequency(tsc_end - tsc_start, end - start, reference.hz);
    out.lapic_hz = measured_frequency(apic_start - apic_end, end - start, reference.hz);
    return out.tsc_hz != 0 && out.lapic_hz != 0;
}

bool calibrate(const ReferenceClock& reference, Rates& out) {
    Rates samples[3];
    for (Rates& sample : samples)
        if (!measure_once(reference, sample)) return false;
    out.tsc_hz = median_of_three(samples[0].tsc_hz, samples[1].tsc_hz, samples[2].tsc_hz);
    out.lapic_hz = median_of_three(samples[0].lapic_hz, samples[1].lapic_hz, samples[2].lapic_hz);
    return true;
}

// Arms this CPU's timer for its next event: the next tick or the earliest
// deadline; an idle CPU only for a deadline, or not at all. Lock held.
void program_next_event(CpuTimer& cpu) {
    uint64_t target = cpu.next_tick_tsc;
    if (cpu.idle) {
        if (!cpu.head) {
            if (g_mode == EventMode::kTscDeadline)
                arch::lapic_timer::set_tsc_deadline(0);
            else
                arch::lapic_timer::start_count(0);
            return;
        }
        target = cpu.head->expiry_tsc;
    }
    if (cpu.head && cpu.head->expiry_tsc < target) target = cpu.head->expiry_tsc;
    if (g_mode == EventMode::kTscDeadline) {
        // A time already past fires at once (SDM §11.5.4.1).
        arch::lapic_timer::set_tsc_deadline(to_local_tsc(target));
        return;
    }
    uint64_t now = clock_tsc();
    uint64_t count = target > now ? scale(target - now, g_lapic_hz, g_tsc_hz) : 1;
    if (count == 0) count = 1;
    if (count > 0xffffffff) count = 0xffffffff;  // fires early; the handler re-arms
    arch::lapic_timer::start_count(uint32_t(count));
}

void on_timer_interrupt(arch::InterruptFrame&) {
    CpuTimer* cpu = this_timer();
    Deadline* expired = nullptr;
    Deadline** expired_tail = &expired;
    bool ticked = false;
    {
        ksync::Guard guard(cpu->lock);
        ++cpu->interrupts;
        uint64_t now = clock_tsc();
        if (now >= cpu->next_tick_tsc) {
            uint64_t periods = (now - cpu->next_tick_tsc) / g_tick_period_tsc + 1;
            cpu->ticks += periods;
            if (!cpu->idle) cpu->late_ticks += periods - 1;
            cpu->next_tick_tsc += periods * g_tick_period_tsc;
            ticked = true;
        }
        while (cpu->head && cpu->head->expiry_tsc <= now) {
            Deadline* deadline = cpu->head;
            cpu->head = deadline->next;
            deadline->next = nullptr;
            deadline->armed = false;
            *expired_tail = deadline;
            expired_tail = &deadline->next;
        }
        program_next_event(*cpu);
    }
    arch::local_apic_eoi();
    // Callbacks run without the lock, so they may arm deadlines again.
    while (expired) {
        Deadline* deadline = expired;
        expired = deadline->next;
        deadline->next = nullptr;
        deadline->callback(deadline->context);
    }
    if (ticked) {
        if (void (*hook)() = __atomic_load_n(&g_tick_hook, __ATOMIC_ACQUIRE)) hook();
    }
}

void start_this_cpu_timer(EventMode mode) {
    arch::PreemptGuard pinned;
    CpuTimer* cpu = this_timer();
    ksync::Guard guard(cpu->lock);
    arch::lapic_timer::start_count(0);
    if (mode == EventMode::kTscDeadline) {
        arch::lapic_timer::configure(kTimerVector, arch::lapic_timer::Mode::kTscDeadline, false);
    } else {
        arch::lapic_timer::set_tsc_deadline(0);
        arch::lapic_timer::configure(kTimerVector, arch::lapic_timer::Mode::kOneShot, false);
    }
    if (!cpu->running) cpu->next_tick_tsc = clock_tsc() + g_tick_period_tsc;
    cpu->running = true;
    program_next_event(*cpu);
}

// Whether this CPU's timer interrupts arrive: interrupts are opened for at
// most 100 ms until three have come.
bool timer_interrupts_arrive() {
    arch::PreemptGuard pinned;
    CpuTimer* cpu = this_timer();
    uint64_t before = __atomic_load_n(&cpu->interrupts, __ATOMIC_RELAXED);
    bool were_enabled = arch::interrupts_enabled();
    uint64_t give_up = rdtsc() + ns_to_tsc_delta(100'000'000);
    arch::sti();
    while (__atomic_load_n(&cpu->interrupts, __ATOMIC_RELAXED) < before + 3 && rdtsc() < give_up) arch::pause();
    if (!were_enabled) arch::cli();
    return __atomic_load_n(&cpu->interrupts, __ATOMIC_RELAXED) >= before + 3;
}

uint64_t clock_for_log() {
    return now_ns();
}

}  // namespace

const char* event_mode_name(EventMode mode) {
    switch (mode) {
    case EventMode::kTscDeadline: return "TSC-deadline";
    case EventMode::kOneShot: return "one-shot";
    case EventMode::kNone: break;
    }
    return "none";
}

void init(const lib::CommandLine& cmdline) {
    if (arch::local_apic_mode() == arch::ApicMode::kNone) {
        klog::error("time: no local APIC; no timer");
        return;
    }
    lib::StringView preference = cmdline.value_or("clocksource", "");
    g_reference = select_reference_clock(preference);
    Rates rates;
    if (!calibrate(g_reference, rates)) {
        klog::warn("time: {} does not advance; trying the PIT", g_reference.name);
        g_reference = pit_reference();
        if (!calibrate(g_reference, rates)) {
            klog::error("time: no reference clock advances; no timer");
            return;
        }
    }
    g_tsc_hz = rates.tsc_hz;
    g_lapic_hz = rates.lapic_hz;
    g_tsc_to_ns = TicksToNanoseconds::for_frequency(g_tsc_hz);
    g_tick_period_tsc = g_tsc_hz / kTickHz;
    g_zero_tsc = boot::entry_state().tsc;
    g_initialized = true;
    clock_detail::g_fast.zero_tsc = g_zero_tsc;
    clock_detail::g_fast.factor = g_tsc_to_ns.factor;
    if (!__atomic_load_n(&g_tsc_offsets_in_use, __ATOMIC_ACQUIRE))
        __atomic_store_n(&clock_detail::g_fast.usable, true, __ATOMIC_RELEASE);
    klog::set_clock(clock_for_log);

    bool invariant = arch::has(arch::feature::kInvariantTsc);
    bool want_deadline =
        arch::lapic_timer::tsc_deadline_supported() && cmdline.value_or("timer", "") != lib::StringView("oneshot");
    ASSERT(arch::set_interrupt_handler(kTimerVector, on_timer_interrupt));
    g_mode = want_deadline ? EventMode::kTscDeadline : EventMode::kOneShot;
    start_this_cpu_timer(g_mode);
    if (!timer_interrupts_arrive() && g_mode == EventMode::kTscDeadline) {
        klog::warn("time: CPUID offers TSC-deadline mode but its interrupts do not arrive; using one-shot mode");
        g_mode = EventMode::kOneShot;
        start_this_cpu_timer(g_mode);
        if (!timer_interrupts_arrive()) klog::error("time: the local APIC timer does not interrupt");
    }
    // The reference's nominal rate exactly ("3.579545 MHz"), the measured ones rounded to whole MHz.
    char reference_rate[24];
    if (g_reference.hz % 1'000'000 == 0)
        lib::format(reference_rate, sizeof reference_rate, "{} MHz", g_reference.hz / 1'000'000);
    else
        lib::format(reference_rate, sizeof reference_rate, "{}.{:06} MHz", g_reference.hz / 1'000'000,
                    g_reference.hz % 1'000'000);
    klog::info("time: TSC {} MHz{}, LAPIC timer {} MHz, calibrated against {} ({})", to_mhz(g_tsc_hz),
               invariant ? " (invariant)" : "", to_mhz(g_lapic_hz), g_reference.name, reference_rate);
    klog::info("time: tick {} Hz on vector {:#x}, deadlines in {} mode{}", kTickHz, kTimerVector,
               event_mode_name(g_mode),
               arch::lapic_timer::tsc_deadline_supported() ? "" : " (no TSC-deadline on this CPU)");
}

void init_this_cpu() {
    if (!g_initialized) return;
    start_this_cpu_timer(g_mode);
}

void enter_idle() {
    CpuTimer* cpu = this_timer();
    ksync::Guard guard(cpu->lock);
    if (!cpu->running || cpu->idle) return;
    cpu->idle = true;
    program_next_event(*cpu);
}

void exit_idle() {
    CpuTimer* cpu = this_timer();
    ksync::Guard guard(cpu->lock);
    if (!cpu->idle) return;
    cpu->idle = false;
    // The periods that passed while idle count as ticks (not as late ones:
    // nothing was waiting for them).
    uint64_t now = clock_tsc();
    if (now >= cpu->next_tick_tsc) {
        uint64_t periods = (now - cpu->next_tick_tsc) / g_tick_period_tsc + 1;
        cpu->ticks += periods;
        cpu->next_tick_tsc += periods * g_tick_period_tsc;
    }
    program_next_event(*cpu);
}

void halt_until_interrupt() {
    enter_idle();
    asm volatile("sti; hlt" ::: "memory");
    arch::cli();
    exit_idle();
}

void set_this_cpu_tsc_offset(int64_t ticks) {
    arch::PreemptGuard pinned;
    CpuTimer* cpu = this_timer();
    ksync::Guard guard(cpu->lock);
    if (ticks != 0) {
        __atomic_store_n(&g_tsc_offsets_in_use, true, __ATOMIC_RELEASE);
        __atomic_store_n(&clock_detail::g_fast.usable, false, __ATOMIC_RELEASE);  // now_ns: the slow path
    }
    g_tsc_offset.local() = ticks;
    // This CPU's clock jumped: its next tick is one period from the new now
    // (deadlines keep their times, which are in the common time base).
    if (cpu->running) {
        cpu->next_tick_tsc = clock_tsc() + g_tick_period_tsc;
        program_next_event(*cpu);
    }
}

int64_t this_cpu_tsc_offset() {
    arch::PreemptGuard pinned;
    return g_tsc_offset.local();
}

bool initialized() {
    return g_initialized;
}

namespace {
constexpr int64_t kOffsetUnset = INT64_MIN;
int64_t g_realtime_offset = kOffsetUnset;
void (*g_realtime_hook)(int64_t) = nullptr;
}  // namespace

int64_t realtime_offset_ns() {
    int64_t offset = __atomic_load_n(&g_realtime_offset, __ATOMIC_ACQUIRE);
    if (offset != kOffsetUnset) return offset;
    return int64_t(boot::info().boot_time) * 1'000'000'000;
}

uint64_t realtime_ns() {
    return uint64_t(int64_t(initialized() ? now_ns() : 0) + realtime_offset_ns());
}

void set_realtime_ns(uint64_t ns) {
    int64_t offset = int64_t(ns) - int64_t(now_ns());
    __atomic_store_n(&g_realtime_offset, offset, __ATOMIC_RELEASE);
    if (auto hook = __atomic_load_n(&g_realtime_hook, __ATOMIC_ACQUIRE)) hook(offset);
}

void set_realtime_hook(void (*hook)(int64_t offset_ns)) {
    __atomic_store_n(&g_realtime_hook, hook, __ATOMIC_RELEASE);
}

clock_detail::FastClock clock_detail::g_fast;

uint64_t clock_detail::now_ns_slow() {
    if (!g_initialized) return 0;
    uint64_t tsc;
    if (__builtin_expect(!__atomic_load_n(&g_tsc_offsets_in_use, __ATOMIC_RELAXED), 1)) {
        tsc = rdtsc();
    } else {
        // The TSC and the offset of one CPU.
        bool were_enabled = arch::interrupts_enabled();
        arch::cli();
        tsc = clock_tsc();
        if (were_enabled) arch::sti();
    }
    return g_tsc_to_ns(tsc - g_zero_tsc);
}

uint64_t ns_to_tsc_delta(uint64_t ns) {
    return scale(ns, g_tsc_hz, kNanosecondsPerSecond);
}

uint64_t tsc_delta_to_ns(uint64_t ticks) {
    return g_tsc_to_ns(ticks);
}

ClockParameters clock_parameters() {
    return {g_zero_tsc, g_tsc_to_ns.factor, __atomic_load_n(&g_tsc_offsets_in_use, __ATOMIC_ACQUIRE)};
}

uint64_t tsc_hz() { return g_tsc_hz; }
uint64_t lapic_timer_hz() { return g_lapic_hz; }
const ReferenceClock& reference() { return g_reference; }
EventMode event_mode() { return g_mode; }

uint64_t ticks() {
    arch::PreemptGuard pinned;
    return __atomic_load_n(&this_timer()->ticks, __ATOMIC_RELAXED);
}

uint64_t late_ticks() {
    arch::PreemptGuard pinned;
    return __atomic_load_n(&this_timer()->late_ticks, __ATOMIC_RELAXED);
}

void (*set_tick_hook(void (*hook)()))() {
    return __atomic_exchange_n(&g_tick_hook, hook, __ATOMIC_ACQ_REL);
}

namespace {

// Lock held: takes `deadline` out of `cpu`'s list if it is there.
bool unlink(CpuTimer& cpu, Deadline& deadline) {
    for (Deadline** link = &cpu.head; *link; link = &(*link)->next) {
        if (*link != &deadline) continue;
        *link = deadline.next;
        deadline.next = nullptr;
        deadline.armed = false;
        return true;
    }
    return false;
}

}  // namespace

lib::Expected<void> arm_deadline(Deadline& deadline, uint64_t at_ns, Deadline::Callback callback, void* context) {
    if (!callback) return lib::Error::make(lib::Errno::kEINVAL, "a deadline needs a callback");
    arch::PreemptGuard pinned;
    CpuTimer* cpu = this_timer();
    constexpr lib::Error kNoTimer = lib::Error::make(lib::Errno::kEAGAIN, "this CPU's timer is not running yet");
    if (!g_initialized || !cpu) return kNoTimer;
    ksync::Guard guard(cpu->lock);
    if (!cpu->running) return kNoTimer;
    if (deadline.armed) {
        // Another CPU's list can not be changed under this CPU's lock.
        if (deadline.cpu != arch::cpu_index())
            return lib::Error::make(lib::Errno::kEBUSY, "the deadline is armed on another CPU").with(deadline.cpu);
        unlink(*cpu, deadline);
    }
    deadline.callback = callback;
    deadline.context = context;
    deadline.expiry_tsc = g_zero_tsc + ns_to_tsc_delta(at_ns);
    deadline.cpu = arch::cpu_index();
    deadline.armed = true;
    Deadline** link = &cpu->head;
    while (*link && (*link)->expiry_tsc <= deadline.expiry_tsc) link = &(*link)->next;
    deadline.next = *link;
    *link = &deadline;
    if (cpu->head == &deadline) program_next_event(*cpu);
    return {};
}

lib::Expected<void> arm_deadline_after(Deadline& deadline, uint64_t delay_ns, Deadline::Callback callback,
                                       void* context) {
    return arm_deadline(deadline, now_ns() + delay_ns, callback, context);
}

bool cancel_deadline(Deadline& deadline) {
    // The list of the CPU that armed it (its `cpu` stays put while armed:
    // only its owner re-arms it), from whichever CPU the owner runs on now.
    uint32_t owner = __atomic_load_n(&deadline.cpu, __ATOMIC_RELAXED);
    CpuTimer* cpu = &g_timers.on(owner);
    ksync::Guard guard(cpu->lock);
    return unlink(*cpu, deadline);
}

void busy_wait_ns(uint64_t ns) {
    uint64_t end = rdtsc() + ns_to_tsc_delta(ns);
    while (rdtsc() < end) arch::pause();
}

}  // namespace ktime
