// What clone(2) and clone3(2) ask for (CloneRequest), and clone3's struct
// clone_args checked in Linux 6.1's order (kernel/fork.c:
// copy_clone_args_from_user, clone3_args_valid, kernel_clone's CLONE_PIDFD
// rule, alloc_pid's set_tid rules) - pure logic, host-tested
// (clone_args_test.cpp); docs/proc.md has the whole call.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_proc.hpp"
#include "lib/expected.hpp"

namespace proc {

struct CloneRequest {
    uint64_t flags = 0;       // CLONE_* | the exit signal (CSIGNAL)
    uint64_t stack = 0;       // the child's RSP (0: the parent's)
    uint64_t parent_tid = 0;  // CLONE_PARENT_SETTID: the child's tid goes here, in the parent
    uint64_t child_tid = 0;   // CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID, in the child
    uint64_t tls = 0;         // CLONE_SETTLS: the child's FS base
    int32_t set_tid = 0;      // clone3's set_tid: the pid the child must get (0: the next free one)
};

// MAX_PID_NS_LEVEL: set_tid_size's bound.
inline constexpr uint64_t kMaxPidNamespaceLevel = 32;

// Before anything is read: E2BIG above a page (a struct that large would
// be all zero past what the kernel knows), EINVAL below
// CLONE_ARGS_SIZE_VER0.
lib::Expected<void> check_clone_args_size(uint64_t size);

// The struct as read (its first `size` bytes; what the caller's version
// lacks is zero, what lies past the kernel's version was checked zero):
// set_tid and set_tid_size agree and stay within kMaxPidNamespaceLevel,
// exit_signal is a signal, a CLONE_INTO_CGROUP descriptor fits an int and
// came in a VER2 struct. EINVAL otherwise.
lib::Expected<void> check_clone_args(const uapi::CloneArgs& args, uint64_t size);

// The rest of the checks, once set_tid's `set_tid_size` entries were read
// into `set_tid` (EINVAL: flags clone3 does not know or refuses - the
// CSIGNAL bits, CLONE_DETACHED, CLONE_SIGHAND with CLONE_CLEAR_SIGHAND -,
// an exit signal with CLONE_THREAD or CLONE_PARENT, a stack without a size
// or the other way round or outside user space, CLONE_PIDFD with
// CLONE_PARENT_SETTID at the same address, more set_tid levels than the
// one pid namespace there is, a pid outside [1, pid_max); EPERM for
// set_tid without privilege), and the request: the exit signal in the
// CSIGNAL byte, the stack pointer at the top of the stack.
lib::Expected<CloneRequest> clone3_request(const uapi::CloneArgs& args, const int32_t* set_tid, bool privileged,
                                           int32_t pid_max);

}  // namespace proc
