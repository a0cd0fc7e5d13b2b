// The one error type of the project (loader, kernel and host tests alike):
// a category code plus a static message saying what was wrong. Functions that
// can fail return Expected<T> (lib/expected.hpp) and callers propagate with
// TRY(...). No exceptions, no silent -1.
#pragma once

#include <stdint.h>

namespace lib {

enum class ErrorCode : uint8_t {
    kInvalid,       // malformed input (config, ELF, ACPI table, ...)
    kTruncated,     // input shorter than its own header says
    kNotFound,      // a named thing does not exist
    kUnsupported,   // valid but not something we implement
    kOutOfMemory,   // an allocation could not be met
    kDuplicate,     // the same thing given twice where once is allowed
    kOutOfRange,    // an address or index outside the allowed range
    kDevice,        // the hardware or firmware reported failure
};

constexpr const char* error_code_name(ErrorCode code) {
    switch (code) {
    case ErrorCode::kInvalid: return "invalid";
    case ErrorCode::kTruncated: return "truncated";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kOutOfMemory: return "out of memory";
    case ErrorCode::kDuplicate: return "duplicate";
    case ErrorCode::kOutOfRange: return "out of range";
    case ErrorCode::kDevice: return "device error";
    }
    return "unknown";
}

struct [[nodiscard]] Error {
    ErrorCode code;
    const char* message;  // static storage: what exactly was wrong

    static constexpr Error make(ErrorCode code, const char* message) { return Error{code, message}; }
};

}  // namespace lib
