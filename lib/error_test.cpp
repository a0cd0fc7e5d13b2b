// Host tests of lib::Error, the checked accessors of lib::Expected and the
// bounds check of lib::Span.
#include "lib/error.hpp"

#include <gtest/gtest.h>

#include <type_traits>

#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace lib {
namespace {

Expected<int> parse_digit(char c) {
    if (c < '0' || c > '9') return Error::make(Errno::kEINVAL, "not a digit").with(uint64_t(uint8_t(c)));
    return c - '0';
}

Expected<int> sum_of_digits(const char* text) {
    int sum = 0;
    for (; *text; ++text) sum += TRY(parse_digit(*text));
    return sum;
}

TEST(Error, CarriesTheLinuxErrnoAndWhatWasWrong) {
    Error error = Error::make(Errno::kENOENT, "no such file");
    EXPECT_EQ(error.code, Errno::kENOENT);
    EXPECT_EQ(uint16_t(error.code), 2);  // Linux's ENOENT
    EXPECT_STREQ(error.message, "no such file");
    EXPECT_FALSE(error.has_subject);
    EXPECT_EQ(error.syscall_return(), -2);
}

TEST(Error, WithNamesTheThingAtFault) {
    Error error = Error::make(Errno::kERANGE, "address outside the window").with(0xfee0'0000);
    EXPECT_TRUE(error.has_subject);
    EXPECT_EQ(error.subject, 0xfee0'0000u);
    EXPECT_EQ(error.code, Errno::kERANGE);
    Error zero = Error::make(Errno::kEINVAL, "offset").with(0);  // 0 is a subject too
    EXPECT_TRUE(zero.has_subject);
}

TEST(Error, IsSmallAndTriviallyCopyable) {
    EXPECT_LE(sizeof(Error), 24u);
    EXPECT_TRUE(std::is_trivially_copyable_v<Error>);
}

TEST(Expected, TryPropagatesTheFirstError) {
    auto good = sum_of_digits("123");
    ASSERT_TRUE(good.has_value());
    EXPECT_EQ(good.value(), 6);
    auto bad = sum_of_digits("12x4");
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, Errno::kEINVAL);
    EXPECT_EQ(bad.error().subject, uint64_t('x'));
}

TEST(ExpectedDeathTest, TheValueOfAnErrorStops) {
    EXPECT_DEATH(
        {
            Expected<int> failed = Error::make(Errno::kEIO, "device");
            (void)failed.value();
        },
        "check failed: has_value_");
    EXPECT_DEATH(
        {
            Expected<int> failed = Error::make(Errno::kEIO, "device");
            (void)*failed;
        },
        "check failed: has_value_");
}

TEST(ExpectedDeathTest, TheErrorOfASuccessStops) {
    EXPECT_DEATH(
        {
            Expected<int> fine = 3;
            (void)fine.error();
        },
        "check failed: !has_value_");
    EXPECT_DEATH(
        {
            Expected<void> fine;
            (void)fine.error();
        },
        "check failed: !has_value_");
}

TEST(SpanDeathTest, AnIndexOutsideStops) {
    int values[3] = {1, 2, 3};
    Span<int> span(values);
    EXPECT_EQ(span[2], 3);
    EXPECT_DEATH((void)span[3], "check failed: index < size_");
    EXPECT_DEATH((void)Span<int>()[0], "check failed: index < size_");
}

}  // namespace
}  // namespace lib
