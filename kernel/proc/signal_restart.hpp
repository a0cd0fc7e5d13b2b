// Whether a system call interrupted by a signal returns EINTR or runs again
// (signal(7), "Interruption of system calls and library functions by signal
// handlers"). A call that was interrupted returns one of the kernel's own
// codes (lib::Errno::kERESTART*, never seen by programs) and the signal
// delivery decides, as Linux's arch/x86 handle_signal and
// arch_do_signal_or_restart do:
//
//   code                    a handler runs              no handler runs
//   ERESTARTSYS             restart if SA_RESTART,      restart
//                           else EINTR
//   ERESTARTNOINTR          restart                     restart
//   ERESTARTNOHAND          EINTR                       restart
//   ERESTART_RESTARTBLOCK   EINTR                       restart_syscall(2)
//
// "Restart" rewinds RIP over the 2-byte SYSCALL instruction and puts the
// call's number back in RAX, so the same call with the same arguments runs
// again when the thread returns to user mode (after the handler, if one ran).
#pragma once

#include <stdint.h>

#include "kernel/abi/linux_signal.hpp"
#include "kernel/abi/linux_syscalls.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "lib/errno.hpp"

namespace proc {

inline constexpr uint64_t kSyscallInstructionSize = 2;  // 0F 05 (Intel SDM Vol. 2B, SYSCALL)

// The restart code in a system call's return value (RAX = -errno), or kNone.
constexpr lib::Errno restart_code(uint64_t rax) {
    int64_t value = int64_t(rax);
    switch (value) {
        case -int64_t(lib::Errno::kERESTARTSYS): return lib::Errno::kERESTARTSYS;
        case -int64_t(lib::Errno::kERESTARTNOINTR): return lib::Errno::kERESTARTNOINTR;
        case -int64_t(lib::Errno::kERESTARTNOHAND): return lib::Errno::kERESTARTNOHAND;
        case -int64_t(lib::Errno::kERESTART_RESTARTBLOCK): return lib::Errno::kERESTART_RESTARTBLOCK;
        default: return lib::Errno::kNone;
    }
}

// `frame` is the user state of a thread whose system call `number` just
// returned RAX; a handler with `sa_flags` is about to run.
inline void restart_before_handler(arch::InterruptFrame& frame, uint64_t number, uint64_t sa_flags) {
    switch (restart_code(frame.rax)) {
        case lib::Errno::kERESTARTSYS:
            if (!(sa_flags & uapi::kSA_RESTART)) {
                frame.rax = uint64_t(-int64_t(lib::Errno::kEINTR));
                return;
            }
            [[fallthrough]];
        case lib::Errno::kERESTARTNOINTR:
            frame.rax = number;
            frame.rip -= kSyscallInstructionSize;
            return;
        case lib::Errno::kERESTARTNOHAND:
        case lib::Errno::kERESTART_RESTARTBLOCK: frame.rax = uint64_t(-int64_t(lib::Errno::kEINTR)); return;
        default: return;
    }
}

// The same when no handler runs (no signal, or one that was ignored or
// stopped the thread and was continued).
inline void restart_without_handler(arch::InterruptFrame& frame, uint64_t number) {
    switch (restart_code(frame.rax)) {
        case lib::Errno::kERESTARTSYS:
        case lib::Errno::kERESTARTNOINTR:
        case lib::Errno::kERESTARTNOHAND:
            frame.rax = number;
            frame.rip -= kSyscallInstructionSize;
            return;
        case lib::Errno::kERESTART_RESTARTBLOCK:
            frame.rax = uapi::kNR_restart_syscall;
            frame.rip -= kSyscallInstructionSize;
            return;
        default: return;
    }
}

}  // namespace proc
