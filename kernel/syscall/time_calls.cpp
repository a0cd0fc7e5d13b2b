// Time: clock_gettime, clock_getres, gettimeofday, time, and setting the
// clock: clock_settime, settimeofday (docs/syscalls.md). CLOCK_MONOTONIC
// and CLOCK_BOOTTIME count from kernel entry (ktime::now_ns);
// CLOCK_REALTIME adds ktime's offset (the loader's boot date until set). The COARSE clocks are the same clocks cut to the
// tick (4 ms, as with Debian's HZ=250), as clock_getres says.
#include "kernel/abi/linux_syscalls.hpp"
#include "kernel/abi/linux_time.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/proc/signals.hpp"
#include "kernel/sched/wait_queue.hpp"
#include "kernel/syscall/syscall.hpp"
#include "kernel/syscall/user_memory.hpp"
#include "kernel/time/time.hpp"

namespace sys {
namespace {

using lib::Errno;

constexpr int64_t kCoarseNs = 4'000'000;  // one tick at HZ=250 (Linux's coarse resolution)
constexpr int kClockRealtimeAlarm = 8;
constexpr int kClockBoottimeAlarm = 9;
constexpr int kClockTai = 11;

int32_t g_timezone[2] = {0, 0};  // settimeofday's tz (sys_tz): minutes west, DST type

uapi::Timespec timespec_of(uint64_t ns) {
    return {int64_t(ns / uint64_t(uapi::kNsPerSec)), int64_t(ns % uint64_t(uapi::kNsPerSec))};
}

// The clock's time in ns, or EINVAL for a clock Linux does not have
// (negative ids name CPU clocks of other processes: not yet).
lib::Expected<uint64_t> clock_now(int clock) {
    switch (clock) {
        case uapi::kCLOCK_REALTIME:
        case kClockRealtimeAlarm: return ktime::realtime_ns();
        case kClockTai: return ktime::realtime_ns() + 37ULL * uint64_t(uapi::kNsPerSec);  // TAI-UTC since 2017
        case uapi::kCLOCK_MONOTONIC:
        case uapi::kCLOCK_MONOTONIC_RAW:
        case uapi::kCLOCK_BOOTTIME:
        case kClockBoottimeAlarm: return ktime::now_ns();
        case uapi::kCLOCK_REALTIME_COARSE: {
            uint64_t ns = ktime::realtime_ns();
            return ns - ns % kCoarseNs;
        }
        case uapi::kCLOCK_MONOTONIC_COARSE: {
            uint64_t ns = ktime::now_ns();
            return ns - ns % kCoarseNs;
        }
        case uapi::kCLOCK_PROCESS_CPUTIME_ID:
        case uapi::kCLOCK_THREAD_CPUTIME_ID: return proc::task_cpu_ns(*proc::current_task());
        default: return lib::Error::make(Errno::kEINVAL, "no such clock");
    }
}

lib::Expected<int64_t> sys_clock_gettime(int clock, UserPtr<uapi::Timespec> out) {
    uint64_t ns = TRY(clock_now(clock));
    TRY(copy_out(out, timespec_of(ns)));
    return 0;
}

lib::Expected<int64_t> sys_clock_getres(int clock, UserPtr<uapi::Timespec> out) {
    TRY(clock_now(clock));
    if (out.is_null()) return 0;
    int64_t ns = (clock == uapi::kCLOCK_REALTIME_COARSE || clock == uapi::kCLOCK_MONOTONIC_COARSE) ? kCoarseNs : 1;
    TRY(copy_out(out, uapi::Timespec{0, ns}));
    return 0;
}

lib::Expected<int64_t> sys_gettimeofday(UserPtr<uapi::Timeval> tv, UserPtr<uapi::Timezone> tz) {
    if (!tv.is_null()) {
        uint64_t ns = ktime::realtime_ns();
        TRY(copy_out(tv, uapi::Timeval{int64_t(ns / uint64_t(uapi::kNsPerSec)),
                                       int64_t(ns % uint64_t(uapi::kNsPerSec) / 1000)}));
    }
    if (!tz.is_null())
        TRY(copy_out(tz, uapi::Timezone{__atomic_load_n(&g_timezone[0], __ATOMIC_RELAXED),
                                        __atomic_load_n(&g_timezone[1], __ATOMIC_RELAXED)}));
    return 0;
}

lib::Expected<int64_t> sys_time(UserPtr<int64_t> out) {
    int64_t seconds = int64_t(ktime::realtime_ns() / uint64_t(uapi::kNsPerSec));
    if (!out.is_null()) TRY(copy_out(out, seconds));
    return seconds;
}

// Setting CLOCK_REALTIME (do_sys_settimeofday64): a date before 1970 or
// past what the kernel keeps (TIME_SETTOD_SEC_MAX: KTIME_SEC_MAX less 30
// years) is EINVAL; then CAP_SYS_TIME (an effective uid of 0 here) or EPERM.
constexpr int64_t kSettableSecondsMax = 9'223'372'036LL - 30LL * 365 * 86'400;

bool settable(int64_t seconds, int64_t nanoseconds) {
    return seconds >= 0 && seconds <= kSettableSecondsMax && nanoseconds >= 0 && nanoseconds < uapi::kNsPerSec;
}

lib::Expected<void> may_set_time() {
    if (proc::current_process()->credentials.euid != 0) return lib::Error::make(Errno::kEPERM, "needs CAP_SYS_TIME");
    return {};
}

void set_realtime(int64_t seconds, int64_t nanoseconds) {
    ktime::set_realtime_ns(uint64_t(seconds) * uint64_t(uapi::kNsPerSec) + uint64_t(nanoseconds));
}

// clock_settime(2), in do_clock_settime's order: a clock Linux does not
// have, or one without a clock_set (every one but CLOCK_REALTIME, the
// CPU-time clocks included), is EINVAL before the time is read (EFAULT).
lib::Expected<int64_t> sys_clock_settime(int clock, UserPtr<uapi::Timespec> in) {
    TRY(clock_now(clock));
    if (clock != uapi::kCLOCK_REALTIME) return lib::Error::make(Errno::kEINVAL, "clock cannot be set");
    uapi::Timespec t = TRY(copy_in(in));
    if (!settable(t.tv_sec, t.tv_nsec)) return lib::Error::make(Errno::kEINVAL, "not a settable date");
    TRY(may_set_time());
    set_realtime(t.tv_sec, t.tv_nsec);
    return 0;
}

// settimeofday(2), in Linux's order: both arguments are read (EFAULT), a
// negative time or microseconds outside [0, 10^6) is EINVAL, then the
// settable range, then the right to (EPERM), then a time zone further
// than 15 hours from UTC is EINVAL. The zone is kept for gettimeofday
// (sys_tz).
lib::Expected<int64_t> sys_settimeofday(UserPtr<uapi::Timeval> tv, UserPtr<uapi::Timezone> tz) {
    uapi::Timeval time{};
    uapi::Timezone zone{};
    if (!tv.is_null()) {
        time = TRY(copy_in(tv));
        if (time.tv_sec < 0 || time.tv_usec < 0 || time.tv_usec >= 1'000'000)
            return lib::Error::make(Errno::kEINVAL, "bad timeval");
    }
    if (!tz.is_null()) zone = TRY(copy_in(tz));
    if (!tv.is_null() && !settable(time.tv_sec, time.tv_usec * 1000))
        return lib::Error::make(Errno::kEINVAL, "not a settable date");
    TRY(may_set_time());
    if (!tz.is_null()) {
        if (zone.tz_minuteswest < -15 * 60 || zone.tz_minuteswest > 15 * 60)
            return lib::Error::make(Errno::kEINVAL, "time zone out of range");
        __atomic_store_n(&g_timezone[0], zone.tz_minuteswest, __ATOMIC_RELAXED);
        __atomic_store_n(&g_timezone[1], zone.tz_dsttime, __ATOMIC_RELAXED);
    }
    if (!tv.is_null()) set_realtime(time.tv_sec, time.tv_usec * 1000);
    return 0;
}

// Sleeps until `deadline` on the monotonic clock; a signal ends the sleep
// (docs/signals.md §4): a relative sleep writes the time left to
// `remaining` and returns ERESTART_RESTARTBLOCK (EINTR after a handler,
// else restart_syscall goes on to the same deadline), an absolute one
// ERESTARTNOHAND.
lib::Expected<int64_t> sleep_until_monotonic(uint64_t deadline, UserPtr<uapi::Timespec> remaining, bool relative) {
    proc::Task& task = *proc::current_task();
    if (proc::sleep_unless_signalled(task, deadline)) return 0;
    if (!relative) return lib::Error::make(Errno::kERESTARTNOHAND, "sleep interrupted");
    uint64_t now = ktime::now_ns();
    uint64_t left = deadline > now ? deadline - now : 0;
    if (!remaining.is_null())
        TRY(copy_out(remaining, uapi::Timespec{int64_t(left / uint64_t(uapi::kNsPerSec)),
                                               int64_t(left % uint64_t(uapi::kNsPerSec))}));
    task.restart_deadline = deadline;
    task.restart_remaining = remaining.address();
    return lib::Error::make(Errno::kERESTART_RESTARTBLOCK, "sleep interrupted");
}

// restart_syscall(2): the interrupted nanosleep goes on to its deadline.
lib::Expected<int64_t> sys_restart_syscall() {
    proc::Task& task = *proc::current_task();
    return sleep_until_monotonic(task.restart_deadline, UserPtr<uapi::Timespec>(task.restart_remaining), true);
}

lib::Expected<uapi::Timespec> copy_request(UserPtr<uapi::Timespec> request) {
    uapi::Timespec t = TRY(copy_in(request));
    if (!uapi::timespec_valid(t)) return lib::Error::make(Errno::kEINVAL, "bad timespec");
    return t;
}

uint64_t ns_of(const uapi::Timespec& t) {
    // Far-future requests saturate (Linux clamps to KTIME_MAX).
    if (uint64_t(t.tv_sec) > (~0ULL / 2) / uint64_t(uapi::kNsPerSec)) return ~0ULL / 2;
    return uint64_t(t.tv_sec) * uint64_t(uapi::kNsPerSec) + uint64_t(t.tv_nsec);
}

lib::Expected<int64_t> sys_nanosleep(UserPtr<uapi::Timespec> request, UserPtr<uapi::Timespec> remaining) {
    uapi::Timespec t = TRY(copy_request(request));
    uint64_t now = ktime::now_ns();
    uint64_t ns = ns_of(t);
    return sleep_until_monotonic(ns > ~0ULL / 2 - now ? ~0ULL / 2 : now + ns, remaining, true);
}

// clock_nanosleep (kernel/time/posix-timers.c, hrtimer_nanosleep): the
// clocks a timer runs on; an absolute REALTIME deadline is converted to
// the monotonic clock at the call (a later clock_settime does not move it:
// there is none yet).
lib::Expected<int64_t> sys_clock_nanosleep(int clock, int flags, UserPtr<uapi::Timespec> request,
                                           UserPtr<uapi::Timespec> remaining) {
    switch (clock) {
        case uapi::kCLOCK_REALTIME:
        case uapi::kCLOCK_MONOTONIC:
        case uapi::kCLOCK_BOOTTIME:
        case kClockTai:
            break;
        case uapi::kCLOCK_PROCESS_CPUTIME_ID:
        case uapi::kCLOCK_THREAD_CPUTIME_ID:
            return lib::Error::make(Errno::kEINVAL, "no sleeping on a CPU clock yet");
        default:
            return lib::Error::make(Errno::kEINVAL, "no timers on this clock");
    }
    uapi::Timespec t = TRY(copy_request(request));
    uint64_t ns = ns_of(t);
    uint64_t now = ktime::now_ns();
    uint64_t deadline;
    if (flags & uapi::kTIMER_ABSTIME) {
        uint64_t offset = 0;  // the clock's value minus the monotonic clock's
        if (clock == uapi::kCLOCK_REALTIME) offset = ktime::realtime_ns() - now;
        if (clock == kClockTai) offset = ktime::realtime_ns() + 37ULL * uint64_t(uapi::kNsPerSec) - now;
        deadline = ns > offset ? ns - offset : 0;
    } else {
        deadline = ns > ~0ULL / 2 - now ? ~0ULL / 2 : now + ns;
    }
    return sleep_until_monotonic(deadline, remaining, !(flags & uapi::kTIMER_ABSTIME));
}

}  // namespace

void add_time_calls(Entry* table) {
    table[uapi::kNR_clock_gettime] = &call<&sys_clock_gettime>;
    table[uapi::kNR_clock_getres] = &call<&sys_clock_getres>;
    table[uapi::kNR_gettimeofday] = &call<&sys_gettimeofday>;
    table[uapi::kNR_settimeofday] = &call<&sys_settimeofday>;
    table[uapi::kNR_clock_settime] = &call<&sys_clock_settime>;
    table[uapi::kNR_time] = &call<&sys_time>;
    table[uapi::kNR_nanosleep] = &call<&sys_nanosleep>;
    table[uapi::kNR_restart_syscall] = &call<&sys_restart_syscall>;
    table[uapi::kNR_clock_nanosleep] = &call<&sys_clock_nanosleep>;
}

}  // namespace sys
