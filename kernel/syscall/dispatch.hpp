// The typed system-call table's glue: each handler is an ordinary C++
// function whose parameters have the types the call really takes (int,
// unsigned, size_t, a user pointer, flags), and which returns what the call
// returns or a lib::Error. call<&handler> unpacks the six argument
// registers (RDI, RSI, RDX, R10, R8, R9: syscall(2), "Architecture calling
// conventions") into those types and packs the result into RAX: the value,
// or -errno from the error (lib::Error's code).
//
//   lib::Expected<int64_t> sys_getppid();
//   lib::Expected<void> sys_uname(sys::UserPtr<uapi::Utsname> buffer);
//   table[uapi::kNR_uname] = &sys::call<&sys_uname>;
//
// Conversions, as Linux's SYSCALL_DEFINE wrappers do them: an integer
// parameter takes the low bits of its register (an `int` argument ignores
// bits 32..63, so a program passing a 32-bit -1 in a 64-bit register gets
// -1), a pointer parameter is a UserPtr (an address, never dereferenced:
// kernel/syscall/user_memory.hpp copies through it), an enum its
// underlying integer. Pure templates: host-tested (dispatch_test.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/errno.hpp"
#include "lib/expected.hpp"

namespace sys {

// A user-space address of a T (or of T[]): only uaccess reads or writes it.
template <typename T>
class UserPtr {
public:
    constexpr UserPtr() = default;
    constexpr explicit UserPtr(uint64_t address) : address_(address) {}
    constexpr uint64_t address() const { return address_; }
    constexpr bool is_null() const { return address_ == 0; }
    // The address of element `index` (may wrap: uaccess refuses that range).
    constexpr UserPtr element(uint64_t index) const { return UserPtr(address_ + index * sizeof_element()); }
    template <typename U>
    constexpr UserPtr<U> as() const {
        return UserPtr<U>(address_);
    }

private:
    static constexpr uint64_t sizeof_element() {
        if constexpr (__is_void(T))
            return 1;
        else
            return sizeof(T);
    }
    uint64_t address_ = 0;
};

// The errno a failed call returns (negated in RAX).
lib::Errno errno_of(const lib::Error& error);

// One entry of the table: the six argument registers in, RAX out.
using Entry = int64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

namespace detail {

template <typename T> struct Bare { using type = T; };
template <typename T> struct Bare<const T> { using type = T; };
template <typename T> struct Bare<T&> { using type = T; };
template <typename T> struct Bare<const T&> { using type = T; };

template <typename T>
struct FromRegister {
    static constexpr T convert(uint64_t value) {
        if constexpr (__is_enum(T)) {
            return static_cast<T>(static_cast<__underlying_type(T)>(value));
        } else {
            static_assert(__is_integral(T), "a system-call parameter is an integer, an enum or a UserPtr");
            return static_cast<T>(value);
        }
    }
};
template <typename T>
struct FromRegister<UserPtr<T>> {
    static constexpr UserPtr<T> convert(uint64_t value) { return UserPtr<T>(value); }
};

inline int64_t error_result(const lib::Error& error) {
    return -int64_t(errno_of(error));
}

template <typename R>
struct ToResult {
    static int64_t convert(R value) {
        static_assert(__is_integral(R) || __is_enum(R), "a handler returns an integer or an Expected");
        return int64_t(value);
    }
};
template <typename T>
struct ToResult<lib::Expected<T>> {
    static int64_t convert(lib::Expected<T>&& result) {
        if (!result.has_value()) return error_result(result.error());
        return int64_t(result.value());
    }
};
template <>
struct ToResult<lib::Expected<void>> {
    static int64_t convert(lib::Expected<void>&& result) { return result.has_value() ? 0 : error_result(result.error()); }
};

template <typename Function>
struct Signature;
template <typename R, typename... Params>
struct Signature<R (*)(Params...)> {
    using Result = R;
    static constexpr size_t kArity = sizeof...(Params);
};

template <typename T, T... I>
struct IntegerSequence {};

template <auto Handler, typename R, typename... Params, size_t... I>
inline int64_t invoke(R (*)(Params...), IntegerSequence<size_t, I...>, const uint64_t (&registers)[6]) {
    if constexpr (__is_same(R, void)) {
        Handler(FromRegister<typename Bare<Params>::type>::convert(registers[I])...);
        return 0;
    } else {
        return ToResult<R>::convert(Handler(FromRegister<typename Bare<Params>::type>::convert(registers[I])...));
    }
}

}  // namespace detail

// The table entry for `Handler`: at most six parameters.
template <auto Handler>
int64_t call(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5) {
    using Traits = detail::Signature<decltype(Handler)>;
    static_assert(Traits::kArity <= 6, "x86_64 system calls take at most six arguments");
    const uint64_t registers[6] = {a0, a1, a2, a3, a4, a5};
    return detail::invoke<Handler>(Handler, __make_integer_seq<detail::IntegerSequence, size_t, Traits::kArity>{},
                                   registers);
}

}  // namespace sys
