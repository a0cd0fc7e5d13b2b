// The Linux x86_64 user ABI for time: clock ids (clock_gettime(2)),
// struct timespec and timeval, struct timezone (gettimeofday(2)),
// struct tms (times(2)), clock_nanosleep(2)'s TIMER_ABSTIME, and USER_HZ.
// Facts of the ABI (linux/time.h, linux/time_types.h, linux/times.h);
// linux_proc_test.cpp checks them against the host's headers.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace uapi {

inline constexpr int kCLOCK_REALTIME = 0;
inline constexpr int kCLOCK_MONOTONIC = 1;
inline constexpr int kCLOCK_PROCESS_CPUTIME_ID = 2;
inline constexpr int kCLOCK_THREAD_CPUTIME_ID = 3;
inline constexpr int kCLOCK_MONOTONIC_RAW = 4;
inline constexpr int kCLOCK_REALTIME_COARSE = 5;
inline constexpr int kCLOCK_MONOTONIC_COARSE = 6;
inline constexpr int kCLOCK_BOOTTIME = 7;
inline constexpr int kCLOCK_REALTIME_ALARM = 8;
inline constexpr int kCLOCK_BOOTTIME_ALARM = 9;
inline constexpr int kCLOCK_TAI = 11;

inline constexpr int kTIMER_ABSTIME = 0x01;

inline constexpr int64_t kNsPerSec = 1'000'000'000;

// struct __kernel_timespec / timespec on x86_64.
struct Timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};
static_assert(sizeof(Timespec) == 16);

// A timespec a program passed in is valid when 0 <= tv_nsec < 1e9 and
// tv_sec >= 0 (timespec64_valid).
constexpr bool timespec_valid(const Timespec& t) {
    return t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < kNsPerSec;
}

struct Timeval {
    int64_t tv_sec;
    int64_t tv_usec;
};
static_assert(sizeof(Timeval) == 16);

struct Timezone {
    int32_t tz_minuteswest;
    int32_t tz_dsttime;
};
static_assert(sizeof(Timezone) == 8);

// times(2): clock ticks of USER_HZ.
struct Tms {
    int64_t tms_utime;
    int64_t tms_stime;
    int64_t tms_cutime;
    int64_t tms_cstime;
};
static_assert(sizeof(Tms) == 32);
inline constexpr int64_t kUserHz = 100;

}  // namespace uapi
