// Turning the RTC's calendar time (UEFI GetTime, UEFI 2.10 §8.3.1) into UNIX
// seconds for the Boot Time response (docs/limine-protocol.md §4). Pure logic.
#pragma once

#include <stdint.h>

namespace loader {

struct CalendarTime {
    uint32_t year;    // e.g. 2026
    uint32_t month;   // 1..12
    uint32_t day;     // 1..31
    uint32_t hour;    // 0..23
    uint32_t minute;  // 0..59
    uint32_t second;  // 0..59 (60 for a leap second is accepted)
};

// Seconds since 1970-01-01T00:00:00 (UTC is assumed, as Limine does: the RTC
// time zone is not applied). Fields out of range are clamped into range so a
// broken RTC never yields nonsense far from the truth.
int64_t unix_seconds(const CalendarTime& time);

}  // namespace loader
