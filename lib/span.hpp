// A non-owning view of contiguous objects, bounds-checked: operator[] stops
// the program on an index outside (LIB_CHECK, lib/check.hpp); subspan
// returns an empty span rather than running past.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/check.hpp"

namespace lib {

template <typename T>
class Span {
public:
    constexpr Span() = default;
    constexpr Span(T* data, size_t size) : data_(data), size_(size) {}
    template <size_t N> constexpr Span(T (&array)[N]) : data_(array), size_(N) {}

    constexpr T* data() const { return data_; }
    constexpr size_t size() const { return size_; }
    constexpr bool empty() const { return size_ == 0; }
    constexpr T& operator[](size_t index) const {
        LIB_CHECK(index < size_);
        return data_[index];
    }
    constexpr T* begin() const { return data_; }
    constexpr T* end() const { return data_ + size_; }

    // Elements [offset, offset + count); empty if that range is not inside.
    constexpr Span subspan(size_t offset, size_t count) const {
        if (offset > size_ || count > size_ - offset) return {};
        return Span(data_ + offset, count);
    }
    constexpr Span subspan(size_t offset) const {
        if (offset > size_) return {};
        return Span(data_ + offset, size_ - offset);
    }

private:
    T* data_ = nullptr;
    size_t size_ = 0;
};

using Bytes = Span<const uint8_t>;

}  // namespace lib
