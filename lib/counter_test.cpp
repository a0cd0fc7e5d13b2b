// Host tests of the counter extension.
#include "lib/counter.hpp"

#include <gtest/gtest.h>

namespace lib {
namespace {

TEST(ExtendCounter, WrapsOf24And32Bits) {
    EXPECT_EQ(extend_counter(0xfffffe, 0x000001, 24), 0x1000001u);
    EXPECT_EQ(extend_counter(0x1000001, 0x000010, 24), 0x1000010u);
    EXPECT_EQ(extend_counter(0xffffffff, 5, 32), 0x100000005u);
    EXPECT_EQ(extend_counter(7, 99, 64), 99u);
}

TEST(ExtendCounter, DownCounterOf8254) {
    // Counts down; a reload from 1 to 0xffff (reload value 0 = 65536) is a step of 2.
    EXPECT_EQ(extend_down_counter16(100, 50, 40), 110u);
    EXPECT_EQ(extend_down_counter16(100, 1, 0xffff), 102u);
}

}  // namespace
}  // namespace lib
