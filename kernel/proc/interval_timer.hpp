// ITIMER_REAL as setitimer(2), getitimer(2) and alarm(2) see it: the
// arithmetic only (times in ns on the monotonic clock). The process layer
// arms a kernel timer at `deadline_ns` and sends SIGALRM when it fires.
#pragma once

#include <stdint.h>

#include "kernel/abi/linux_signal.hpp"
#include "lib/expected.hpp"

namespace proc {

struct IntervalTimer {
    uint64_t deadline_ns = 0;  // 0: disarmed
    uint64_t interval_ns = 0;  // 0: one shot

    bool armed() const { return deadline_ns != 0; }

    // setitimer(2): EINVAL for a timeval outside [0, 1 s) microseconds or
    // with negative seconds; returns the old value as getitimer would have.
    lib::Expected<uapi::Itimerval> set(const uapi::Itimerval& value, uint64_t now_ns);
    // getitimer(2): the time left (at least 1 µs while armed, as Linux) and
    // the interval.
    uapi::Itimerval get(uint64_t now_ns) const;
    // The timer fired at `now_ns`: whether to send SIGALRM (it may have
    // been re-armed or disarmed since), and the next deadline past now for
    // a periodic timer (periods missed meanwhile are skipped).
    bool fire(uint64_t now_ns);
    // alarm(2): one shot in `seconds` (0: cancel); the seconds left of the
    // previous alarm, rounded to nearest and never 0 while one was pending.
    unsigned alarm(unsigned seconds, uint64_t now_ns);
};

}  // namespace proc
