// fork/vfork/clone (the process forms) and wait4/waitid, on the process
// table (process.hpp). Linux 6.1's kernel/fork.c and kernel/exit.c decide
// the errno order.
#pragma once

#include <stdint.h>

#include "kernel/proc/clone_args.hpp"
#include "kernel/proc/process.hpp"
#include "lib/expected.hpp"

namespace proc {

// A child of the calling process, a copy of it (copy-on-write memory, the
// same registers, RAX = 0 in the child), started; returns its pid. With
// CLONE_VFORK the caller sleeps until the child has exec'd or exited.
// CLONE_VM without CLONE_THREAD: the child is a process of its own (pid,
// descriptors, signals) that uses the caller's address space itself, not
// a copy, until it execs or exits (vfork, posix_spawn). CLONE_THREAD makes a task of
// the caller's process instead (docs/signals.md §7). `set_tid`: that pid
// or EEXIST. CLONE_CLEAR_SIGHAND: the child's caught signals back to
// SIG_DFL. Namespaces, pidfds: EINVAL; CLONE_INTO_CGROUP: EBADF (no
// descriptor names a cgroup: there is no cgroup filesystem).
lib::Expected<int32_t> clone_current(const CloneRequest& request);

// Which children a wait takes.
enum class WaitTarget : uint8_t { kAny, kPid, kGroup };

struct WaitResult {
    int32_t pid = 0;  // 0: WNOHANG and nothing to report
    int status = 0;   // the wait status (exit code << 8, or the signal)
    uint32_t uid = 0;
    uint64_t cpu_ns = 0;
    // What the status reports (waitid's si_code): an exit or a kill (the
    // child is reaped unless WNOWAIT), a stop (WUNTRACED), a continue
    // (WCONTINUED).
    enum class Kind : uint8_t { kExit, kStopped, kContinued } kind = Kind::kExit;
};

// wait4's and waitid's common part: a zombie child that matches (`options`
// as the call's, already checked: WEXITED), reaped unless WNOWAIT, or a
// stop (WUNTRACED) or continue (WCONTINUED) to report. ECHILD when no
// child matches at all; ERESTARTSYS when a signal interrupts the wait.
lib::Expected<WaitResult> wait_child(WaitTarget target, int32_t id, uint32_t options);

}  // namespace proc
