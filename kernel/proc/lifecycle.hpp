// fork/vfork/clone (the process forms) and wait4/waitid, on the process
// table (process.hpp). Linux 6.1's kernel/fork.c and kernel/exit.c decide
// the errno order.
#pragma once

#include <stdint.h>

#include "kernel/proc/process.hpp"
#include "lib/expected.hpp"

namespace proc {

struct CloneRequest {
    uint64_t flags = 0;       // CLONE_* | the exit signal (CSIGNAL)
    uint64_t stack = 0;       // the child's RSP (0: the parent's)
    uint64_t parent_tid = 0;  // CLONE_PARENT_SETTID: the child's tid goes here, in the parent
    uint64_t child_tid = 0;   // CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID, in the child
    uint64_t tls = 0;         // CLONE_SETTLS: the child's FS base
};

// A child of the calling process, a copy of it (copy-on-write memory, the
// same registers, RAX = 0 in the child), started; returns its pid. With
// CLONE_VFORK the caller sleeps until the child has exec'd or exited.
// CLONE_VM without CLONE_THREAD gets a copy of the memory (the child of
// posix_spawn and vfork only execs or exits). Threads (CLONE_THREAD) and
// namespaces are not here yet: EINVAL.
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
