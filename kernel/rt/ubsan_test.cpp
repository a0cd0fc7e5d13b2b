// Host tests of the UBSan runtime's reports (kernel/rt/ubsan.cpp, built here
// with HOST_TEST so its entry points are host_ubsan_handle_* and PANIC prints
// to stderr and aborts). The check data is laid out as clang emits it.
#include <gtest/gtest.h>

#include <cstdint>

namespace {

struct Location {
    const char* file;
    uint32_t line;
    uint32_t column;
};
struct Type {
    uint16_t kind;  // 0 integer, 1 float, 0xffff other
    uint16_t info;  // integers: log2(width) << 1 | signed
    char name[24];  // quoted by clang: "'int'"
};
const Type kInt{0, (5 << 1) | 1, "'int'"};
const Type kUnsigned{0, 5 << 1, "'unsigned int'"};
const Type kLong{0, (6 << 1) | 1, "'long'"};
const Type kChar{0, (3 << 1) | 1, "'signed char'"};
const Type kBool{0, 3 << 1, "'bool'"};  // clang describes bool by its storage size
const Type kArray{0xffff, 0, "'int[4]'"};
const Type kWide{0, (7 << 1) | 1, "'__int128'"};

struct OverflowData {
    Location location;
    const Type* type;
};
struct ShiftData {
    Location location;
    const Type* lhs;
    const Type* rhs;
};
struct BoundsData {
    Location location;
    const Type* array;
    const Type* index;
};
struct MismatchData {
    Location location;
    const Type* type;
    uint8_t log_alignment;
    uint8_t kind;
};
struct LocationOnly {
    Location location;
};
struct BuiltinData {
    Location location;
    uint8_t kind;
};
struct NonNullArgData {
    Location location;
    Location attribute;
    int index;
};
struct AlignmentData {
    Location location;
    Location assumption;
    const Type* type;
};

const Location kWhere{"kernel/x.cpp", 12, 34};

}  // namespace

extern "C" {
void host_ubsan_handle_add_overflow(void*, uintptr_t, uintptr_t);
void host_ubsan_handle_sub_overflow_abort(void*, uintptr_t, uintptr_t);
void host_ubsan_handle_mul_overflow(void*, uintptr_t, uintptr_t);
void host_ubsan_handle_negate_overflow(void*, uintptr_t);
void host_ubsan_handle_divrem_overflow(void*, uintptr_t, uintptr_t);
void host_ubsan_handle_shift_out_of_bounds(void*, uintptr_t, uintptr_t);
void host_ubsan_handle_out_of_bounds(void*, uintptr_t);
void host_ubsan_handle_type_mismatch_v1(void*, uintptr_t);
void host_ubsan_handle_builtin_unreachable(void*);
void host_ubsan_handle_missing_return(void*);
void host_ubsan_handle_load_invalid_value(void*, uintptr_t);
void host_ubsan_handle_invalid_builtin(void*);
void host_ubsan_handle_nonnull_arg(void*);
void host_ubsan_handle_nonnull_return_v1(void*, void*);
void host_ubsan_handle_pointer_overflow(void*, uintptr_t, uintptr_t);
void host_ubsan_handle_vla_bound_not_positive(void*, uintptr_t);
void host_ubsan_handle_alignment_assumption(void*, uintptr_t, uintptr_t, uintptr_t);
void host_ubsan_handle_implicit_conversion(void*, uintptr_t, uintptr_t);
}

namespace {

OverflowData overflow(const Type& type) { return OverflowData{kWhere, &type}; }

TEST(UbsanHost, SignedAndUnsignedOverflow) {
    OverflowData add = overflow(kInt);
    EXPECT_DEATH(host_ubsan_handle_add_overflow(&add, 0x7fffffff, 1),
                 "panic: ubsan: signed integer overflow at kernel/x.cpp:12:34: 2147483647 \\+ 1 cannot be "
                 "represented in type 'int'");
    OverflowData sub = overflow(kInt);
    EXPECT_DEATH(host_ubsan_handle_sub_overflow_abort(&sub, 0x80000000u, 1), "-2147483648 - 1 cannot");
    OverflowData mul = overflow(kUnsigned);
    EXPECT_DEATH(host_ubsan_handle_mul_overflow(&mul, 0x10000, 0x10000), "unsigned integer overflow.*65536 \\* 65536");
    OverflowData negative = overflow(kLong);
    EXPECT_DEATH(host_ubsan_handle_negate_overflow(&negative, uintptr_t(INT64_MIN)),
                 "negation of -9223372036854775808 cannot");
}

TEST(UbsanHost, Division) {
    OverflowData data = overflow(kInt);
    EXPECT_DEATH(host_ubsan_handle_divrem_overflow(&data, 5, 0), "division overflow at .*: division by zero");
    EXPECT_DEATH(host_ubsan_handle_divrem_overflow(&data, 0x80000000u, 0xffffffffu),
                 "division of -2147483648 by -1 cannot be represented");
}

TEST(UbsanHost, Shifts) {
    ShiftData data{kWhere, &kInt, &kInt};
    EXPECT_DEATH(host_ubsan_handle_shift_out_of_bounds(&data, 1, 0xffffffffu), "shift exponent -1 is negative");
    EXPECT_DEATH(host_ubsan_handle_shift_out_of_bounds(&data, 1, 40), "shift exponent 40 is too large for 32-bit");
    EXPECT_DEATH(host_ubsan_handle_shift_out_of_bounds(&data, 0xfffffffeu, 1), "left shift of negative value -2");
    EXPECT_DEATH(host_ubsan_handle_shift_out_of_bounds(&data, 0x40000000, 2), "left shift of 1073741824 by 2 places");
}

TEST(UbsanHost, BoundsAndPointers) {
    BoundsData bounds{kWhere, &kArray, &kChar};
    EXPECT_DEATH(host_ubsan_handle_out_of_bounds(&bounds, 0xff), "index -1 is out of range for type 'int\\[4\\]'");
    LocationOnly where{kWhere};
    EXPECT_DEATH(host_ubsan_handle_pointer_overflow(&where, 0x1000, 0x800), "pointer arithmetic on 0x1000");
    EXPECT_DEATH(host_ubsan_handle_pointer_overflow(&where, 0, 0), "applying zero offset to null pointer");
    EXPECT_DEATH(host_ubsan_handle_pointer_overflow(&where, 0, 8), "non-zero offset 0x8 to null pointer");
}

TEST(UbsanHost, TypeMismatch) {
    MismatchData data{kWhere, &kLong, 3, 0};
    EXPECT_DEATH(host_ubsan_handle_type_mismatch_v1(&data, 0), "null pointer use.*load of null pointer of type 'long'");
    EXPECT_DEATH(host_ubsan_handle_type_mismatch_v1(&data, 0x1004),
                 "misaligned access.*load of misaligned address 0x1004 for type 'long', which requires 8 byte");
    MismatchData store{kWhere, &kLong, 0, 1};
    EXPECT_DEATH(host_ubsan_handle_type_mismatch_v1(&store, 0x1004), "store to address 0x1004 with insufficient space");
    MismatchData odd_kind{kWhere, &kLong, 0, 200};
    EXPECT_DEATH(host_ubsan_handle_type_mismatch_v1(&odd_kind, 0x1004), "access to address");
}

TEST(UbsanHost, ControlFlowAndValues) {
    LocationOnly where{kWhere};
    EXPECT_DEATH(host_ubsan_handle_builtin_unreachable(&where), "unreachable code reached at kernel/x.cpp:12:34");
    EXPECT_DEATH(host_ubsan_handle_missing_return(&where), "missing return at kernel/x.cpp:12:34");
    OverflowData boolean{kWhere, &kBool};
    EXPECT_DEATH(host_ubsan_handle_load_invalid_value(&boolean, 7), "load of value 7, which is not valid for its type");
    BuiltinData builtin{kWhere, 1};
    EXPECT_DEATH(host_ubsan_handle_invalid_builtin(&builtin), "passing zero to clz\\(\\)");
    NonNullArgData arg{kWhere, kWhere, 2};
    EXPECT_DEATH(host_ubsan_handle_nonnull_arg(&arg), "null pointer passed as argument 2");
    LocationOnly attribute{kWhere};
    Location returned{"kernel/y.cpp", 5, 6};
    EXPECT_DEATH(host_ubsan_handle_nonnull_return_v1(&attribute, &returned), "null return at kernel/y.cpp:5:6");
    OverflowData vla{kWhere, &kInt};
    EXPECT_DEATH(host_ubsan_handle_vla_bound_not_positive(&vla, 0xfffffffbu), "bound -5 is not positive");
    AlignmentData alignment{kWhere, kWhere, &kLong};
    EXPECT_DEATH(host_ubsan_handle_alignment_assumption(&alignment, 0x1001, 16, 0), "pointer 0x1001 .*aligned to 16");
}

TEST(UbsanHost, WideAndConversionValues) {
    OverflowData wide = overflow(kWide);
    uint64_t value[2] = {5, 1};
    EXPECT_DEATH(host_ubsan_handle_add_overflow(&wide, reinterpret_cast<uintptr_t>(value),
                                                reinterpret_cast<uintptr_t>(value)),
                 "0x1:0000000000000005 \\+ 0x1:0000000000000005");
    struct {
        Location location;
        const Type* from;
        const Type* to;
        uint8_t kind;
    } conversion{kWhere, &kInt, &kChar, 2};
    EXPECT_DEATH(host_ubsan_handle_implicit_conversion(&conversion, 300, 44),
                 "implicit conversion.*from type 'int' of value 300 to type 'signed char' changed the value to 44");
}

}  // namespace
