// ITIMER_REAL's arithmetic (interval_timer.hpp), as Linux's
// kernel/time/itimer.c computes it.
#include "kernel/proc/interval_timer.hpp"

namespace proc {
namespace {

constexpr uint64_t kNsPerUs = 1000;
constexpr uint64_t kUsPerSec = 1'000'000;

bool timeval_valid(const uapi::Timeval& t) {
    return t.tv_sec >= 0 && t.tv_usec >= 0 && uint64_t(t.tv_usec) < kUsPerSec;
}

uint64_t to_ns(const uapi::Timeval& t) {
    // Saturate: centuries away is as good as never here.
    constexpr int64_t kMaxSeconds = int64_t((~0ULL >> 2) / (kUsPerSec * kNsPerUs));
    if (t.tv_sec >= kMaxSeconds) return uint64_t(kMaxSeconds) * kUsPerSec * kNsPerUs;
    return uint64_t(t.tv_sec) * kUsPerSec * kNsPerUs + uint64_t(t.tv_usec) * kNsPerUs;
}

uapi::Timeval to_timeval(uint64_t ns) {
    uint64_t us = ns / kNsPerUs;
    return uapi::Timeval{int64_t(us / kUsPerSec), int64_t(us % kUsPerSec)};
}

}  // namespace

uapi::Itimerval IntervalTimer::get(uint64_t now_ns) const {
    uapi::Itimerval out{};
    out.interval = to_timeval(interval_ns);
    if (armed()) {
        uint64_t left = deadline_ns > now_ns ? deadline_ns - now_ns : 0;
        out.value = to_timeval(left < kNsPerUs ? kNsPerUs : left);
    }
    return out;
}

lib::Expected<uapi::Itimerval> IntervalTimer::set(const uapi::Itimerval& value, uint64_t now_ns) {
    if (!timeval_valid(value.value) || !timeval_valid(value.interval))
        return lib::Error::make(lib::Errno::kEINVAL, "setitimer: invalid timeval");
    uapi::Itimerval old = get(now_ns);
    uint64_t first = to_ns(value.value);
    deadline_ns = first == 0 ? 0 : now_ns + first;
    interval_ns = first == 0 ? 0 : to_ns(value.interval);
    return old;
}

bool IntervalTimer::fire(uint64_t now_ns) {
    if (!armed() || now_ns < deadline_ns) return false;
    if (interval_ns == 0) {
        deadline_ns = 0;
    } else {
        uint64_t missed = (now_ns - deadline_ns) / interval_ns;
        deadline_ns += (missed + 1) * interval_ns;
    }
    return true;
}

unsigned IntervalTimer::alarm(unsigned seconds, uint64_t now_ns) {
    uapi::Itimerval value{};
    value.value.tv_sec = seconds;
    uapi::Itimerval old = set(value, now_ns).value();
    int64_t left = old.value.tv_sec;
    // "We can't return 0 if we have an alarm pending ... better return too
    // much than too little" (Linux's alarm_setitimer).
    if ((left == 0 && old.value.tv_usec != 0) || old.value.tv_usec >= 500'000) ++left;
    return unsigned(left);
}

}  // namespace proc
