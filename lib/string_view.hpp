// A non-owning, not necessarily NUL-terminated string.
#pragma once

#include <stddef.h>

namespace lib {

class StringView {
public:
    static constexpr size_t npos = static_cast<size_t>(-1);

    constexpr StringView() = default;
    constexpr StringView(const char* data, size_t size) : data_(data), size_(size) {}
    constexpr StringView(const char* cstr) : data_(cstr), size_(cstr ? length_of(cstr) : 0) {}

    constexpr const char* data() const { return data_; }
    constexpr size_t size() const { return size_; }
    constexpr bool empty() const { return size_ == 0; }
    constexpr char operator[](size_t i) const { return data_[i]; }
    constexpr const char* begin() const { return data_; }
    constexpr const char* end() const { return data_ + size_; }

    constexpr StringView substr(size_t pos, size_t count = npos) const {
        if (pos > size_) return {};
        size_t n = size_ - pos;
        if (count < n) n = count;
        return StringView(data_ + pos, n);
    }
    constexpr size_t find(char c, size_t from = 0) const {
        for (size_t i = from; i < size_; ++i)
            if (data_[i] == c) return i;
        return npos;
    }
    constexpr size_t find(StringView needle, size_t from = 0) const {
        if (needle.size_ > size_) return npos;
        for (size_t i = from; i + needle.size_ <= size_; ++i)
            if (substr(i, needle.size_) == needle) return i;
        return npos;
    }
    constexpr bool starts_with(StringView p) const { return p.size_ <= size_ && substr(0, p.size_) == p; }
    constexpr bool ends_with(StringView s) const { return s.size_ <= size_ && substr(size_ - s.size_) == s; }

    // Leading and trailing spaces, tabs, CR and LF removed.
    constexpr StringView trimmed() const {
        size_t b = 0, e = size_;
        while (b < e && is_space(data_[b])) ++b;
        while (e > b && is_space(data_[e - 1])) --e;
        return StringView(data_ + b, e - b);
    }

    // ASCII case-insensitive comparison (config option names, §5).
    constexpr bool equals_ignoring_case(StringView o) const {
        if (o.size_ != size_) return false;
        for (size_t i = 0; i < size_; ++i)
            if (lower(data_[i]) != lower(o.data_[i])) return false;
        return true;
    }

    friend constexpr bool operator==(StringView a, StringView b) {
        if (a.size_ != b.size_) return false;
        for (size_t i = 0; i < a.size_; ++i)
            if (a.data_[i] != b.data_[i]) return false;
        return true;
    }

private:
    static constexpr size_t length_of(const char* s) {
        size_t n = 0;
        while (s[n]) ++n;
        return n;
    }
    static constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
    static constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

    const char* data_ = nullptr;
    size_t size_ = 0;
};

}  // namespace lib
