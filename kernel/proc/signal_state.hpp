// The signal state machine of Linux (signal(7), sigaction(2),
// sigprocmask(2), sigaltstack(2), kill(2)), as pure logic over plain
// structures: no locks, no scheduler, no user memory, so GoogleTest drives
// it on the host. The process layer embeds the structures and calls these
// functions under its signal lock; docs/signals.md has the whole picture.
//
//   SignalHandlers  the dispositions (rt_sigaction), shared by CLONE_SIGHAND
//   GroupSignals    a thread group's shared pending set, stop state, exit
//   ThreadSignals   one thread's blocked mask, private pending set, sigsuspend
//                   mask and alternate stack
//
// Generating a signal (send_signal_locked) decides at once what Linux's
// prepare_signal/complete_signal decide: discarded (ignored, or merged
// with a pending standard signal), pending (and which thread should be
// interrupted to take it), or fatal for the whole group. SIGCONT continues
// a stopped group and discards pending stop signals, a stop signal discards
// a pending SIGCONT, both as they are sent. Taking a signal on the way back
// to user mode (next_delivery_locked) gives a handler to run, a stop, or
// the group's end.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_signal.hpp"
#include "kernel/proc/signal_set.hpp"
#include "lib/expected.hpp"
#include "lib/intrusive_list.hpp"

namespace proc {

// A pending signal's siginfo, queued in arrival order.
struct QueuedSignal : lib::ListNode<> {
    uapi::Siginfo info;
};
// Where queue entries come from: the kernel heap (signal_memory.cpp); host
// tests give their own. nullptr when there is no memory.
QueuedSignal* allocate_queued_signal();
void free_queued_signal(QueuedSignal* entry);

// A set of pending signals with their siginfo: a standard signal at most
// once, a real-time signal once per sending (signal(7), "Queueing and
// delivery semantics for standard signals").
class PendingSignals {
public:
    PendingSignals() = default;
    PendingSignals(const PendingSignals&) = delete;
    PendingSignals& operator=(const PendingSignals&) = delete;
    ~PendingSignals() { discard(~SignalSet(0)); }

    SignalSet set() const { return set_; }
    size_t queued() const { return queue_.size(); }

    // Adds `info.signo`. A standard signal already pending stays as it is
    // (false: nothing added). `entry` (owned from here on, may be nullptr
    // when there was no memory) records the siginfo; without it a standard
    // signal is still pending and is taken as SI_USER from nobody.
    bool add(const uapi::Siginfo& info, QueuedSignal* entry);
    // The signal to take next among `allowed`, or 0: a synchronous one
    // (a fault's) first, then the lowest number.
    int next(SignalSet allowed) const;
    // Takes one `signal` (pending) into `out`: the oldest entry of it.
    void take(int signal, uapi::Siginfo& out);
    void discard(SignalSet which);
    // Drops what is pending here and takes over everything of `other`,
    // which is left empty (a thread's exec taking the leader's place).
    void replace_with(PendingSignals& other);

private:
    SignalSet set_ = 0;
    lib::IntrusiveList<QueuedSignal> queue_;
};

// The dispositions, signal n at actions[n - 1].
struct SignalHandlers {
    uapi::KernelSigaction actions[uapi::kNSIG] = {};

    const uapi::KernelSigaction& action(int signal) const { return actions[signal - 1]; }
    // Ignored as it is sent: SIG_IGN, or SIG_DFL where the default is to
    // ignore (SIGCONT's continuing happens all the same).
    bool ignores(int signal) const;
    // Fatal as it is sent: SIG_DFL with a default of terminate or core.
    bool fatal(int signal) const;
    // rt_sigaction(2): EINVAL for a bad signal, or for a new action on
    // SIGKILL/SIGSTOP. Unknown flag bits are dropped (so a program can see
    // which the kernel knows) and SIGKILL/SIGSTOP leave sa_mask. Returns
    // whether the pending instances of `signal` must now be discarded
    // everywhere (POSIX: setting an ignoring action discards them).
    lib::Expected<bool> change(int signal, const uapi::KernelSigaction* action, uapi::KernelSigaction* old);
    // execve(2): caught signals go back to SIG_DFL, ignored ones stay
    // ignored; flags, masks and restorers are cleared.
    void reset_for_exec();
};

// sigaltstack(2)'s stack; flags is SS_DISABLE, or 0 with SS_AUTODISARM.
struct AltStack {
    uint64_t sp = 0;
    uint64_t size = 0;
    uint32_t flags = uapi::kSS_DISABLE;

    // Whether `sp` (a user RSP) lies on it (never, with SS_AUTODISARM:
    // a handler on it may then set up another).
    bool contains(uint64_t sp_now) const { return !(flags & uapi::kSS_AUTODISARM) && within(sp_now); }
    // The same by address alone: the stack grows down, so its top
    // (sp + size) belongs to it and its base does not.
    bool within(uint64_t address) const { return address > sp && address - sp <= size; }
    // What sigaltstack's old value and uc_stack report at `sp_now`.
    uapi::StackT report(uint64_t sp_now) const;
    // sigaltstack(2) with a new stack: EPERM while running on the current
    // one, EINVAL for bad flags, ENOMEM below `min_size`.
    lib::Expected<void> change(const uapi::StackT& request, uint64_t sp_now, uint64_t min_size);
    // SS_AUTODISARM: cleared once a handler frame went on it.
    void disarm() { *this = AltStack{}; }
};

struct ThreadSignals {
    SignalSet blocked = 0;
    PendingSignals pending;
    // rt_sigsuspend/ppoll/pselect6: the mask to put back once the call
    // returns (after a handler frame saved it, or at the return itself).
    SignalSet saved_blocked = 0;
    bool restore_saved = false;
    // rt_sigtimedwait: the mask before the waited-for signals were
    // unblocked for the wait (0 otherwise). A signal it blocks counts as
    // blocked when sent, so it is kept even where its action would drop it
    // (Linux's real_blocked: how init waits for SIGCHLD and SIGUSR2).
    SignalSet real_blocked = 0;
    AltStack alt_stack;
    // The thread is ending: it takes no more signals.
    bool exiting = false;
    // The process layer's thread these belong to (what a ThreadGroupView
    // walks, and whom a SendResult names).
    void* owner = nullptr;
};

struct GroupSignals {
    PendingSignals shared;
    // The group is stopped (by stop_signal) until a SIGCONT or SIGKILL.
    bool stopped = false;
    int stop_signal = 0;
    // The group is ending (a fatal signal or exit_group): signals are
    // discarded from now on.
    bool exiting = false;
    int exit_signal = 0;
    // PID 1 (Linux's SIGNAL_UNKILLABLE): signals whose action is the
    // default are ignored, SIGKILL and SIGSTOP included, unless the kernel
    // forces one (a fault), which clears this.
    bool unkillable = false;
    // Where the search for a thread to take the next process signal
    // starts (round robin, as Linux's curr_target): its position in the
    // thread list.
    size_t next_target = 0;
};

// The live threads of a thread group, its leader first: the process layer
// walks its own thread list (under its signal lock), so no array is built.
class ThreadGroupView {
public:
    virtual ThreadSignals* first() = 0;
    virtual ThreadSignals* next(ThreadSignals* after) = 0;  // nullptr after the last

protected:
    ~ThreadGroupView() = default;
};

// ---- sending
struct SendResult {
    enum class Kind : uint8_t {
        kDiscarded,  // ignored, merged with a pending instance, or the group is ending
        kPending,    // pending; `wake` (if any) should be interrupted to take it
        kKillGroup,  // fatal: the group ends with this signal now (exiting is set)
    };
    Kind kind = Kind::kDiscarded;
    ThreadSignals* wake = nullptr;
    // A SIGCONT ended a stop: the stopped threads go on and the parent
    // hears CLD_CONTINUED.
    bool continued = false;
};

// Sends `info.signo` (valid, not 0) to a thread group, or to one thread of
// it (`thread`: tkill/tgkill, a fault). `forced`: a fault's signal, taken
// even when blocked or ignored (the action is reset to SIG_DFL and the
// thread's mask lets it through, as Linux's force_sig_info does). `entry` is a queue entry the
// caller allocated (nullptr: none); it is used or freed here.
SendResult send_signal_locked(GroupSignals& group, SignalHandlers& handlers, ThreadGroupView& threads,
                              ThreadSignals* thread, const uapi::Siginfo& info, QueuedSignal* entry,
                              bool forced = false);

// Drops every pending instance of `which` from the group and its threads
// (an action changed to ignore, SIGCONT against stop signals).
void discard_everywhere(GroupSignals& group, ThreadGroupView& threads, SignalSet which);

// ---- taking
struct Delivery {
    enum class Kind : uint8_t {
        kNone,       // nothing to deliver
        kHandler,    // run `action`'s handler (SA_RESETHAND is already applied)
        kStop,       // the group stops (stopped, stop_signal are set); tell the parent
        kTerminate,  // the group ends by `signal` (`core`: as "core dumped")
    };
    Kind kind = Kind::kNone;
    int signal = 0;
    bool core = false;
    uapi::Siginfo info{};
    uapi::KernelSigaction action{};
};

// The next signal the current thread acts on at its return to user mode;
// signals whose action is to ignore are consumed on the way. A terminal
// stop signal is discarded in an orphaned process group.
Delivery next_delivery_locked(GroupSignals& group, SignalHandlers& handlers, ThreadSignals& self,
                              bool orphaned_process_group);

// Whether something is pending that `self` would take now.
bool deliverable(const GroupSignals& group, const ThreadSignals& self);

// The mask a handler frame saves (uc_sigmask): the one before rt_sigsuspend
// if that is to be put back, else the blocked mask.
SignalSet mask_to_save(const ThreadSignals& self);
// After the frame is built: the handler runs with its signal (unless
// SA_NODEFER) and sa_mask blocked on top of the current mask.
void handler_started(ThreadSignals& self, int signal, const uapi::KernelSigaction& action);
// Without a handler frame, the return from rt_sigsuspend puts the mask back.
void restore_saved_mask(ThreadSignals& self);

// rt_sigprocmask(2)'s new mask (SIGKILL and SIGSTOP never blocked); EINVAL
// for an unknown `how`.
lib::Expected<SignalSet> change_blocked(SignalSet blocked, int how, SignalSet set);
// rt_sigpending(2): the pending signals the thread blocks.
SignalSet pending_blocked(const GroupSignals& group, const ThreadSignals& self);
// rt_sigtimedwait(2): takes one signal of `wanted` (private before shared)
// into `out`; 0 when none is pending.
int take_waited_signal(GroupSignals& group, ThreadSignals& self, SignalSet wanted, uapi::Siginfo& out);

// ---- the parent's side (wait(2), SIGCHLD; sigaction(2)'s SA_NOCLDSTOP, SA_NOCLDWAIT)
enum class ChildEvent : uint8_t { kExited, kKilled, kDumped, kStopped, kContinued };
struct ParentNotice {
    int signal = 0;         // the signal to send the parent (0: none)
    bool autoreap = false;  // the child is reaped at once (no zombie)
};
// What a child's `event` means for its parent, given the parent's SIGCHLD
// action and the child's exit signal: stops and continues send SIGCHLD
// unless it is ignored or SA_NOCLDSTOP; an exit sends the exit signal, and
// with SIGCHLD ignored or SA_NOCLDWAIT the child reaps itself.
ParentNotice parent_notice(const SignalHandlers& parent_handlers, ChildEvent event, int exit_signal);

// ---- siginfo as the kernel fills it
uapi::Siginfo siginfo_sent(int signal, int code, int32_t pid, uint32_t uid);  // kill, tkill, sigqueue (value 0)
uapi::Siginfo siginfo_fault(int signal, int code, uint64_t address);
uapi::Siginfo siginfo_kernel(int signal);  // SI_KERNEL (a timer, a pipe's SIGPIPE)
uapi::Siginfo siginfo_child(ChildEvent event, int32_t pid, uint32_t uid, int status, int64_t utime_ticks,
                            int64_t stime_ticks);

// rt_sigqueueinfo(2)/rt_tgsigqueueinfo(2): a process may not pose as the
// kernel (si_code >= 0) or as tkill to anyone but itself.
bool may_queue_siginfo(const uapi::Siginfo& info, bool to_self);

}  // namespace proc
