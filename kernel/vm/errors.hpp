// Errors of the memory and exec calls: each is the errno Linux returns in
// the same situation (the syscall layer returns it negated), plus a message
// naming what was wrong.
#pragma once

#include "lib/errno.hpp"
#include "lib/error.hpp"

namespace vm {

inline lib::Error error(lib::Errno number, const char* message) {
    return lib::Error::make(number, message);
}

// The errno of an error (from vm, or from below it: the frame allocator's
// ENOMEM).
inline lib::Errno error_number(const lib::Error& error) {
    return error.code;
}

}  // namespace vm
