// The signal state machine (signal_state.hpp). Each rule cites the man page
// that promises it; where Linux's behaviour is finer than the man pages,
// the comment says what Linux does.
#include "kernel/proc/signal_state.hpp"

namespace proc {
namespace {

lib::Error error(lib::Errno number, const char* message) {
    return lib::Error::make(number, message);
}

// The sa_flags Linux keeps (its UAPI_SA_FLAGS on x86_64); others are dropped
// so a program can probe for what the kernel knows (sigaction(2), "Dynamically
// probing for flag bit support").
constexpr uint64_t kKnownActionFlags = uapi::kSA_NOCLDSTOP | uapi::kSA_NOCLDWAIT | uapi::kSA_SIGINFO |
                                       uapi::kSA_ONSTACK | uapi::kSA_RESTART | uapi::kSA_NODEFER | uapi::kSA_RESETHAND |
                                       uapi::kSA_EXPOSE_TAGBITS | uapi::kSA_RESTORER;

uapi::Siginfo blank_siginfo(int signal, int code) {
    uapi::Siginfo info{};
    info.signo = signal;
    info.code = code;
    return info;
}

// Whether `self` would take `signal` now (Linux's wants_signal, less its
// preference for a thread that is running).
bool wants(const ThreadSignals& self, int signal) {
    return !self.exiting && (signal == uapi::kSIGKILL || !signal_in(self.blocked, signal));
}

}  // namespace

// ---- PendingSignals

bool PendingSignals::add(const uapi::Siginfo& info, QueuedSignal* entry) {
    int signal = info.signo;
    if (!signal_realtime(signal) && signal_in(set_, signal)) {
        if (entry) free_queued_signal(entry);
        return false;
    }
    set_ |= signal_bit(signal);
    if (entry) {
        entry->info = info;
        queue_.push_back(*entry);
    }
    return true;
}

int PendingSignals::next(SignalSet allowed) const {
    SignalSet ready = set_ & allowed;
    if (ready == 0) return 0;
    if (ready & kSynchronousSignals) return lowest_signal(ready & kSynchronousSignals);
    return lowest_signal(ready);
}

void PendingSignals::take(int signal, uapi::Siginfo& out) {
    QueuedSignal* found = nullptr;
    bool another = false;
    for (QueuedSignal& entry : queue_) {
        if (entry.info.signo != signal) continue;
        if (!found) {
            found = &entry;
        } else {
            another = true;
            break;
        }
    }
    // A real-time signal stays pending while more of it are queued.
    if (!another) set_ &= ~signal_bit(signal);
    if (!found) {
        // Sent when there was no memory for its siginfo: Linux reports it
        // as SI_USER from pid 0.
        out = blank_siginfo(signal, uapi::kSI_USER);
        return;
    }
    out = found->info;
    queue_.remove(*found);
    free_queued_signal(found);
}

void PendingSignals::discard(SignalSet which) {
    set_ &= ~which;
    for (QueuedSignal* entry = queue_.front(); entry;) {
        QueuedSignal* next = queue_.next(*entry);
        if (signal_in(which, entry->info.signo)) {
            queue_.remove(*entry);
            free_queued_signal(entry);
        }
        entry = next;
    }
}

void PendingSignals::replace_with(PendingSignals& other) {
    discard(~SignalSet(0));
    set_ = other.set_;
    other.set_ = 0;
    while (QueuedSignal* entry = other.queue_.pop_front()) queue_.push_back(*entry);
}

// ---- SignalHandlers

bool SignalHandlers::ignores(int signal) const {
    uint64_t handler = action(signal).handler;
    if (handler == uapi::kSIG_IGN) return true;
    if (handler != uapi::kSIG_DFL) return false;
    DefaultAction fallback = default_action(signal);
    return fallback == DefaultAction::kIgnore || fallback == DefaultAction::kContinue;
}

bool SignalHandlers::fatal(int signal) const {
    if (action(signal).handler != uapi::kSIG_DFL) return false;
    DefaultAction fallback = default_action(signal);
    return fallback == DefaultAction::kTerminate || fallback == DefaultAction::kCore;
}

lib::Expected<bool> SignalHandlers::change(int signal, const uapi::KernelSigaction* new_action,
                                           uapi::KernelSigaction* old) {
    if (!signal_valid(signal)) return error(lib::Errno::kEINVAL, "sigaction: no such signal");
    if (new_action && signal_in(kUnblockableSignals, signal))
        return error(lib::Errno::kEINVAL, "sigaction: SIGKILL and SIGSTOP cannot be caught or ignored");
    uapi::KernelSigaction& slot = actions[signal - 1];
    if (old) *old = slot;
    if (!new_action) return false;
    slot = *new_action;
    slot.flags &= kKnownActionFlags;
    slot.mask &= ~kUnblockableSignals;
    return ignores(signal);
}

void SignalHandlers::reset_for_exec() {
    for (uapi::KernelSigaction& slot : actions) {
        uint64_t handler = slot.handler == uapi::kSIG_IGN ? uapi::kSIG_IGN : uapi::kSIG_DFL;
        slot = uapi::KernelSigaction{handler, 0, 0, 0};
    }
}

// ---- AltStack (sigaltstack(2))

uapi::StackT AltStack::report(uint64_t sp_now) const {
    uapi::StackT out{};
    out.sp = sp;
    out.size = size;
    int mode = size == 0 ? uapi::kSS_DISABLE : (contains(sp_now) ? uapi::kSS_ONSTACK : 0);
    out.flags = int32_t(uint32_t(mode) | (flags & uapi::kSS_FLAG_BITS));
    return out;
}

lib::Expected<void> AltStack::change(const uapi::StackT& request, uint64_t sp_now, uint64_t min_size) {
    if (contains(sp_now)) return error(lib::Errno::kEPERM, "sigaltstack: running on the alternate stack");
    uint32_t requested = uint32_t(request.flags);
    uint32_t mode = requested & ~uapi::kSS_FLAG_BITS;
    if (mode != uapi::kSS_DISABLE && mode != uapi::kSS_ONSTACK && mode != 0)
        return error(lib::Errno::kEINVAL, "sigaltstack: bad flags");
    if (mode == uapi::kSS_DISABLE) {
        *this = AltStack{0, 0, requested};
        return {};
    }
    if (request.size < min_size) return error(lib::Errno::kENOMEM, "sigaltstack: smaller than MINSIGSTKSZ");
    // SS_ONSTACK asks for nothing more than 0 does (sigaltstack(2), NOTES).
    *this = AltStack{request.sp, request.size, requested};
    return {};
}

// ---- sending

void discard_everywhere(GroupSignals& group, ThreadGroupView& threads, SignalSet which) {
    group.shared.discard(which);
    for (ThreadSignals* thread = threads.first(); thread; thread = threads.next(thread)) thread->pending.discard(which);
}

SendResult send_signal_locked(GroupSignals& group, SignalHandlers& handlers, ThreadGroupView& threads,
                              ThreadSignals* thread, const uapi::Siginfo& info, QueuedSignal* entry, bool forced) {
    SendResult result;
    int signal = info.signo;
    if (forced && thread) {
        uapi::KernelSigaction& action = handlers.actions[signal - 1];
        if (signal_in(thread->blocked, signal) || action.handler == uapi::kSIG_IGN) {
            action.handler = uapi::kSIG_DFL;
            thread->blocked &= ~signal_bit(signal);
        }
        if (action.handler == uapi::kSIG_DFL) group.unkillable = false;
    }
    if (group.exiting) {
        if (entry) free_queued_signal(entry);
        return result;
    }
    // signal(7): a stop signal discards a pending SIGCONT and SIGCONT
    // discards pending stop signals, as they are sent; SIGCONT continues a
    // stopped group even when blocked or ignored.
    if (signal_in(kStopSignals, signal)) {
        discard_everywhere(group, threads, signal_bit(uapi::kSIGCONT));
    } else if (signal == uapi::kSIGCONT) {
        discard_everywhere(group, threads, kStopSignals);
        if (group.stopped) {
            group.stopped = false;
            group.stop_signal = 0;
            result.continued = true;
        }
    }
    // Blocked signals are never ignored at this point: the action may
    // change before they are unblocked (Linux's sig_ignored).
    ThreadSignals* leader = threads.first();
    ThreadSignals* judge = thread ? thread : leader;
    bool blocked = judge && signal_in(judge->blocked | judge->real_blocked, signal);
    bool protected_init = group.unkillable && handlers.action(signal).handler == uapi::kSIG_DFL;
    if (!blocked && (handlers.ignores(signal) || protected_init)) {
        if (entry) free_queued_signal(entry);
        return result;
    }
    PendingSignals& pending = thread ? thread->pending : group.shared;
    if (!pending.add(info, entry)) return result;

    // Who takes it: the named thread, else the leader if it can, else the
    // next thread (round robin) that does not block it.
    ThreadSignals* taker = nullptr;
    if (thread) {
        if (wants(*thread, signal)) taker = thread;
    } else if (leader && wants(*leader, signal)) {
        taker = leader;
    } else if (leader) {
        // From the remembered position to the end, then from the start.
        for (int pass = 0; pass < 2 && !taker; ++pass) {
            size_t index = 0;
            for (ThreadSignals* candidate = leader; candidate; candidate = threads.next(candidate), ++index) {
                bool in_range = pass == 0 ? index >= group.next_target : index < group.next_target;
                if (in_range && wants(*candidate, signal)) {
                    taker = candidate;
                    group.next_target = index + 1;
                    break;
                }
            }
        }
    }
    result.kind = SendResult::Kind::kPending;
    result.wake = taker;
    // A fatal signal somebody will take ends the whole group at once
    // (Linux's complete_signal), except those that "dump core": they are
    // taken like any other, by the thread that gets them.
    // Not for init, nor for a signal the taker waits for in rt_sigtimedwait
    // (its real mask blocks it: the wait takes it instead).
    if (taker && handlers.fatal(signal) && !group.unkillable && !signal_in(taker->real_blocked, signal) &&
        (signal == uapi::kSIGKILL || default_action(signal) != DefaultAction::kCore)) {
        group.exiting = true;
        group.exit_signal = signal;
        group.stopped = false;
        discard_everywhere(group, threads, ~SignalSet(0));
        result.kind = SendResult::Kind::kKillGroup;
        result.wake = nullptr;
    }
    return result;
}

// ---- taking

Delivery next_delivery_locked(GroupSignals& group, SignalHandlers& handlers, ThreadSignals& self,
                              bool orphaned_process_group) {
    Delivery delivery;
    while (!group.exiting && !self.exiting) {
        SignalSet allowed = ~self.blocked;
        int signal = self.pending.next(allowed);
        PendingSignals* from = &self.pending;
        if (signal == 0) {
            signal = group.shared.next(allowed);
            from = &group.shared;
        }
        if (signal == 0) break;
        uapi::Siginfo info;
        from->take(signal, info);
        uapi::KernelSigaction& action = handlers.actions[signal - 1];
        if (action.handler == uapi::kSIG_IGN) continue;
        if (action.handler != uapi::kSIG_DFL) {
            delivery.kind = Delivery::Kind::kHandler;
            delivery.signal = signal;
            delivery.info = info;
            delivery.action = action;
            if (action.flags & uapi::kSA_RESETHAND) action.handler = uapi::kSIG_DFL;
            return delivery;
        }
        // Init takes no default action but the kernel's (a blocked signal
        // waited here for a handler or sigtimedwait; Linux's get_signal).
        if (group.unkillable && signal != uapi::kSIGKILL && signal != uapi::kSIGSTOP) continue;
        switch (default_action(signal)) {
            case DefaultAction::kIgnore:
            case DefaultAction::kContinue: continue;
            case DefaultAction::kStop:
                if (orphaned_process_group && signal_in(kTtyStopSignals, signal)) continue;
                group.stopped = true;
                group.stop_signal = signal;
                delivery.kind = Delivery::Kind::kStop;
                delivery.signal = signal;
                delivery.info = info;
                return delivery;
            case DefaultAction::kTerminate:
            case DefaultAction::kCore:
                group.exiting = true;
                group.exit_signal = signal;
                delivery.kind = Delivery::Kind::kTerminate;
                delivery.signal = signal;
                delivery.core = default_action(signal) == DefaultAction::kCore;
                delivery.info = info;
                return delivery;
        }
    }
    return delivery;
}

bool deliverable(const GroupSignals& group, const ThreadSignals& self) {
    if (self.exiting) return false;
    return ((self.pending.set() | group.shared.set()) & ~self.blocked) != 0;
}

SignalSet mask_to_save(const ThreadSignals& self) {
    return self.restore_saved ? self.saved_blocked : self.blocked;
}

void handler_started(ThreadSignals& self, int signal, const uapi::KernelSigaction& action) {
    self.restore_saved = false;
    SignalSet add = action.mask;
    if (!(action.flags & uapi::kSA_NODEFER)) add |= signal_bit(signal);
    self.blocked = (self.blocked | add) & ~kUnblockableSignals;
}

void restore_saved_mask(ThreadSignals& self) {
    if (!self.restore_saved) return;
    self.restore_saved = false;
    self.blocked = self.saved_blocked & ~kUnblockableSignals;
}

lib::Expected<SignalSet> change_blocked(SignalSet blocked, int how, SignalSet set) {
    switch (how) {
        case uapi::kSIG_BLOCK: blocked |= set; break;
        case uapi::kSIG_UNBLOCK: blocked &= ~set; break;
        case uapi::kSIG_SETMASK: blocked = set; break;
        default: return error(lib::Errno::kEINVAL, "sigprocmask: bad how");
    }
    return blocked & ~kUnblockableSignals;
}

SignalSet pending_blocked(const GroupSignals& group, const ThreadSignals& self) {
    return (self.pending.set() | group.shared.set()) & self.blocked;
}

int take_waited_signal(GroupSignals& group, ThreadSignals& self, SignalSet wanted, uapi::Siginfo& out) {
    wanted &= ~kUnblockableSignals;
    int signal = self.pending.next(wanted);
    if (signal) {
        self.pending.take(signal, out);
        return signal;
    }
    signal = group.shared.next(wanted);
    if (signal) group.shared.take(signal, out);
    return signal;
}

// ---- the parent's side

ParentNotice parent_notice(const SignalHandlers& parent_handlers, ChildEvent event, int exit_signal) {
    const uapi::KernelSigaction& sigchld = parent_handlers.action(uapi::kSIGCHLD);
    bool ignored = sigchld.handler == uapi::kSIG_IGN;
    ParentNotice notice;
    if (event == ChildEvent::kStopped || event == ChildEvent::kContinued) {
        if (!ignored && !(sigchld.flags & uapi::kSA_NOCLDSTOP)) notice.signal = uapi::kSIGCHLD;
        return notice;
    }
    notice.signal = exit_signal;
    if (exit_signal == uapi::kSIGCHLD && (ignored || (sigchld.flags & uapi::kSA_NOCLDWAIT))) {
        notice.autoreap = true;
        if (ignored) notice.signal = 0;
    }
    return notice;
}

// ---- siginfo

uapi::Siginfo siginfo_sent(int signal, int code, int32_t pid, uint32_t uid) {
    uapi::Siginfo info = blank_siginfo(signal, code);
    info.sender.pid = pid;
    info.sender.uid = uid;
    return info;
}

uapi::Siginfo siginfo_fault(int signal, int code, uint64_t address) {
    uapi::Siginfo info = blank_siginfo(signal, code);
    info.fault.addr = address;
    return info;
}

uapi::Siginfo siginfo_kernel(int signal) {
    return blank_siginfo(signal, uapi::kSI_KERNEL);
}

uapi::Siginfo siginfo_child(ChildEvent event, int32_t pid, uint32_t uid, int status, int64_t utime_ticks,
                            int64_t stime_ticks) {
    static constexpr int kCodes[] = {uapi::kCLD_EXITED, uapi::kCLD_KILLED, uapi::kCLD_DUMPED, uapi::kCLD_STOPPED,
                                     uapi::kCLD_CONTINUED};
    uapi::Siginfo info = blank_siginfo(uapi::kSIGCHLD, kCodes[int(event)]);
    info.child.pid = pid;
    info.child.uid = uid;
    info.child.status = status;
    info.child.utime = utime_ticks;
    info.child.stime = stime_ticks;
    return info;
}

bool may_queue_siginfo(const uapi::Siginfo& info, bool to_self) {
    return to_self || (info.code < 0 && info.code != uapi::kSI_TKILL);
}

}  // namespace proc
