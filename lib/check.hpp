// LIB_CHECK(condition): the always-on check of lib/ code that is shared by
// the loader, the kernel and host tests (Expected's accessors, Span's
// bounds). A broken check is a bug in the caller: each program stops in its
// own way. The kernel panics (kernel/debug/panic.cpp), the loader prints its
// fatal line and halts (loader/console.cpp), host tests print and abort.
#pragma once

#include <stdint.h>

#if defined(HOST_TEST)
#include <cstdio>
#include <cstdlib>
#endif

namespace lib {

#if defined(HOST_TEST)
[[noreturn]] inline void check_failed(const char* condition, const char* file, uint32_t line) {
    std::fprintf(stderr, "check failed: %s\n  at %s:%u\n", condition, file, unsigned(line));
    std::abort();
}
#else
[[noreturn, gnu::cold]] void check_failed(const char* condition, const char* file, uint32_t line);
#endif

}  // namespace lib

#define LIB_CHECK(condition)                                                                        \
    do {                                                                                            \
        if (__builtin_expect(!(condition), 0)) ::lib::check_failed(#condition, __FILE__, __LINE__); \
    } while (0)
