// Expected<T>: a value or a lib::Error, [[nodiscard]] so that a failure can
// not be dropped by accident. TRY(expr) returns the error to the caller.
// Asking a failure for its value, or a success for its error, is a bug that
// LIB_CHECK stops (lib/check.hpp).
#pragma once

#include "lib/check.hpp"
#include "lib/error.hpp"
#include "lib/placement_new.hpp"
#include "lib/utility.hpp"

namespace lib {

template <typename T>
class [[nodiscard]] Expected {
public:
    constexpr Expected(const T& value) : has_value_(true) { new (&storage_.value) T(value); }
    constexpr Expected(T&& value) : has_value_(true) { new (&storage_.value) T(move(value)); }
    constexpr Expected(Error error) : has_value_(false) { storage_.error = error; }

    Expected(const Expected& other) : has_value_(other.has_value_) {
        if (has_value_) new (&storage_.value) T(other.storage_.value);
        else storage_.error = other.storage_.error;
    }
    Expected(Expected&& other) : has_value_(other.has_value_) {
        if (has_value_) new (&storage_.value) T(move(other.storage_.value));
        else storage_.error = other.storage_.error;
    }
    Expected& operator=(const Expected&) = delete;
    ~Expected() {
        if (has_value_) storage_.value.~T();
    }

    constexpr bool has_value() const { return has_value_; }
    constexpr explicit operator bool() const { return has_value_; }
    T& value() { return checked_value(); }
    const T& value() const { return checked_value(); }
    T* operator->() { return &checked_value(); }
    const T* operator->() const { return &checked_value(); }
    T& operator*() { return checked_value(); }
    const T& operator*() const { return checked_value(); }
    Error error() const {
        LIB_CHECK(!has_value_);
        return storage_.error;
    }
    T release_value() { return move(checked_value()); }

private:
    T& checked_value() {
        LIB_CHECK(has_value_);
        return storage_.value;
    }
    const T& checked_value() const {
        LIB_CHECK(has_value_);
        return storage_.value;
    }

    union Storage {
        Storage() {}
        ~Storage() {}
        T value;
        Error error;
    } storage_;
    bool has_value_;
};

// Expected<void>: success carries nothing.
template <>
class [[nodiscard]] Expected<void> {
public:
    constexpr Expected() : has_value_(true) {}
    constexpr Expected(Error error) : error_(error), has_value_(false) {}
    constexpr bool has_value() const { return has_value_; }
    constexpr explicit operator bool() const { return has_value_; }
    Error error() const {
        LIB_CHECK(!has_value_);
        return error_;
    }
    constexpr void release_value() const {}

private:
    Error error_;
    bool has_value_;
};

}  // namespace lib

// Evaluates an Expected; on error returns the error from the enclosing
// function, otherwise yields the value (a GNU statement expression, which
// clang and gcc both accept).
#define TRY(expression)                                           \
    ({                                                            \
        auto _try_result = (expression);                          \
        if (!_try_result.has_value()) return _try_result.error(); \
        _try_result.release_value();                              \
    })
