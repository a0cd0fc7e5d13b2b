// What every handler file of the system-call layer (the *_calls.cpp,
// docs/syscalls.md) reaches for: an errno-carrying error, and the calling
// thread's task, process and descriptor table.
#pragma once

#include <stdint.h>

#include "kernel/abi/linux_proc.hpp"
#include "kernel/fs/fd_table.hpp"
#include "kernel/proc/process.hpp"
#include "lib/error.hpp"

namespace sys {

using lib::Errno;

// A failed call: the errno the program sees, and a message for the
// kernel's own logs and tests.
inline lib::Error error(Errno code, const char* message) {
    return lib::Error::make(code, message);
}

// The calling thread and its process (a system call always has both).
inline proc::Task& task() {
    return *proc::current_task();
}
inline proc::Process& process() {
    return *proc::current_process();
}
inline fs::FdTable& files() {
    return *process().files;
}

// How many descriptors the process may have open: its RLIMIT_NOFILE, at
// most what a table holds.
inline uint32_t nofile_limit() {
    uint64_t soft = process().limits[uapi::kRLIMIT_NOFILE].soft;
    return soft > fs::FdTable::kMaxDescriptors ? fs::FdTable::kMaxDescriptors : uint32_t(soft);
}

}  // namespace sys
