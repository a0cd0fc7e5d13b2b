// Starting programs: exec's parameters from a process (its limits,
// credentials, personality), and a new process running a program from a
// Limine module (PID 1 before the VFS).
#pragma once

#include "kernel/proc/exec.hpp"
#include "kernel/proc/process.hpp"

namespace proc {

// Linux's personality flag that turns ASLR off (ADDR_NO_RANDOMIZE).
inline constexpr uint32_t kAddrNoRandomize = 0x0040000;

// The exec parameters for `process` running `filename` with `argv`/`envp`
// (kernel copies), interpreters opened through `files`.
ExecParameters exec_parameters(const Process& process, lib::StringView filename, lib::Span<const lib::StringView> argv,
                               lib::Span<const lib::StringView> envp, ExecFiles& files);

// Replaces the program of `process` by `program`: on success the old
// address space is gone, the process's other tasks have ended (de_thread,
// when the caller is one of its tasks) and its main task - the caller -
// starts at the new entry; on failure nothing changed, unless
// failure->fatal (or de_thread's EAGAIN: the group is ending).
lib::Expected<void> exec_program(Process& process, ExecFile& program, const ExecParameters& parameters,
                                 ExecFailure* failure);

// The files programs are opened from (execve's path): the Limine modules
// by path until the VFS provides its own.
ExecFiles& program_files();

// A new process (child of `parent`, or none) running the program at
// `path` (the VFS's, or a Limine module's), not started yet (start_task).
lib::Expected<Process*> spawn_module(lib::StringView path, lib::Span<const lib::StringView> argv,
                                     lib::Span<const lib::StringView> envp, Process* parent);

}  // namespace proc
