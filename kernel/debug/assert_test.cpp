// Host tests of the HOST_TEST variants of PANIC / ASSERT / DEBUG_ASSERT, which
// pure logic shared with the kernel may use: they must print the reason and
// the location and abort, and must not evaluate more than once.
#include "kernel/debug/assert.hpp"

#include <gtest/gtest.h>

namespace {

[[noreturn]] void panics_with_value(int value) { PANIC("bad value {} ({:#x})", value, value); }

TEST(PanicHost, PrintsReasonAndLocation) {
    EXPECT_DEATH(panics_with_value(255), "panic: bad value 255 \\(0xff\\)\n  at .*assert_test.cpp:[0-9]+ \\(panics_with_value\\)");
}

TEST(AssertHost, FailingAssertPanicsWithConditionText) {
    int x = 3;
    EXPECT_DEATH(ASSERT(x == 4), "assertion failed: x == 4");
    EXPECT_DEATH(DEBUG_ASSERT(x < 0), "debug assertion failed: x < 0");
}

TEST(AssertHost, AssertMsgAddsTheExplanation) {
    int x = 3;
    EXPECT_DEATH(ASSERT_MSG(x == 4, "x was {} ({:#x})", x, x), "assertion failed: x == 4: x was 3 \\(0x3\\)");
    // Braces in the condition are text, not placeholders.
    EXPECT_DEATH(ASSERT_MSG(x == int{4}, "no {}", "luck"), "assertion failed: x == int\\{4\\}: no luck");
    ASSERT_MSG(x == 3, "never printed {}", x);
}

TEST(AssertHost, PassingAssertEvaluatesOnce) {
    int evaluations = 0;
    ASSERT(++evaluations == 1);
    EXPECT_EQ(evaluations, 1);
    DEBUG_ASSERT(++evaluations == 2);
    EXPECT_EQ(evaluations, 2);
}

}  // namespace
