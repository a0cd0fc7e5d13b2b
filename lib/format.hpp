// Type-safe text formatting for the kernel, the loader and the host tests.
//
//   lib::format_to(sink, "x={:#010x} name={:<8} p={}", value, name, pointer);
//   size_t n = lib::format(buffer, sizeof buffer, "{} of {}", used, total);
//
// Placeholders are `{}` or `{:[fill][<>^][#][0][width][type]}` (a subset of the
// std::format grammar), with type one of d x X b o c s p; `{{` and `}}` print a
// brace. Arguments are checked by type at compile time (variadic templates, no
// C varargs), so an argument can never be read as the wrong type. Mistakes in
// the format string never crash: a placeholder without an argument prints
// `{?}`, a malformed or unsuitable spec prints `{!}`, surplus arguments are
// ignored.
//
// A Sink is any type with `void put(char)`. The engine is instantiated once
// per Sink type, not per argument list: arguments are first turned into a
// small tagged FormatArg array, which keeps the kernel's code size in check.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/string_view.hpp"

namespace lib {

// One argument, reduced to the handful of shapes the formatter knows.
struct FormatArg {
    enum class Kind : uint8_t { kSigned, kUnsigned, kBool, kChar, kString, kPointer };

    Kind kind;
    union {
        int64_t signed_value;
        uint64_t unsigned_value;
        bool bool_value;
        char char_value;
        uintptr_t pointer_value;
    };
    StringView string_value;  // kString only (null C strings become "(null)")
};

namespace format_detail {

template <typename T>
struct remove_cv {
    using type = T;
};
template <typename T>
struct remove_cv<const T> {
    using type = T;
};
template <typename T>
struct remove_cv<volatile T> {
    using type = T;
};
template <typename T>
struct remove_cv<const volatile T> {
    using type = T;
};

template <typename T, typename U>
inline constexpr bool same = false;
template <typename T>
inline constexpr bool same<T, T> = true;

template <typename T>
inline constexpr bool is_plain_integer =
    same<T, signed char> || same<T, unsigned char> || same<T, short> || same<T, unsigned short> || same<T, int> ||
    same<T, unsigned int> || same<T, long> || same<T, unsigned long> || same<T, long long> ||
    same<T, unsigned long long> || same<T, char8_t> || same<T, char16_t> || same<T, char32_t> || same<T, wchar_t>;

template <typename T>
inline constexpr bool always_false = false;

// Whether T is a pointer (any cv). Not clang's __is_pointer(T): a host test
// that includes libstdc++ first (which declares a template of that name)
// turns the builtin off for the rest of the file.
template <typename T>
inline constexpr bool is_pointer = false;
template <typename T>
inline constexpr bool is_pointer<T*> = true;
template <typename T>
inline constexpr bool is_pointer<T* const> = true;
template <typename T>
inline constexpr bool is_pointer<T* volatile> = true;
template <typename T>
inline constexpr bool is_pointer<T* const volatile> = true;

// Whether T is an array of char / a pointer to char, whatever the cv.
template <typename T>
inline constexpr bool is_char_array = false;
template <size_t N>
inline constexpr bool is_char_array<char[N]> = true;
template <size_t N>
inline constexpr bool is_char_array<const char[N]> = true;
template <typename T>
inline constexpr bool is_char_pointer = false;
template <>
inline constexpr bool is_char_pointer<char*> = true;
template <>
inline constexpr bool is_char_pointer<const char*> = true;
template <>
inline constexpr bool is_char_pointer<volatile char*> = true;
template <>
inline constexpr bool is_char_pointer<const volatile char*> = true;

template <typename T>
constexpr FormatArg integer_arg(T value) {
    FormatArg arg{};
    if constexpr (T(-1) < T(0)) {
        arg.kind = FormatArg::Kind::kSigned;
        arg.signed_value = static_cast<int64_t>(value);
    } else {
        arg.kind = FormatArg::Kind::kUnsigned;
        arg.unsigned_value = static_cast<uint64_t>(value);
    }
    return arg;
}

constexpr FormatArg string_arg(StringView text) {
    FormatArg arg{};
    arg.kind = FormatArg::Kind::kString;
    arg.string_value = text;
    return arg;
}

constexpr FormatArg c_string_arg(const char* text) {
    return string_arg(text ? StringView(text) : "(null)");
}

inline FormatArg pointer_arg(const volatile void* pointer) {
    FormatArg arg{};
    arg.kind = FormatArg::Kind::kPointer;
    arg.pointer_value = reinterpret_cast<uintptr_t>(pointer);
    return arg;
}

// A char array (usually a string literal) stops at its first NUL, and never
// reads past the array even if it holds no NUL at all.
template <size_t N>
constexpr FormatArg char_array_arg(const char (&text)[N]) {
    size_t length = 0;
    while (length < N && text[length] != '\0') ++length;
    return string_arg(StringView(text, length));
}

template <typename Raw>
FormatArg make_arg(const Raw& value) {
    using T = typename remove_cv<Raw>::type;
    if constexpr (same<T, bool>) {
        FormatArg arg{};
        arg.kind = FormatArg::Kind::kBool;
        arg.bool_value = value;
        return arg;
    } else if constexpr (same<T, char>) {
        FormatArg arg{};
        arg.kind = FormatArg::Kind::kChar;
        arg.char_value = value;
        return arg;
    } else if constexpr (is_plain_integer<T>) {
        return integer_arg(value);
    } else if constexpr (__is_enum(T)) {
        return integer_arg(static_cast<__underlying_type(T)>(value));
    } else if constexpr (same<T, StringView>) {
        return string_arg(value);
    } else if constexpr (same<T, decltype(nullptr)>) {
        return pointer_arg(nullptr);
    } else if constexpr (__is_array(T)) {
        if constexpr (is_char_array<Raw>) {
            return char_array_arg(value);
        } else {
            static_assert(always_false<T>, "lib::format: arrays other than char arrays cannot be formatted");
        }
    } else if constexpr (is_pointer<T>) {
        if constexpr (is_char_pointer<T>) {
            return c_string_arg(const_cast<const char*>(value));
        } else {
            return pointer_arg(reinterpret_cast<const volatile void*>(value));
        }
    } else {
        static_assert(always_false<T>, "lib::format: this argument type cannot be formatted");
    }
}

// What one placeholder's spec asks for.
struct Spec {
    char fill = ' ';
    char align = '\0';  // '<', '>', '^' or '\0' for the type's default
    bool alternate = false;
    bool zero_pad = false;
    uint32_t width = 0;
    char type = '\0';
};

// Widths beyond this are taken as a mistake (and print `{!}`): a console line
// never needs more, and it bounds the time one placeholder can take.
inline constexpr uint32_t kMaxWidth = 1024;

constexpr bool is_align(char c) {
    return c == '<' || c == '>' || c == '^';
}
constexpr bool is_type(char c) {
    return c == 'd' || c == 'x' || c == 'X' || c == 'b' || c == 'o' || c == 'c' || c == 's' || c == 'p';
}

// Parses the text between ':' and '}'. Returns false if it is malformed.
constexpr bool parse_spec(StringView text, Spec& spec) {
    size_t i = 0;
    if (text.size() >= 2 && is_align(text[1])) {
        spec.fill = text[0];
        spec.align = text[1];
        i = 2;
    } else if (text.size() >= 1 && is_align(text[0])) {
        spec.align = text[0];
        i = 1;
    }
    if (i < text.size() && text[i] == '#') {
        spec.alternate = true;
        ++i;
    }
    if (i < text.size() && text[i] == '0') {
        spec.zero_pad = true;
        ++i;
    }
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        spec.width = spec.width * 10 + static_cast<uint32_t>(text[i] - '0');
        if (spec.width > kMaxWidth) return false;
        ++i;
    }
    if (i < text.size() && is_type(text[i])) {
        spec.type = text[i];
        ++i;
    }
    return i == text.size();
}

// Digits of `magnitude` in `base`, written backwards from `end`; returns the
// first digit's position. 64 binary digits is the most any value needs.
inline char* write_digits(char* end, uint64_t magnitude, unsigned base, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char* cursor = end;
    do {
        *--cursor = digits[magnitude % base];
        magnitude /= base;
    } while (magnitude != 0);
    return cursor;
}

template <typename Sink>
void put_repeated(Sink& sink, char c, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) sink.put(c);
}

template <typename Sink>
void put_text(Sink& sink, StringView text) {
    for (char c : text) sink.put(c);
}

// `body` padded to the spec's width; `default_align` applies when the spec
// names none (numbers right, text left, as std::format does).
template <typename Sink>
void put_padded(Sink& sink, const Spec& spec, StringView body, char default_align) {
    uint32_t padding = body.size() < spec.width ? static_cast<uint32_t>(spec.width - body.size()) : 0;
    char align = spec.align ? spec.align : default_align;
    uint32_t before = align == '>' ? padding : align == '^' ? padding / 2 : 0;
    put_repeated(sink, spec.fill, before);
    put_text(sink, body);
    put_repeated(sink, spec.fill, padding - before);
}

// An integer with sign, optional base prefix and zero padding. Zero padding
// goes between the sign/prefix and the digits and overrides any alignment.
template <typename Sink>
void put_integer(Sink& sink, const Spec& spec, bool negative, uint64_t magnitude, char type, bool force_prefix) {
    unsigned base = 10;
    const char* prefix = "";
    switch (type) {
        case 'x':
            base = 16;
            prefix = "0x";
            break;
        case 'X':
            base = 16;
            prefix = "0x";
            break;
        case 'b':
            base = 2;
            prefix = "0b";
            break;
        case 'o':
            base = 8;
            prefix = "0o";
            break;
        default: break;
    }
    if (!spec.alternate && !force_prefix) prefix = "";

    char buffer[80];
    char* end = buffer + sizeof buffer;
    char* digits = write_digits(end, magnitude, base, type == 'X');
    size_t digit_count = static_cast<size_t>(end - digits);

    char head[4];
    size_t head_length = 0;
    if (negative) head[head_length++] = '-';
    for (const char* p = prefix; *p; ++p) head[head_length++] = *p;

    if (spec.zero_pad) {
        size_t used = head_length + digit_count;
        put_text(sink, StringView(head, head_length));
        put_repeated(sink, '0', used < spec.width ? static_cast<uint32_t>(spec.width - used) : 0);
        put_text(sink, StringView(digits, digit_count));
        return;
    }
    char* start = digits - head_length;
    for (size_t i = 0; i < head_length; ++i) start[i] = head[i];
    put_padded(sink, spec, StringView(start, static_cast<size_t>(end - start)), '>');
}

template <typename Sink>
void put_error_marker(Sink& sink) {
    put_text(sink, "{!}");
}

// A pointer: `{}`/`{:p}` print 0x and all 16 hex digits, so addresses line up.
template <typename Sink>
void put_pointer(Sink& sink, Spec spec, uint64_t value) {
    char buffer[18] = {'0', 'x'};
    char* end = buffer + sizeof buffer;
    char* digits = write_digits(end, value, 16, false);
    while (digits > buffer + 2) *--digits = '0';
    put_padded(sink, spec, StringView(buffer, sizeof buffer), '>');
}

template <typename Sink>
void put_char(Sink& sink, const Spec& spec, char c) {
    put_padded(sink, spec, StringView(&c, 1), '<');
}

template <typename Sink>
void put_argument(Sink& sink, const Spec& spec, const FormatArg& arg) {
    const char type = spec.type;
    const bool numeric_type = type == 'd' || type == 'x' || type == 'X' || type == 'b' || type == 'o';
    switch (arg.kind) {
        case FormatArg::Kind::kSigned:
        case FormatArg::Kind::kUnsigned: {
            // Only the union member the kind names is read.
            const bool is_signed = arg.kind == FormatArg::Kind::kSigned;
            const bool negative = is_signed && arg.signed_value < 0;
            const uint64_t bits = is_signed ? static_cast<uint64_t>(arg.signed_value) : arg.unsigned_value;
            // 0 - x in unsigned arithmetic is the magnitude even for INT64_MIN.
            const uint64_t magnitude = negative ? 0 - bits : bits;
            if (type == '\0' || numeric_type) return put_integer(sink, spec, negative, magnitude, type, false);
            if (type == 'c') {
                if (negative || magnitude > 0xFF) return put_error_marker(sink);
                return put_char(sink, spec, static_cast<char>(magnitude));
            }
            if (type == 'p' && !negative) return put_pointer(sink, spec, magnitude);
            return put_error_marker(sink);
        }
        case FormatArg::Kind::kBool:
            if (type == '\0' || type == 's') return put_padded(sink, spec, arg.bool_value ? "true" : "false", '<');
            if (numeric_type) return put_integer(sink, spec, false, arg.bool_value ? 1 : 0, type, false);
            return put_error_marker(sink);
        case FormatArg::Kind::kChar:
            if (type == '\0' || type == 'c' || type == 's') return put_char(sink, spec, arg.char_value);
            if (numeric_type)
                return put_integer(sink, spec, false, static_cast<unsigned char>(arg.char_value), type, false);
            return put_error_marker(sink);
        case FormatArg::Kind::kString:
            if (type == '\0' || type == 's') return put_padded(sink, spec, arg.string_value, '<');
            if (type == 'p') return put_pointer(sink, spec, reinterpret_cast<uintptr_t>(arg.string_value.data()));
            return put_error_marker(sink);
        case FormatArg::Kind::kPointer:
            if (type == '\0' || type == 'p') return put_pointer(sink, spec, arg.pointer_value);
            if (type == 'x' || type == 'X') return put_integer(sink, spec, false, arg.pointer_value, type, false);
            return put_error_marker(sink);
    }
    put_error_marker(sink);
}

// The engine: walks `fmt`, copying text and expanding placeholders.
template <typename Sink>
void format_arguments(Sink& sink, StringView fmt, const FormatArg* args, size_t arg_count) {
    size_t next_arg = 0;
    size_t i = 0;
    while (i < fmt.size()) {
        char c = fmt[i];
        if (c == '}') {
            // `}}` is an escaped brace; a lone `}` is printed as it is.
            sink.put('}');
            i += (i + 1 < fmt.size() && fmt[i + 1] == '}') ? 2 : 1;
            continue;
        }
        if (c != '{') {
            sink.put(c);
            ++i;
            continue;
        }
        if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
            sink.put('{');
            i += 2;
            continue;
        }
        size_t close = fmt.find('}', i + 1);
        if (close == StringView::npos) {
            // An unterminated placeholder: say so and drop the rest, which
            // can not be told apart from a spec.
            put_error_marker(sink);
            return;
        }
        StringView inside = fmt.substr(i + 1, close - i - 1);
        i = close + 1;

        Spec spec;
        bool valid = inside.empty() || (inside[0] == ':' && parse_spec(inside.substr(1), spec));
        // A malformed placeholder still uses up its argument, so that the
        // ones after it line up with their placeholders.
        if (next_arg >= arg_count) {
            put_text(sink, valid ? "{?}" : "{!}");
            continue;
        }
        const FormatArg& arg = args[next_arg++];
        if (!valid) {
            put_error_marker(sink);
            continue;
        }
        put_argument(sink, spec, arg);
    }
}

// A sink writing into a fixed buffer: keeps the first size-1 characters,
// NUL-terminates, and counts everything it was offered.
class BufferSink {
public:
    BufferSink(char* buffer, size_t size) : buffer_(buffer), size_(size) {}
    void put(char c) {
        if (length_ + 1 < size_) buffer_[length_] = c;
        ++length_;
    }
    void terminate() {
        if (size_ == 0) return;
        buffer_[length_ < size_ ? length_ : size_ - 1] = '\0';
    }
    size_t length() const { return length_; }

private:
    char* buffer_;
    size_t size_;
    size_t length_ = 0;
};

}  // namespace format_detail

template <typename Sink, typename... Args>
void format_to(Sink& sink, StringView fmt, const Args&... args) {
    if constexpr (sizeof...(Args) == 0) {
        format_detail::format_arguments(sink, fmt, nullptr, 0);
    } else {
        const FormatArg packed[] = {format_detail::make_arg(args)...};
        format_detail::format_arguments(sink, fmt, packed, sizeof...(Args));
    }
}

// Formats into buffer[0, size): always NUL-terminated when size > 0,
// truncated if need be. Returns the length the full text would have had
// (excluding the NUL), so `result >= size` means it was truncated.
template <typename... Args>
size_t format(char* buffer, size_t size, StringView fmt, const Args&... args) {
    format_detail::BufferSink sink(buffer, size);
    format_to(sink, fmt, args...);
    sink.terminate();
    return sink.length();
}

}  // namespace lib
