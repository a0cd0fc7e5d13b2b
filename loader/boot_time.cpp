#include "loader/boot_time.hpp"

namespace loader {
namespace {

constexpr bool is_leap_year(int64_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

constexpr uint32_t clamp(uint32_t value, uint32_t low, uint32_t high) {
    return value < low ? low : value > high ? high : value;
}

// Days from 1970-01-01 to the first day of `year` (years before 1970 give a
// negative count).
int64_t days_before_year(int64_t year) {
    int64_t days = 0;
    if (year >= 1970) {
        for (int64_t y = 1970; y < year; ++y) days += is_leap_year(y) ? 366 : 365;
    } else {
        for (int64_t y = year; y < 1970; ++y) days -= is_leap_year(y) ? 366 : 365;
    }
    return days;
}

}  // namespace

int64_t unix_seconds(const CalendarTime& time) {
    static constexpr uint32_t kDaysInMonth[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t year = clamp(time.year, 1900, 9999);  // EFI_TIME's documented range
    uint32_t month = clamp(time.month, 1, 12);
    uint32_t month_length = kDaysInMonth[month - 1] + (month == 2 && is_leap_year(year) ? 1 : 0);
    uint32_t day = clamp(time.day, 1, month_length);

    int64_t days = days_before_year(year);
    for (uint32_t m = 1; m < month; ++m) days += kDaysInMonth[m - 1] + (m == 2 && is_leap_year(year) ? 1 : 0);
    days += day - 1;
    return days * 86400 + int64_t(clamp(time.hour, 0, 23)) * 3600 + int64_t(clamp(time.minute, 0, 59)) * 60 +
           int64_t(clamp(time.second, 0, 60));
}

}  // namespace loader
