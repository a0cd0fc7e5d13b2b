// The in-kernel test framework: tests that need the real CPU (paging,
// interrupts, the runtime itself) register themselves in the .ktest_cases
// linker section and run inside QEMU when the command line says test=<what>
// (docs/architecture.md §4.7, §5).
//
//   KTEST(memory, copy_overlapping) {
//       KEXPECT_EQ(move_and_sum(...), 42);
//       KASSERT(pointer != nullptr);   // fails and leaves the case
//   }
//
// Output, one case per pair of lines, and a summary the harness parses:
//   [ RUN  ] memory.copy_overlapping
//   [  OK  ] memory.copy_overlapping
//   [ FAIL ] memory.other: kernel/mm/x.cpp:12: expected a == b (1 vs 2)
//   [ SKIP ] acpi.q35_has_hpet_and_mcfg: not a QEMU q35 machine (QEMU pc (i440FX))
//   tests: 7 passed, 1 failed, 1 skipped
// then QEMU exits with 0x10 (none failed) or 0x11 (any failed).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/format.hpp"
#include "lib/string_view.hpp"

namespace ktest {

// One registered case. Const, so the record lands in .rodata where the
// linker script collects .ktest_cases (between __ktest_start and __ktest_end).
struct alignas(8) Case {
    const char* suite;
    const char* name;
    void (*function)();
    const char* file;
    uint32_t line;
};

// Runs the selection and reports; never returns. `selection` is "all"
// (every suite except those whose name starts with "demo_fail"), or a
// comma-separated list of suite names and suite.case names.
[[noreturn]] void run(lib::StringView selection);

// Runs now, and only now, the cases of `suite` that `selection` picks (none
// if it picks none); run() later skips them and counts them in its summary.
// For tests that must see the machine before later boot steps change it:
// the boot protocol checks read the loader's data and page tables, which
// memory management replaces.
void run_early(lib::StringView selection, lib::StringView suite);

namespace detail {

// Records a failure of the running case and prints its [ FAIL ] line.
void fail(const char* file, uint32_t line, lib::StringView message);

// Marks the running case skipped and prints its [ SKIP ] line (KSKIP).
void skip(lib::StringView reason);

// Comparisons that are exact for any mix of integer types (like C++20's
// std::cmp_equal/cmp_less: -1 < 0u holds), so KEXPECT_EQ(size, 3) neither
// warns nor lies; other types use their own operators.
template <typename A, typename B>
constexpr bool equal(const A& a, const B& b) {
    if constexpr (__is_integral(A) && __is_integral(B)) {
        if constexpr (A(-1) < A(0) && !(B(-1) < B(0))) return a >= 0 && uint64_t(a) == uint64_t(b);
        else if constexpr (!(A(-1) < A(0)) && B(-1) < B(0)) return b >= 0 && uint64_t(a) == uint64_t(b);
        else return a == b;
    } else {
        return a == b;
    }
}
template <typename A, typename B>
constexpr bool less(const A& a, const B& b) {
    if constexpr (__is_integral(A) && __is_integral(B)) {
        if constexpr (A(-1) < A(0) && !(B(-1) < B(0))) return a < 0 || uint64_t(a) < uint64_t(b);
        else if constexpr (!(A(-1) < A(0)) && B(-1) < B(0)) return b >= 0 && uint64_t(a) < uint64_t(b);
        else return a < b;
    } else {
        return a < b;
    }
}

enum class Relation { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };

// Only the relation asked for is instantiated, so KEXPECT_EQ works for
// types that have == but no <.
template <Relation relation, typename A, typename B>
constexpr bool holds(const A& a, const B& b) {
    if constexpr (relation == Relation::kEqual) return equal(a, b);
    else if constexpr (relation == Relation::kNotEqual) return !equal(a, b);
    else if constexpr (relation == Relation::kLess) return less(a, b);
    else if constexpr (relation == Relation::kLessEqual) return !less(b, a);
    else if constexpr (relation == Relation::kGreater) return less(b, a);
    else return !less(a, b);
}

// What a failure message shows for a value: enums as their number, the rest
// as lib::format prints them.
template <typename T>
constexpr auto printable(const T& value) {
    if constexpr (__is_enum(T)) return static_cast<__underlying_type(T)>(value);
    else return value;
}

// Formats "expected <a> == <b> (<va> vs <vb>)" and fails the case.
template <typename A, typename B>
void fail_comparison(const char* file, uint32_t line, const char* a_text, const char* op, const char* b_text,
                     const A& a, const B& b) {
    char message[256];
    lib::format(message, sizeof message, "expected {} {} {} ({} vs {})", a_text, op, b_text, printable(a),
                printable(b));
    fail(file, line, message);
}

}  // namespace detail
}  // namespace ktest

#define KTEST(suite, name)                                                                        \
    static void ktest_body_##suite##_##name();                                                    \
    [[gnu::used, gnu::section(".ktest_cases")]] static const ::ktest::Case ktest_case_##suite##_##name{ \
        #suite, #name, &ktest_body_##suite##_##name, __FILE__, __LINE__};                         \
    static void ktest_body_##suite##_##name()

#define KEXPECT(condition)                                                                  \
    do {                                                                                    \
        if (!(condition)) ::ktest::detail::fail(__FILE__, __LINE__, "expected " #condition); \
    } while (0)

// Each operand is evaluated exactly once.
#define KTEST_COMPARE(a, relation, op_text, b, on_failure)                                              \
    do {                                                                                                \
        const auto& ktest_a = (a);                                                                      \
        const auto& ktest_b = (b);                                                                      \
        if (!::ktest::detail::holds<::ktest::detail::Relation::relation>(ktest_a, ktest_b)) {           \
            ::ktest::detail::fail_comparison(__FILE__, __LINE__, #a, op_text, #b, ktest_a, ktest_b);    \
            on_failure;                                                                                 \
        }                                                                                               \
    } while (0)

#define KEXPECT_EQ(a, b) KTEST_COMPARE(a, kEqual, "==", b, (void)0)
#define KEXPECT_NE(a, b) KTEST_COMPARE(a, kNotEqual, "!=", b, (void)0)
#define KEXPECT_LT(a, b) KTEST_COMPARE(a, kLess, "<", b, (void)0)
#define KEXPECT_LE(a, b) KTEST_COMPARE(a, kLessEqual, "<=", b, (void)0)
#define KEXPECT_GT(a, b) KTEST_COMPARE(a, kGreater, ">", b, (void)0)
#define KEXPECT_GE(a, b) KTEST_COMPARE(a, kGreaterEqual, ">=", b, (void)0)

// Fails and leaves the case (a `return` from the KTEST body; from a helper
// function it leaves only the helper).
#define KASSERT(condition)                                                                  \
    do {                                                                                    \
        if (!(condition)) {                                                                 \
            ::ktest::detail::fail(__FILE__, __LINE__, "expected " #condition);               \
            return;                                                                         \
        }                                                                                   \
    } while (0)
// Leaves the case as skipped: what it checks does not exist on this machine
// (a q35-only device on the pc machine, no framebuffer). The reason (a
// lib::format string and its arguments) says what the machine lacks; the
// check that decides must look at the machine itself, never at the thing
// under test.
#define KSKIP(...)                                                        \
    do {                                                                  \
        char ktest_reason[160];                                           \
        ::lib::format(ktest_reason, sizeof ktest_reason, __VA_ARGS__);    \
        ::ktest::detail::skip(ktest_reason);                              \
        return;                                                           \
    } while (0)

#define KASSERT_EQ(a, b) KTEST_COMPARE(a, kEqual, "==", b, return)
#define KASSERT_NE(a, b) KTEST_COMPARE(a, kNotEqual, "!=", b, return)
