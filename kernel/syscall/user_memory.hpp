// Copies between the kernel and the calling program's memory for the
// handlers: through arch's uaccess (a bad address is EFAULT, never a
// kernel fault; pages not yet there are faulted in through the address
// space).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/syscall/dispatch.hpp"
#include "lib/errno.hpp"
#include "lib/expected.hpp"

namespace sys {

inline lib::Error fault_error() {
    return lib::Error::make(lib::Errno::kEFAULT, "bad user address");
}

template <typename T>
lib::Expected<T> copy_in(UserPtr<T> from) {
    T value;
    if (arch::copy_from_user(&value, from.address(), sizeof(T)) != 0) return fault_error();
    return value;
}

template <typename T>
lib::Expected<void> copy_out(UserPtr<T> to, const T& value) {
    if (arch::copy_to_user(to.address(), &value, sizeof(T)) != 0) return fault_error();
    return {};
}

inline lib::Expected<void> copy_out_bytes(uint64_t to, const void* from, size_t size) {
    if (arch::copy_to_user(to, from, size) != 0) return fault_error();
    return {};
}

inline lib::Expected<void> copy_in_bytes(void* to, uint64_t from, size_t size) {
    if (arch::copy_from_user(to, from, size) != 0) return fault_error();
    return {};
}

}  // namespace sys
