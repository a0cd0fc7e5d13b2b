// The UBSan runtime: with -fsanitize=undefined clang inserts a check before
// each operation that could be undefined and calls __ubsan_handle_<check>
// with a static description (source location, types) and the operands when
// it fails. Each handler here prints what went wrong and where, then panics.
// Every check the kernel is built with is treated as fatal, so the "_abort"
// variants (-fno-sanitize-recover) and the recoverable ones behave alike.
//
// The data layouts are the ABI between clang's code generation and the
// runtime (LLVM compiler-rt, lib/ubsan/ubsan_handlers.h and ubsan_value.h,
// as of clang 14); only the fields we print are interpreted.
#include <stddef.h>
#include <stdint.h>

#include "kernel/debug/panic.hpp"  // root-relative: also built by the host tests
#include "lib/format.hpp"

namespace {

struct SourceLocation {
    const char* file;
    uint32_t line;
    uint32_t column;
};

// TypeDescriptor: kind 0 = integer (info = log2(bit width) << 1 | signed),
// 1 = floating point, 0xffff = anything else; then the NUL-terminated name.
struct TypeDescriptor {
    uint16_t kind;
    uint16_t info;
    char name[1];
};

// The name as a C string (clang stores it already quoted: "'int'");
// formatting `name` itself would print only the one-element array's first
// character.
const char* type_name(const TypeDescriptor& type) { return type.name; }

using ValueHandle = uintptr_t;

struct TypeMismatchData {
    SourceLocation location;
    const TypeDescriptor& type;
    uint8_t log_alignment;
    uint8_t type_check_kind;
};
struct AlignmentAssumptionData {
    SourceLocation location;
    SourceLocation assumption_location;
    const TypeDescriptor& type;
};
struct OverflowData {
    SourceLocation location;
    const TypeDescriptor& type;
};
struct ShiftOutOfBoundsData {
    SourceLocation location;
    const TypeDescriptor& lhs_type;
    const TypeDescriptor& rhs_type;
};
struct OutOfBoundsData {
    SourceLocation location;
    const TypeDescriptor& array_type;
    const TypeDescriptor& index_type;
};
struct UnreachableData {
    SourceLocation location;
};
struct VlaBoundData {
    SourceLocation location;
    const TypeDescriptor& type;
};
struct FloatCastOverflowData {
    SourceLocation location;
    const TypeDescriptor& from_type;
    const TypeDescriptor& to_type;
};
struct InvalidValueData {
    SourceLocation location;
    const TypeDescriptor& type;
};
struct ImplicitConversionData {
    SourceLocation location;
    const TypeDescriptor& from_type;
    const TypeDescriptor& to_type;
    uint8_t kind;
};
struct InvalidBuiltinData {
    SourceLocation location;
    uint8_t kind;
};
struct NonNullReturnData {
    SourceLocation attribute_location;
};
struct NonNullArgData {
    SourceLocation location;
    SourceLocation attribute_location;
    int argument_index;
};
struct PointerOverflowData {
    SourceLocation location;
};

// The report is assembled in one static buffer (a nested report is a nested
// panic and never gets here), then handed to PANIC as its reason.
constexpr size_t kReportSize = 384;
char g_report[kReportSize];

class ReportSink {
public:
    void put(char c) {
        if (length_ + 1 < kReportSize) g_report[length_++] = c;
        g_report[length_] = '\0';
    }

private:
    size_t length_ = 0;
};

// An operand as the text clang's runtime would print: integers up to 64
// bits travel in the handle itself, wider ones by pointer.
struct Value {
    const TypeDescriptor& type;
    ValueHandle handle;
};

__attribute__((no_sanitize("undefined"))) uint32_t integer_width(const TypeDescriptor& type) {
    return 1u << (type.info >> 1);
}
__attribute__((no_sanitize("undefined"))) bool integer_signed(const TypeDescriptor& type) { return type.info & 1; }

__attribute__((no_sanitize("undefined"))) void put_value(ReportSink& sink, const Value& value) {
    if (value.type.kind != 0) {
        lib::format_to(sink, "<value of type {}>", type_name(value.type));
        return;
    }
    uint32_t width = integer_width(value.type);
    if (width > 64) {
        const auto* words = reinterpret_cast<const uint64_t*>(value.handle);
        lib::format_to(sink, "{:#x}:{:016x}", words[1], words[0]);
        return;
    }
    uint64_t bits = value.handle;
    if (width < 64) bits &= (uint64_t(1) << width) - 1;
    if (integer_signed(value.type)) {
        // Sign-extend from the type's width.
        uint32_t unused = 64 - width;
        int64_t extended = int64_t(bits << unused) >> unused;
        lib::format_to(sink, "{}", extended);
    } else {
        lib::format_to(sink, "{}", bits);
    }
}

__attribute__((no_sanitize("undefined"))) bool is_negative(const Value& value) {
    if (value.type.kind != 0 || !integer_signed(value.type) || integer_width(value.type) > 64) return false;
    uint32_t width = integer_width(value.type);
    return (value.handle >> (width - 1)) & 1;
}

template <typename... Args>
[[noreturn]] __attribute__((noinline)) void report(const char* kind, const SourceLocation& where,
                                                   lib::StringView details_fmt, const Args&... args) {
    ReportSink sink;
    lib::format_to(sink, "ubsan: {} at {}:{}:{}", kind, debug::short_source_path(where.file), where.line,
                   where.column);
    if (!details_fmt.empty()) {
        lib::format_to(sink, ": ");
        lib::format_to(sink, details_fmt, args...);
    }
    PANIC("{}", static_cast<const char*>(g_report));
}

[[noreturn]] void report_overflow(const OverflowData& data, ValueHandle lhs, ValueHandle rhs, const char* op) {
    ReportSink sink;
    const char* kind = integer_signed(data.type) ? "signed integer overflow" : "unsigned integer overflow";
    lib::format_to(sink, "ubsan: {} at {}:{}:{}: ", kind, debug::short_source_path(data.location.file),
                   data.location.line, data.location.column);
    put_value(sink, Value{data.type, lhs});
    lib::format_to(sink, " {} ", op);
    put_value(sink, Value{data.type, rhs});
    lib::format_to(sink, " cannot be represented in type {}", type_name(data.type));
    PANIC("{}", static_cast<const char*>(g_report));
}

const char* type_check_kind_name(uint8_t kind) {
    static const char* const kNames[] = {
        "load of", "store to", "reference binding to", "member access within", "member call on",
        "constructor call on", "downcast of", "downcast of", "upcast of", "cast to virtual base of",
        "_Nonnull binding to", "dynamic operation on"};
    return kind < sizeof kNames / sizeof kNames[0] ? kNames[kind] : "access to";
}

[[noreturn]] void type_mismatch(const TypeMismatchData& data, ValueHandle pointer) {
    uint64_t alignment = uint64_t(1) << data.log_alignment;
    const char* what = type_check_kind_name(data.type_check_kind);
    if (pointer == 0)
        report("null pointer use", data.location, "{} null pointer of type {}", what, type_name(data.type));
    if (data.log_alignment < 64 && (pointer & (alignment - 1)) != 0)
        report("misaligned access", data.location, "{} misaligned address {:#x} for type {}, which requires {} "
               "byte alignment", what, pointer, type_name(data.type), alignment);
    report("object too small", data.location, "{} address {:#x} with insufficient space for an object of type {}",
           what, pointer, type_name(data.type));
}

[[noreturn]] void shift_out_of_bounds(const ShiftOutOfBoundsData& data, ValueHandle lhs, ValueHandle rhs) {
    ReportSink sink;
    lib::format_to(sink, "ubsan: shift out of bounds at {}:{}:{}: ", debug::short_source_path(data.location.file),
                   data.location.line, data.location.column);
    Value left{data.lhs_type, lhs}, right{data.rhs_type, rhs};
    if (is_negative(right)) {
        lib::format_to(sink, "shift exponent ");
        put_value(sink, right);
        lib::format_to(sink, " is negative");
    } else if (data.rhs_type.kind == 0 && integer_width(data.rhs_type) <= 64 &&
               rhs >= integer_width(data.lhs_type)) {
        lib::format_to(sink, "shift exponent ");
        put_value(sink, right);
        lib::format_to(sink, " is too large for {}-bit type {}", integer_width(data.lhs_type),
                       type_name(data.lhs_type));
    } else if (is_negative(left)) {
        lib::format_to(sink, "left shift of negative value ");
        put_value(sink, left);
    } else {
        lib::format_to(sink, "left shift of ");
        put_value(sink, left);
        lib::format_to(sink, " by ");
        put_value(sink, right);
        lib::format_to(sink, " places cannot be represented in type {}", type_name(data.lhs_type));
    }
    PANIC("{}", static_cast<const char*>(g_report));
}

[[noreturn]] void divrem_overflow(const OverflowData& data, ValueHandle lhs, ValueHandle rhs) {
    ReportSink sink;
    lib::format_to(sink, "ubsan: division overflow at {}:{}:{}: ", debug::short_source_path(data.location.file),
                   data.location.line, data.location.column);
    if (data.type.kind == 0 && integer_width(data.type) <= 64 && rhs == 0 && !is_negative(Value{data.type, rhs})) {
        lib::format_to(sink, "division by zero");
    } else {
        lib::format_to(sink, "division of ");
        put_value(sink, Value{data.type, lhs});
        lib::format_to(sink, " by ");
        put_value(sink, Value{data.type, rhs});
        lib::format_to(sink, " cannot be represented in type {}", type_name(data.type));
    }
    PANIC("{}", static_cast<const char*>(g_report));
}

[[noreturn]] void value_report(const char* kind, const SourceLocation& where, const char* prefix, const Value& value,
                               const char* suffix) {
    ReportSink sink;
    lib::format_to(sink, "ubsan: {} at {}:{}:{}: {}", kind, debug::short_source_path(where.file), where.line,
                   where.column, prefix);
    put_value(sink, value);
    lib::format_to(sink, "{}", suffix);
    PANIC("{}", static_cast<const char*>(g_report));
}

[[noreturn]] void out_of_bounds(const OutOfBoundsData& data, ValueHandle index) {
    ReportSink sink;
    lib::format_to(sink, "ubsan: index out of bounds at {}:{}:{}: index ", debug::short_source_path(data.location.file),
                   data.location.line, data.location.column);
    put_value(sink, Value{data.index_type, index});
    lib::format_to(sink, " is out of range for type {}", type_name(data.array_type));
    PANIC("{}", static_cast<const char*>(g_report));
}

[[noreturn]] void implicit_conversion(const ImplicitConversionData& data, ValueHandle source, ValueHandle result) {
    ReportSink sink;
    lib::format_to(sink, "ubsan: implicit conversion at {}:{}:{}: from type {} of value ",
                   debug::short_source_path(data.location.file), data.location.line, data.location.column,
                   type_name(data.from_type));
    put_value(sink, Value{data.from_type, source});
    lib::format_to(sink, " to type {} changed the value to ", type_name(data.to_type));
    put_value(sink, Value{data.to_type, result});
    PANIC("{}", static_cast<const char*>(g_report));
}

}  // namespace

// The host tests (kernel/rt/ubsan_test.cpp) link this file into a program
// that has the host's own UBSan runtime, so there the handlers are renamed.
#if defined(HOST_TEST)
#define UBSAN_ENTRY(name) host_ubsan_handle_##name
#else
#define UBSAN_ENTRY(name) __ubsan_handle_##name
#endif

// Each check has a recoverable and an "_abort" entry point; both are fatal here.
#define UBSAN_HANDLER(name, params, body)                       \
    extern "C" [[noreturn]] void UBSAN_ENTRY(name) params body \
    extern "C" [[noreturn]] void UBSAN_ENTRY(name##_abort) params body

UBSAN_HANDLER(type_mismatch_v1, (TypeMismatchData * data, ValueHandle pointer), { type_mismatch(*data, pointer); })

UBSAN_HANDLER(alignment_assumption,
              (AlignmentAssumptionData * data, ValueHandle pointer, ValueHandle alignment, ValueHandle offset), {
                  report("alignment assumption violated", data->location,
                         "pointer {:#x} (offset {}) is not aligned to {} bytes as assumed for type {}", pointer,
                         offset, alignment, type_name(data->type));
              })

UBSAN_HANDLER(add_overflow, (OverflowData * data, ValueHandle lhs, ValueHandle rhs),
              { report_overflow(*data, lhs, rhs, "+"); })
UBSAN_HANDLER(sub_overflow, (OverflowData * data, ValueHandle lhs, ValueHandle rhs),
              { report_overflow(*data, lhs, rhs, "-"); })
UBSAN_HANDLER(mul_overflow, (OverflowData * data, ValueHandle lhs, ValueHandle rhs),
              { report_overflow(*data, lhs, rhs, "*"); })

UBSAN_HANDLER(negate_overflow, (OverflowData * data, ValueHandle old_value), {
    value_report("negation overflow", data->location, "negation of ", Value{data->type, old_value},
                 " cannot be represented in its type");
})

UBSAN_HANDLER(divrem_overflow, (OverflowData * data, ValueHandle lhs, ValueHandle rhs),
              { divrem_overflow(*data, lhs, rhs); })

UBSAN_HANDLER(shift_out_of_bounds, (ShiftOutOfBoundsData * data, ValueHandle lhs, ValueHandle rhs),
              { shift_out_of_bounds(*data, lhs, rhs); })

UBSAN_HANDLER(out_of_bounds, (OutOfBoundsData * data, ValueHandle index), { out_of_bounds(*data, index); })

UBSAN_HANDLER(vla_bound_not_positive, (VlaBoundData * data, ValueHandle bound), {
    value_report("variable-length array bound", data->location, "bound ", Value{data->type, bound},
                 " is not positive");
})

UBSAN_HANDLER(load_invalid_value, (InvalidValueData * data, ValueHandle value), {
    value_report("invalid value", data->location, "load of value ", Value{data->type, value},
                 ", which is not valid for its type (bool or enum)");
})

UBSAN_HANDLER(float_cast_overflow, (FloatCastOverflowData * data, ValueHandle), {
    report("float cast overflow", data->location, "a value of type {} does not fit in type {}",
           type_name(data->from_type), type_name(data->to_type));
})

UBSAN_HANDLER(implicit_conversion, (ImplicitConversionData * data, ValueHandle source, ValueHandle result),
              { implicit_conversion(*data, source, result); })

UBSAN_HANDLER(invalid_builtin, (InvalidBuiltinData * data), {
    report("invalid builtin use", data->location, "passing zero to {}, which is not a valid argument",
           data->kind == 0 ? "ctz()" : "clz()");
})

UBSAN_HANDLER(nonnull_arg, (NonNullArgData * data), {
    report("null argument", data->location, "null pointer passed as argument {}, which is declared to never be null",
           data->argument_index);
})

UBSAN_HANDLER(nullability_arg, (NonNullArgData * data), {
    report("null argument", data->location, "null pointer passed as argument {}, which is declared _Nonnull",
           data->argument_index);
})

UBSAN_HANDLER(nonnull_return_v1, (NonNullReturnData * data, SourceLocation* location), {
    report("null return", *location, "null pointer returned from a function declared to never return null");
})

UBSAN_HANDLER(nullability_return_v1, (NonNullReturnData * data, SourceLocation* location), {
    report("null return", *location, "null pointer returned from a function declared _Nonnull");
})

UBSAN_HANDLER(pointer_overflow, (PointerOverflowData * data, ValueHandle base, ValueHandle result), {
    if (base == 0 && result == 0)
        report("pointer overflow", data->location, "applying zero offset to null pointer");
    if (base == 0)
        report("pointer overflow", data->location, "applying non-zero offset {:#x} to null pointer", result);
    if (result == 0)
        report("pointer overflow", data->location, "applying non-zero offset to non-null pointer {:#x} produced null",
               base);
    report("pointer overflow", data->location, "pointer arithmetic on {:#x} overflowed to {:#x}", base, result);
})

// These two are always fatal in clang (no _abort variant is ever emitted).
extern "C" [[noreturn]] void UBSAN_ENTRY(builtin_unreachable)(UnreachableData* data) {
    report("unreachable code reached", data->location, "execution reached __builtin_unreachable()");
}

extern "C" [[noreturn]] void UBSAN_ENTRY(missing_return)(UnreachableData* data) {
    report("missing return", data->location, "execution reached the end of a value-returning function");
}
