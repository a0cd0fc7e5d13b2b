// The text klog puts around each leveled line: a colour (SGR, shown by the
// framebuffer console, stripped on serial), the time since boot once a clock
// exists, and the level name; then the colour reset before the newline.
// Pure, so the host tests check the exact bytes (log_prefix_test.cpp).
#pragma once

#include <stdint.h>

#include "kernel/console/log.hpp"
#include "lib/expected.hpp"
#include "lib/format.hpp"
#include "lib/string_view.hpp"

namespace klog::detail {

constexpr lib::StringView level_name(Level level) {
    switch (level) {
        case Level::kDebug: return "debug";
        case Level::kInfo: return "info";
        case Level::kWarn: return "warn";
        case Level::kError: return "error";
    }
    return "?";
}

// Debug grey, info the default colour, warn yellow, error bright red
// (SGR 90, 93, 91: ECMA-48 §8.3.117 plus the common bright extension).
constexpr lib::StringView level_colour(Level level) {
    switch (level) {
        case Level::kDebug: return "\x1b[90m";
        case Level::kInfo: return "";
        case Level::kWarn: return "\x1b[93m";
        case Level::kError: return "\x1b[91m";
    }
    return "";
}

inline constexpr lib::StringView kColourReset = "\x1b[0m";

// "<colour>[    1.234567] warn: " with a clock, "<colour>warn: " without.
// Seconds are padded to 5 digits (the layout of Linux's printk times) and
// grow beyond that rather than wrap.
template <typename Sink>
void write_prefix(Sink& sink, Level level, bool has_time, uint64_t nanoseconds) {
    lib::format_to(sink, "{}", level_colour(level));
    if (has_time) lib::format_to(sink, "[{:5}.{:06}] ", nanoseconds / 1000000000, nanoseconds % 1000000000 / 1000);
    lib::format_to(sink, "{}: ", level_name(level));
}

// What ends a leveled line: the colour reset (if a colour was set) and "\n".
template <typename Sink>
void write_suffix(Sink& sink, Level level) {
    if (!level_colour(level).empty()) lib::format_to(sink, "{}", kColourReset);
    sink.put('\n');
}

}  // namespace klog::detail

namespace klog {

// "debug", "info", "warn" (or "warning"), "error", any case: for a command
// line option such as loglevel=warn.
inline lib::Expected<Level> level_from_name(lib::StringView name) {
    constexpr Level kLevels[] = {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError};
    for (Level level : kLevels)
        if (name.equals_ignoring_case(detail::level_name(level))) return level;
    if (name.equals_ignoring_case("warning")) return Level::kWarn;
    return lib::Error::make(lib::ErrorCode::kEINVAL, "unknown log level (debug, info, warn, error)");
}

}  // namespace klog
