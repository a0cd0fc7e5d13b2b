// The typed system-call glue (dispatch.hpp): registers become the
// handlers' own parameter types as Linux's wrappers convert them, and
// results and errors become RAX.
#include "kernel/syscall/dispatch.hpp"

#include <gtest/gtest.h>

namespace sys {
// The kernel's definition lives with the handlers; here errors carry their errno directly.
lib::Errno errno_of(const lib::Error& error) {
    return lib::Errno(error.code);
}
}  // namespace sys

namespace {

enum class Which : int { kFirst = 1, kSecond = 2 };

int g_int = 0;
unsigned g_unsigned = 0;
uint64_t g_address = 0;
Which g_which = Which::kFirst;
uint64_t g_sixth = 0;

int64_t no_arguments() {
    return 42;
}
lib::Expected<int64_t> takes_an_int(int value) {
    g_int = value;
    return int64_t(value) * 2;
}
lib::Expected<void> takes_a_pointer(sys::UserPtr<const char> path, unsigned flags) {
    g_address = path.address();
    g_unsigned = flags;
    if (path.is_null()) return lib::Error::make(lib::ErrorCode(lib::Errno::kEFAULT), "null path");
    return {};
}
lib::Expected<uint64_t> takes_six(int a, long b, unsigned c, Which d, sys::UserPtr<int> e, uint64_t f) {
    g_int = a;
    g_unsigned = c;
    g_which = d;
    g_address = e.address();
    g_sixth = f;
    return uint64_t(b);
}
void returns_nothing(int value) {
    g_int = value;
}
lib::Expected<int64_t> fails(int) {
    return lib::Error::make(lib::ErrorCode(lib::Errno::kENOSYS), "not here");
}

TEST(SyscallDispatch, RegistersBecomeTheHandlersTypes) {
    EXPECT_EQ(sys::call<&no_arguments>(1, 2, 3, 4, 5, 6), 42);
    // An int takes the low 32 bits: a 32-bit -1 with garbage above is -1.
    EXPECT_EQ(sys::call<&takes_an_int>(0xdead0000ffffffffULL, 0, 0, 0, 0, 0), -2);
    EXPECT_EQ(g_int, -1);
    EXPECT_EQ(sys::call<&takes_an_int>(21, 0, 0, 0, 0, 0), 42);

    EXPECT_EQ(sys::call<&takes_six>(0x1'0000'0007ULL, uint64_t(-5), 0x2'0000'0009ULL, 2, 0x7fff0000ULL, ~0ULL), -5);
    EXPECT_EQ(g_int, 7);
    EXPECT_EQ(g_unsigned, 9u);
    EXPECT_EQ(g_which, Which::kSecond);
    EXPECT_EQ(g_address, 0x7fff0000u);
    EXPECT_EQ(g_sixth, ~0ULL);

    EXPECT_EQ(sys::call<&returns_nothing>(17, 0, 0, 0, 0, 0), 0);
    EXPECT_EQ(g_int, 17);
}

TEST(SyscallDispatch, ErrorsBecomeNegativeErrno) {
    EXPECT_EQ(sys::call<&takes_a_pointer>(0x1000, 3, 0, 0, 0, 0), 0);
    EXPECT_EQ(g_address, 0x1000u);
    EXPECT_EQ(g_unsigned, 3u);
    EXPECT_EQ(sys::call<&takes_a_pointer>(0, 0, 0, 0, 0, 0), -14);  // -EFAULT
    EXPECT_EQ(sys::call<&fails>(0, 0, 0, 0, 0, 0), -38);            // -ENOSYS
}

TEST(SyscallDispatch, UserPointersNameElements) {
    sys::UserPtr<uint32_t> words(0x1000);
    EXPECT_EQ(words.element(3).address(), 0x100cu);
    sys::UserPtr<void> bytes(0x1000);
    EXPECT_EQ(bytes.element(3).address(), 0x1003u);
    EXPECT_EQ(words.as<char>().element(1).address(), 0x1001u);
    EXPECT_TRUE(sys::UserPtr<int>().is_null());
}

}  // namespace
