// Signals wired into processes (docs/signals.md §7): the glue between the
// pure state machine (signal_state.hpp), the frame builder
// (signal_frame.hpp), the restart rules (signal_restart.hpp) and the
// process layer. The state lives in Process (dispositions, the group's
// pending set, under Process::signal_lock) and Task (mask, private pending
// set, alternate stack).
//
// Delivery happens on every return to user mode (arch's return-to-user
// hook: after a system call, an exception or an interrupt from user mode):
// a handler gets a frame on the user stack, a fatal signal ends the
// process, an interrupted system call is restarted or returns EINTR.
#pragma once

#include <stdint.h>

#include "kernel/abi/linux_signal.hpp"
#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/proc/fault_signals.hpp"
#include "kernel/proc/process.hpp"
#include "lib/expected.hpp"

namespace proc {

// The vector slot of a system call's frame (sys::kSyscallVector: no IDT
// vector has it); its error-code slot holds the call's number (orig_ax),
// or kNoSyscall once rt_sigreturn has put back registers that must not be
// taken for a call's result (no restart).
inline constexpr uint64_t kSyscallFrameVector = 256;
inline constexpr uint64_t kNoSyscall = ~0ULL;

// A child's exit told its parent (SIGCHLD or its clone exit signal, as
// parent_notice decides), with the table lock held; true when the child
// reaps itself (the parent ignores SIGCHLD or set SA_NOCLDWAIT).
bool notify_parent_of_exit_locked(Process& child);

// Installs the return-to-user hook. From init().
void init_signals();

// A new process's signal state (from create_process): PID 1 ignores
// signals whose action is the default (Linux's SIGNAL_UNKILLABLE).
void init_process_signals(Process& process);
// fork: the child gets the parent's dispositions and the calling task's
// mask and alternate stack; nothing pending (fork(2)).
void copy_signals_for_fork(Process& child, const Process& parent, const Task& parent_task);
// execve: caught signals back to SIG_DFL, no alternate stack (execve(2));
// the mask and the pending signals stay.
void reset_signals_for_exec(Process& process);

// Drops pending instances of `which` from the group and every task
// (rt_sigaction setting an ignoring action).
void discard_pending(Process& process, SignalSet which);

// Sends `info` to a process (`thread` nullptr: whichever task does not
// block it) or to one of its tasks. The caller checked the signal number
// (1..64; 0 is only a permission check and never comes here).
void send_signal(Process& target, Task* thread, const uapi::Siginfo& info);

// kill(2) and tgkill(2)/tkill(2) (`tgid` <= 0: any process): ESRCH, EINVAL.
// `info`: rt_sigqueueinfo's siginfo instead of SI_USER/SI_TKILL from the caller.
lib::Expected<void> kill(int32_t pid, int signal, const uapi::Siginfo* info = nullptr);
lib::Expected<void> kill_thread(int32_t tgid, int32_t tid, int signal, const uapi::Siginfo* info = nullptr);

// A signal from the kernel (SI_KERNEL) to process `pid` (init's SIGINT for
// Ctrl+Alt+Delete) / to every live process of group `pgid` (a terminal's
// ^C, SIGHUP at a hangup). Thread context.
void signal_from_kernel(int32_t pid, int signal);
void signal_process_group(int32_t pgid, int signal);

// Whether the calling task blocks `signal` or its process sets it to
// SIG_IGN (Linux's is_ignored, for the terminal's background checks).
bool current_ignores_or_blocks(int signal);

// A user-mode exception the address space could not resolve: the fault's
// signal to the task that raised it, taken even when blocked or ignored
// (the action is reset to the default then), delivered on the way out.
void raise_fault_signal(Task& task, const arch::InterruptFrame& frame, const FaultSignal& fault);

// Whether `task` has a signal it would act on now (an interruptible sleep
// ends with EINTR or a restart code then).
bool signal_pending(Task& task);

// Sleeps until signal_pending(task) (rt_sigsuspend, pause), or until
// ktime::now_ns() reaches `deadline_ns` (0: none; false then).
bool wait_for_signal(Task& task, uint64_t deadline_ns = 0);

// An interruptible sleep of the current task until `deadline_ns`: true
// when the deadline passed, false when a signal it would act on came.
bool sleep_unless_signalled(Task& task, uint64_t deadline_ns);

// ITIMER_REAL of the calling process: setitimer(2) (the old value
// returned), getitimer(2), alarm(2). EINVAL for a bad timeval.
lib::Expected<uapi::Itimerval> set_real_timer(const uapi::Itimerval& value);
uapi::Itimerval get_real_timer();
unsigned set_alarm(unsigned seconds);
// The process ends: its timer stops.
void stop_real_timer(Process& process);

// rt_sigreturn(2) for the current task: restores the registers (RAX
// included, returned for the dispatcher to keep) and mask from the frame
// at RSP - 8; a forged or unreadable frame raises SIGSEGV.
int64_t sigreturn(Task& task);

// The return_work note's values: signal work (any other non-zero value
// is looked at as that too), or only kReturnWorkRegisters.
inline constexpr uint32_t kReturnWorkSignals = 1;
inline constexpr uint32_t kReturnWorkRegisters = 2;
// `task` looks at its signals at its next return to user mode (its
// return_work note; signal_lock held by whoever changed what it looks at).
inline void note_return_work(Task& task) {
    __atomic_store_n(&task.return_work, kReturnWorkSignals, __ATOMIC_RELEASE);
}
// The current task, in a system call, had its user registers rewritten
// (exec, rt_sigreturn): the note makes the call's exit leave through its
// work path and then the checked exit, which re-validates RIP, RFLAGS and
// the selectors before SYSRET and reloads every register (the fast exit
// trusts the frame SYSCALL left: kernel/syscall/entry.S, docs/syscalls.md
// "Entry and exit"). Whatever else writes the current task's user_frame()
// during a call must call it too. A bit of its own (an OR, so a sender's
// note is never lost), so that the exit can tell it from signal work and
// skip deliver_signals when it is alone (kernel/syscall/entry.cpp).
inline void note_registers_rewritten(Task& task) {
    __atomic_fetch_or(&task.return_work, kReturnWorkRegisters, __ATOMIC_RELAXED);
}
// A signal-related event for `task`: its interruptible sleep ends (sticky
// until its next return to user mode clears it) and it notes return work.
// A task running user code on another CPU takes it at its next entry into
// the kernel (a tick at the latest): no IPI yet.
void interrupt_for_signals(Task& task);

// The return-to-user work on `frame` (the current task's user registers):
// interrupts off on entry and exit. return_work_needed() decides the common
// case inline: no work noted and no restart code in RAX (-516..-512, the
// ERESTART* codes; a user RAX that merely holds one of those values only
// costs the full look of deliver_signals, which checks the frame is a
// call's).
void deliver_signals(arch::InterruptFrame& frame);
inline bool return_work_needed(const Task& task, const arch::InterruptFrame& frame) {
    return __atomic_load_n(&task.return_work, __ATOMIC_RELAXED) != 0 || frame.rax + 516 <= 4;
}
inline void return_to_user(arch::InterruptFrame& frame) {
    Task* task = current_task();
    if (task && return_work_needed(*task, frame)) deliver_signals(frame);
}

}  // namespace proc
