// The system-call layer (docs/syscalls.md): the SYSCALL entry
// (entry.S), the typed dispatch table (dispatch.hpp) and the handlers, by
// area (process_calls.cpp, lifecycle_calls.cpp, memory_calls.cpp,
// time_calls.cpp, file_calls.cpp, ...; what they share: handler_support.hpp).
#pragma once

#include <stdint.h>

#include "kernel/syscall/dispatch.hpp"
#include "kernel/syscall/entry_constants.h"

namespace sys {

// The vector slot of a system call's arch::InterruptFrame (no IDT vector
// has it); the error-code slot holds the call's number (Linux's orig_ax).
inline constexpr uint64_t kSyscallVector = SYSCALL_VECTOR;  // entry.S pushes it

// IA32_STAR, IA32_LSTAR, IA32_FMASK and EFER.SCE on every CPU, and the
// table. After smp bring-up.
void init();
// The same MSRs on this CPU only.
void init_this_cpu();

// How many calls had no handler (ENOSYS).
uint64_t unknown_calls();

// The table's handlers, added by area.
void add_process_calls(Entry* table);
void add_memory_calls(Entry* table);
void add_time_calls(Entry* table);
void add_lifecycle_calls(Entry* table);
void add_file_calls(Entry* table);
void add_pipe_calls(Entry* table);
void add_signal_calls(Entry* table);
void add_thread_calls(Entry* table);

}  // namespace sys
