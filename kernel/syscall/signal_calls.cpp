// Signal calls (docs/signals.md, docs/syscalls.md): dispositions, masks,
// pending sets, sending, the alternate stack and rt_sigreturn, on the
// process layer's signal state (kernel/proc/signals.hpp). The errno order
// of each is Linux 6.1's kernel/signal.c.
#include "kernel/abi/linux_signal.hpp"
#include "kernel/abi/linux_syscalls.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/proc/signals.hpp"
#include "kernel/syscall/handler_support.hpp"
#include "kernel/syscall/syscall.hpp"
#include "kernel/syscall/user_memory.hpp"
#include "kernel/time/time.hpp"

namespace sys {
namespace {

static_assert(proc::kSyscallFrameVector == kSyscallVector);

lib::Expected<int64_t> sys_rt_sigaction(int signal, UserPtr<uapi::KernelSigaction> action,
                                        UserPtr<uapi::KernelSigaction> old_action, size_t sigset_size) {
    if (sigset_size != uapi::kSigsetSize) return error(Errno::kEINVAL, "rt_sigaction: sigset size");
    uapi::KernelSigaction requested{};
    if (!action.is_null()) requested = TRY(copy_in(action));
    uapi::KernelSigaction old{};
    proc::Process& self = process();
    bool discard;
    {
        ksync::Guard guard(self.signal_lock);
        discard = TRY(self.signal_handlers.change(signal, action.is_null() ? nullptr : &requested, &old));
    }
    // Setting an ignoring action discards what is pending of it (POSIX),
    // in the group and in every task.
    if (discard) proc::discard_pending(self, proc::signal_bit(signal));
    if (!old_action.is_null()) TRY(copy_out(old_action, old));
    return 0;
}

lib::Expected<int64_t> sys_rt_sigprocmask(int how, UserPtr<uapi::Sigset> set, UserPtr<uapi::Sigset> old_set,
                                          size_t sigset_size) {
    if (sigset_size != uapi::kSigsetSize) return error(Errno::kEINVAL, "rt_sigprocmask: sigset size");
    proc::Task& self = task();
    uapi::Sigset old;
    {
        ksync::Guard guard(process().signal_lock);
        old = self.signals.blocked;
    }
    if (!set.is_null()) {
        uapi::Sigset requested = TRY(copy_in(set));
        ksync::Guard guard(process().signal_lock);
        self.signals.blocked = TRY(proc::change_blocked(self.signals.blocked, how, requested));
    }
    if (!old_set.is_null()) TRY(copy_out(old_set, old));
    return 0;
}

lib::Expected<int64_t> sys_rt_sigpending(UserPtr<uint8_t> set, size_t sigset_size) {
    // Linux takes any size up to its sigset's and copies that much.
    if (sigset_size > uapi::kSigsetSize) return error(Errno::kEINVAL, "rt_sigpending: sigset size");
    uapi::Sigset pending;
    {
        ksync::Guard guard(process().signal_lock);
        pending = proc::pending_blocked(process().group_signals, task().signals);
    }
    TRY(copy_out_bytes(set.address(), &pending, sigset_size));
    return 0;
}

lib::Expected<int64_t> sys_kill(int pid, int signal) {
    TRY(proc::kill(pid, signal));
    return 0;
}

lib::Expected<int64_t> sys_tkill(int tid, int signal) {
    if (tid <= 0) return error(Errno::kEINVAL, "tkill: tid");
    TRY(proc::kill_thread(0, tid, signal));
    return 0;
}

lib::Expected<int64_t> sys_tgkill(int tgid, int tid, int signal) {
    if (tid <= 0 || tgid <= 0) return error(Errno::kEINVAL, "tgkill: ids");
    TRY(proc::kill_thread(tgid, tid, signal));
    return 0;
}

lib::Expected<int64_t> sys_sigaltstack(UserPtr<uapi::StackT> stack, UserPtr<uapi::StackT> old_stack) {
    uapi::StackT requested{};
    if (!stack.is_null()) requested = TRY(copy_in(stack));
    proc::Task& self = task();
    uint64_t sp = proc::user_frame(self)->rsp;
    uapi::StackT old;
    {
        ksync::Guard guard(process().signal_lock);
        old = self.signals.alt_stack.report(sp);
        if (!stack.is_null()) TRY(self.signals.alt_stack.change(requested, sp, uapi::kMINSIGSTKSZ));
    }
    if (!old_stack.is_null()) TRY(copy_out(old_stack, old));
    return 0;
}

// rt_sigsuspend(2): waits with `mask` until a signal is acted on; the
// old mask comes back after its handler (ERESTARTNOHAND: EINTR once a
// handler ran, docs/signals.md §4).
lib::Expected<int64_t> sys_rt_sigsuspend(UserPtr<uapi::Sigset> mask, size_t sigset_size) {
    if (sigset_size != uapi::kSigsetSize) return error(Errno::kEINVAL, "rt_sigsuspend: sigset size");
    uapi::Sigset requested = TRY(copy_in(mask));
    proc::Task& self = task();
    {
        ksync::Guard guard(process().signal_lock);
        self.signals.saved_blocked = self.signals.blocked;
        self.signals.restore_saved = true;
        self.signals.blocked = requested & ~proc::kUnblockableSignals;
    }
    proc::wait_for_signal(self);
    return error(Errno::kERESTARTNOHAND, "rt_sigsuspend: a signal");
}

lib::Expected<int64_t> sys_pause() {
    proc::wait_for_signal(task());
    return error(Errno::kERESTARTNOHAND, "pause: a signal");
}

// rt_sigqueueinfo(2): the caller's siginfo, as long as it does not pose as
// the kernel or tkill towards another process (EPERM, checked first).
lib::Expected<int64_t> sys_rt_sigqueueinfo(int pid, int signal, UserPtr<uapi::Siginfo> uinfo) {
    uapi::Siginfo info = TRY(copy_in(uinfo));
    if (!proc::may_queue_siginfo(info, pid == process().pid))
        return error(Errno::kEPERM, "rt_sigqueueinfo: posing as the kernel");
    info.signo = signal;
    TRY(proc::kill(pid, signal, &info));
    return 0;
}

lib::Expected<int64_t> sys_rt_tgsigqueueinfo(int tgid, int tid, int signal, UserPtr<uapi::Siginfo> uinfo) {
    if (tid <= 0 || tgid <= 0) return error(Errno::kEINVAL, "rt_tgsigqueueinfo: ids");
    uapi::Siginfo info = TRY(copy_in(uinfo));
    if (!proc::may_queue_siginfo(info, tgid == process().pid))
        return error(Errno::kEPERM, "rt_tgsigqueueinfo: posing as the kernel");
    info.signo = signal;
    TRY(proc::kill_thread(tgid, tid, signal, &info));
    return 0;
}

// rt_sigtimedwait(2): takes a pending signal of `set` without running its
// handler; while waiting those signals are unblocked (Linux's real_blocked
// dance) so that sending one ends the wait. EAGAIN at the timeout, EINTR
// when another signal came.
lib::Expected<int64_t> sys_rt_sigtimedwait(UserPtr<uapi::Sigset> set, UserPtr<uapi::Siginfo> uinfo,
                                           UserPtr<uapi::Timespec> timeout, size_t sigset_size) {
    if (sigset_size != uapi::kSigsetSize) return error(Errno::kEINVAL, "rt_sigtimedwait: sigset size");
    uapi::Sigset wanted = TRY(copy_in(set)) & ~proc::kUnblockableSignals;
    uint64_t deadline = 0;
    bool poll = false;
    if (!timeout.is_null()) {
        uapi::Timespec t = TRY(copy_in(timeout));
        if (!uapi::timespec_valid(t)) return error(Errno::kEINVAL, "rt_sigtimedwait: timeout");
        uint64_t ns = uint64_t(t.tv_sec) * 1000000000ULL + uint64_t(t.tv_nsec);
        poll = ns == 0;
        deadline = ktime::now_ns() + ns;
    }
    proc::Task& self = task();
    proc::Process& group = process();
    uapi::Siginfo info{};
    int taken;
    {
        ksync::Guard guard(group.signal_lock);
        taken = proc::take_waited_signal(group.group_signals, self.signals, wanted, info);
        if (!taken && !poll) {
            self.signals.real_blocked = self.signals.blocked;
            self.signals.blocked &= ~wanted;
        }
    }
    if (!taken && !poll) {
        proc::wait_for_signal(self, deadline);
        ksync::Guard guard(group.signal_lock);
        self.signals.blocked = self.signals.real_blocked;
        self.signals.real_blocked = 0;
        taken = proc::take_waited_signal(group.group_signals, self.signals, wanted, info);
    }
    if (!taken) {
        if (poll || (deadline != 0 && ktime::now_ns() >= deadline))
            return error(Errno::kEAGAIN, "rt_sigtimedwait: timed out");
        return error(Errno::kEINTR, "rt_sigtimedwait: another signal");
    }
    if (!uinfo.is_null()) TRY(copy_out(uinfo, info));
    return taken;
}

// setitimer(2), getitimer(2), alarm(2): ITIMER_REAL only (the CPU-time
// timers are not here yet: EINVAL).
lib::Expected<int64_t> sys_setitimer(int which, UserPtr<uapi::Itimerval> value, UserPtr<uapi::Itimerval> old_value) {
    uapi::Itimerval requested{};
    if (!value.is_null()) requested = TRY(copy_in(value));
    if (which != uapi::kITIMER_REAL) return error(Errno::kEINVAL, "setitimer: only ITIMER_REAL");
    uapi::Itimerval old = TRY(proc::set_real_timer(requested));
    if (!old_value.is_null()) TRY(copy_out(old_value, old));
    return 0;
}

lib::Expected<int64_t> sys_getitimer(int which, UserPtr<uapi::Itimerval> value) {
    if (which != uapi::kITIMER_REAL) return error(Errno::kEINVAL, "getitimer: only ITIMER_REAL");
    TRY(copy_out(value, proc::get_real_timer()));
    return 0;
}

int64_t sys_alarm(unsigned seconds) {
    return proc::set_alarm(seconds);
}

int64_t sys_rt_sigreturn() {
    return proc::sigreturn(task());
}

}  // namespace

void add_signal_calls(Entry* table) {
    table[uapi::kNR_rt_sigaction] = &call<&sys_rt_sigaction>;
    table[uapi::kNR_rt_sigprocmask] = &call<&sys_rt_sigprocmask>;
    table[uapi::kNR_rt_sigpending] = &call<&sys_rt_sigpending>;
    table[uapi::kNR_rt_sigreturn] = &call<&sys_rt_sigreturn>;
    table[uapi::kNR_kill] = &call<&sys_kill>;
    table[uapi::kNR_tkill] = &call<&sys_tkill>;
    table[uapi::kNR_tgkill] = &call<&sys_tgkill>;
    table[uapi::kNR_sigaltstack] = &call<&sys_sigaltstack>;
    table[uapi::kNR_rt_sigsuspend] = &call<&sys_rt_sigsuspend>;
    table[uapi::kNR_pause] = &call<&sys_pause>;
    table[uapi::kNR_rt_sigtimedwait] = &call<&sys_rt_sigtimedwait>;
    table[uapi::kNR_setitimer] = &call<&sys_setitimer>;
    table[uapi::kNR_getitimer] = &call<&sys_getitimer>;
    table[uapi::kNR_alarm] = &call<&sys_alarm>;
    table[uapi::kNR_rt_sigqueueinfo] = &call<&sys_rt_sigqueueinfo>;
    table[uapi::kNR_rt_tgsigqueueinfo] = &call<&sys_rt_tgsigqueueinfo>;
}

}  // namespace sys
