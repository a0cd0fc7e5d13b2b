// The one error type of the project (loader, kernel and host tests alike).
// Functions that can fail return Expected<T> (lib/expected.hpp) and callers
// propagate with TRY(...). No exceptions, no silent -1, no bare bool.
//
// An Error says what kind of failure it is as a Linux errno value (the same
// number a system call returns negated), what exactly was wrong (a static
// message), and optionally the thing at fault (an address, offset, index or
// value), attached with with():
//
//   return lib::Error::make(lib::Errno::kEINVAL, "ELF: segment below the higher half").with(vaddr);
//
// 24 bytes, trivially copyable: cheap to return.
#pragma once

#include <stdint.h>

#include "lib/errno.hpp"

namespace lib {

// The kind of failure: a Linux errno. The project uses these for its own
// failures (a program's own logic maps onto them as below):
//   kEINVAL      malformed input (config, ELF, ACPI table, ...) or argument
//   kENODATA     input shorter than its own header says (truncated)
//   kENOENT      a named thing does not exist
//   kEOPNOTSUPP  valid, but not something we implement
//   kENOMEM      an allocation could not be met
//   kEEXIST      the same thing given twice where once is allowed
//   kERANGE      an address or index outside the allowed range
//   kEIO         the hardware or firmware reported failure
using ErrorCode = Errno;

struct [[nodiscard]] Error {
    Errno code = Errno::kEINVAL;
    bool has_subject = false;
    const char* message = "";  // static storage: what exactly was wrong
    uint64_t subject = 0;      // the thing at fault, when has_subject

    static constexpr Error make(Errno code, const char* message) {
        Error error;
        error.code = code;
        error.message = message;
        return error;
    }

    // The same error, naming the thing at fault.
    constexpr Error with(uint64_t thing) const {
        Error error = *this;
        error.subject = thing;
        error.has_subject = true;
        return error;
    }

    // What a system call returns for it: -errno.
    constexpr int64_t syscall_return() const { return -int64_t(code); }
};

static_assert(sizeof(Error) <= 24, "Error is returned by value everywhere: keep it small");

}  // namespace lib
