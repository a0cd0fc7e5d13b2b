// Checks that stop the kernel when an invariant is broken (docs/architecture.md
// §4.4, three strengths of check):
//   ASSERT(cond)        always compiled in; a failure panics with the
//                       condition text and its location.
//   ASSERT_MSG(cond, fmt, args...)  the same, plus a formatted explanation.
//   DEBUG_ASSERT(cond)  only in debug and test builds (see below); in other
//                       builds the condition is type-checked but never evaluated,
//                       so it may be expensive.
//   PANIC(fmt, ...)     kernel/debug/panic.hpp.
//
// DEBUG_ASSERT is on when KERNEL_DEBUG_ASSERTS is defined non-zero, or, if it
// is not defined, when NDEBUG is absent or the kernel is a UBSan (test) build.
#pragma once

#include "kernel/debug/panic.hpp"

#if defined(KERNEL_DEBUG_ASSERTS)
#define DEBUG_ASSERTS_ENABLED (KERNEL_DEBUG_ASSERTS)
#elif !defined(NDEBUG) || defined(KERNEL_UBSAN) || defined(HOST_TEST)
#define DEBUG_ASSERTS_ENABLED 1
#else
#define DEBUG_ASSERTS_ENABLED 0
#endif

#define ASSERT(condition)                                                                               \
    do {                                                                                                \
        if (__builtin_expect(!(condition), 0))                                                          \
            ::debug::panic_at(::lib::SourceLocation::current(), "assertion failed: {}", #condition);   \
    } while (0)

namespace debug::detail {

// Out of line so that the message buffer lives only on the failure path. The
// condition text goes in as an argument, never as part of the format string
// (it may contain braces).
template <typename... Args>
[[noreturn, gnu::noinline, gnu::cold]] void assert_failed(lib::SourceLocation where, const char* condition,
                                                          lib::StringView fmt, const Args&... args) {
    char explanation[256];
    lib::format(explanation, sizeof explanation, fmt, args...);
    ::debug::panic_at(where, "assertion failed: {}: {}", condition, static_cast<const char*>(explanation));
}

}  // namespace debug::detail

#define ASSERT_MSG(condition, ...)                                                                       \
    do {                                                                                                 \
        if (__builtin_expect(!(condition), 0))                                                           \
            ::debug::detail::assert_failed(::lib::SourceLocation::current(), #condition, __VA_ARGS__);   \
    } while (0)

#if DEBUG_ASSERTS_ENABLED
#define DEBUG_ASSERT(condition)                                                                         \
    do {                                                                                                \
        if (__builtin_expect(!(condition), 0))                                                          \
            ::debug::panic_at(::lib::SourceLocation::current(), "debug assertion failed: {}", #condition); \
    } while (0)
#else
#define DEBUG_ASSERT(condition) ((void)sizeof(!(condition)))
#endif
