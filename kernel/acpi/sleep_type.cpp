// A scan for Name(\_Sx, Package(){...}) in AML (ACPI 6.5 §20.2).
#include "kernel/acpi/sleep_type.hpp"

#include "lib/bytes.hpp"

namespace acpi {

namespace {

// AML opcodes and prefixes (§20.2.3 data objects, §20.2.5 terms).
constexpr uint8_t kZeroOp = 0x00;
constexpr uint8_t kOneOp = 0x01;
constexpr uint8_t kNameOp = 0x08;
constexpr uint8_t kBytePrefix = 0x0a;
constexpr uint8_t kWordPrefix = 0x0b;
constexpr uint8_t kDWordPrefix = 0x0c;
constexpr uint8_t kQWordPrefix = 0x0e;
constexpr uint8_t kPackageOp = 0x12;
constexpr uint8_t kRootChar = 0x5c;  // '\'
constexpr uint8_t kOnesOp = 0xff;

lib::Error not_found(const char* message) {
    return lib::Error::make(lib::ErrorCode::kENOENT, message);
}

// PkgLength (§20.2.4): the lead byte's bits 7-6 count the bytes that
// follow (0-3). With none, bits 5-0 are the length; otherwise bits 3-0 are
// its low nibble and each following byte adds 8 more bits. The length
// counts itself. Returns the encoding's size, or 0 if it runs off the end.
size_t read_pkg_length(lib::Bytes aml, size_t at, uint32_t& length) {
    if (at >= aml.size()) return 0;
    uint8_t lead = aml[at];
    size_t follow = lead >> 6;
    if (!lib::range_inside(at, 1 + follow, aml.size())) return 0;
    if (follow == 0) {
        length = lead & 0x3f;
    } else {
        length = lead & 0x0f;
        for (size_t i = 0; i < follow; ++i) length |= uint32_t(aml[at + 1 + i]) << (4 + 8 * i);
    }
    return 1 + follow;
}

// One integer data object (§20.2.3: ComputationalData and ConstObj);
// returns the bytes it took, 0 if it is not one or runs off the end.
size_t read_integer(lib::Bytes aml, size_t at, size_t end, uint64_t& value) {
    if (at >= end) return 0;
    size_t width = 0;
    switch (aml[at]) {
    case kZeroOp: value = 0; return 1;
    case kOneOp: value = 1; return 1;
    case kOnesOp: value = ~0ULL; return 1;
    case kBytePrefix: width = 1; break;
    case kWordPrefix: width = 2; break;
    case kDWordPrefix: width = 4; break;
    case kQWordPrefix: width = 8; break;
    default: return 0;
    }
    if (!lib::range_inside(at + 1, width, end)) return 0;
    value = lib::read_le(aml, at + 1, width);
    return 1 + width;
}

// The package after a "_Sx_" name at `name_at`, if the bytes there are
// NameOp [\] _Sx_ PackageOp PkgLength NumElements Integer Integer ...
lib::Expected<SleepType> package_at(lib::Bytes aml, size_t name_at) {
    // What precedes the name: NameOp, or NameOp then the root prefix.
    bool named = (name_at >= 1 && aml[name_at - 1] == kNameOp) ||
                 (name_at >= 2 && aml[name_at - 1] == kRootChar && aml[name_at - 2] == kNameOp);
    if (!named) return not_found("AML: _Sx bytes that are not a Name()");
    size_t at = name_at + 4;
    if (at >= aml.size() || aml[at] != kPackageOp) return not_found("AML: _Sx is not a package");
    ++at;
    uint32_t length = 0;
    size_t length_bytes = read_pkg_length(aml, at, length);
    if (length_bytes == 0 || length < length_bytes + 1 || !lib::range_inside(at, length, aml.size()))
        return not_found("AML: _Sx package runs past the table");
    size_t end = at + length;
    at += length_bytes;
    uint8_t elements = aml[at++];
    if (elements < 2) return not_found("AML: _Sx package has fewer than two elements");
    uint64_t a = 0, b = 0;
    size_t used = read_integer(aml, at, end, a);
    if (used == 0) return not_found("AML: _Sx element 0 is not an integer constant");
    at += used;
    if (read_integer(aml, at, end, b) == 0) return not_found("AML: _Sx element 1 is not an integer constant");
    // SLP_TYPx is a 3-bit field (§4.8.3.2.1, Table 4.13).
    if (a > 7 || b > 7) return not_found("AML: _Sx sleep type does not fit SLP_TYP's 3 bits");
    return SleepType{uint8_t(a), uint8_t(b)};
}

}  // namespace

lib::Expected<SleepType> find_sleep_type(lib::Bytes aml, char state) {
    const char name[4] = {'_', 'S', state, '_'};
    lib::Error last = not_found("AML: no _Sx object");
    for (size_t at = 0; at + 4 <= aml.size(); ++at) {
        if (!lib::bytes_equal(aml, at, name, 4)) continue;
        auto found = package_at(aml, at);
        if (found) return found;
        last = found.error();
    }
    return last;
}

}  // namespace acpi
