// For the host tests of kernel/abi/: compare one of our constants, or one
// field of one of our structs, with the host's own header.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <gtest/gtest.h>

#define EXPECT_SAME(ours, theirs) EXPECT_EQ(static_cast<int64_t>(ours), static_cast<int64_t>(theirs)) << #theirs
#define EXPECT_FIELD(Ours, ours_field, Theirs, theirs_field)                                    \
    do {                                                                                        \
        EXPECT_EQ(offsetof(Ours, ours_field), offsetof(Theirs, theirs_field)) << #theirs_field; \
        EXPECT_EQ(sizeof(static_cast<Ours*>(nullptr)->ours_field),                             \
                  sizeof(static_cast<Theirs*>(nullptr)->theirs_field))                          \
            << #theirs_field;                                                                   \
    } while (0)
