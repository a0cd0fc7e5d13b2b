// Tests of the test framework itself, and the deliberately failing demo suite.
#include <stdint.h>

#include "kernel/debug/panic.hpp"
#include "kernel/test/ktest.hpp"

KTEST(ktest, mixed_sign_comparisons) {
    KEXPECT(ktest::detail::holds<ktest::detail::Relation::kLess>(-1, 0u));
    KEXPECT(!ktest::detail::holds<ktest::detail::Relation::kEqual>(-1, ~0u));
    KEXPECT(ktest::detail::holds<ktest::detail::Relation::kGreater>(uint64_t(1) << 63, int64_t(-1)));
    KEXPECT(ktest::detail::holds<ktest::detail::Relation::kGreaterEqual>(3u, 3));
    KEXPECT(ktest::detail::holds<ktest::detail::Relation::kNotEqual>('a', 'b'));
    KEXPECT_EQ(uint8_t(200), 200);
    KEXPECT_LE(-5, int64_t(-5));
}

enum class Colour : uint8_t { kRed = 1, kBlue = 2 };

KTEST(ktest, enums_and_pointers_compare) {
    Colour colour = Colour::kBlue;
    KEXPECT_EQ(colour, Colour::kBlue);
    KEXPECT_NE(colour, Colour::kRed);
    const char* text = "x";
    KEXPECT_NE(text, nullptr);
}

KTEST(ktest, operands_evaluated_once) {
    int calls = 0;
    auto next = [&] { return ++calls; };
    KEXPECT_EQ(next(), 1);
    KEXPECT_EQ(calls, 1);
}

// Runs only as test=demo_fail: proves that a failing expectation fails the run.
KTEST(demo_fail, expect_eq_fails) {
    int one = 1;
    KEXPECT_EQ(one + 1, 3);
}

// Runs only as test=demo_fail_panic: a panic inside a case must fail the run
// with the case named, the summary printed and QEMU's failure exit.
KTEST(demo_fail_panic, panics) { PANIC("demo: a test that panics"); }

// Runs only as test=demo_fail_skip: a skipped case counts as skipped (and
// stops at KSKIP), one that failed a check before skipping counts as failed.
KTEST(demo_fail_skip, skips) {
    KSKIP("demo: {} is not on this machine", "the device");
    KEXPECT(false);
}
KTEST(demo_fail_skip, fails_then_skips) {
    int one = 1;
    KEXPECT_EQ(one + 1, 3);
    KSKIP("demo: skipped after a failure");
}
