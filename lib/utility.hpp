// Small freestanding replacements for <utility>/<type_traits>: the kernel and
// the loader are built without a C++ standard library (see lib/README.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace lib {

template <typename T> struct remove_reference { using type = T; };
template <typename T> struct remove_reference<T&> { using type = T; };
template <typename T> struct remove_reference<T&&> { using type = T; };
template <typename T> using remove_reference_t = typename remove_reference<T>::type;

template <typename T> constexpr remove_reference_t<T>&& move(T&& value) noexcept {
    return static_cast<remove_reference_t<T>&&>(value);
}
template <typename T> constexpr T&& forward(remove_reference_t<T>& value) noexcept { return static_cast<T&&>(value); }
template <typename T> constexpr T&& forward(remove_reference_t<T>&& value) noexcept { return static_cast<T&&>(value); }

template <typename T> constexpr void swap(T& a, T& b) noexcept {
    T tmp = move(a);
    a = move(b);
    b = move(tmp);
}

template <typename T> constexpr const T& min(const T& a, const T& b) { return b < a ? b : a; }
template <typename T> constexpr const T& max(const T& a, const T& b) { return a < b ? b : a; }

template <typename T, typename U> inline constexpr bool is_same_v = false;
template <typename T> inline constexpr bool is_same_v<T, T> = true;

template <typename T> inline constexpr bool is_signed_v = T(-1) < T(0);

// Alignment helpers for unsigned addresses; `align` must be a power of two.
constexpr uint64_t align_down(uint64_t value, uint64_t align) { return value & ~(align - 1); }
constexpr uint64_t align_up(uint64_t value, uint64_t align) { return (value + align - 1) & ~(align - 1); }
constexpr bool is_aligned(uint64_t value, uint64_t align) { return (value & (align - 1)) == 0; }
constexpr bool is_power_of_two(uint64_t value) { return value != 0 && (value & (value - 1)) == 0; }

// Overflow-checked addition: returns false if a + b does not fit.
constexpr bool checked_add(uint64_t a, uint64_t b, uint64_t& out) { return !__builtin_add_overflow(a, b, &out); }

}  // namespace lib
