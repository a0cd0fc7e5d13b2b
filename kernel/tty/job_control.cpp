// The terminals' job-control hooks over the process layer (tty.hpp
// JobControl; docs/tty.md "Controlling terminals").
//
// A signal character typed on a terminal arrives in its receive interrupt,
// where a signal cannot be sent (sending may allocate the siginfo's queue
// entry and walks the process table): it waits in a small ring, and a
// worker thread sends it, as Linux's n_tty does from the flip-buffer work.
#include "kernel/console/log.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/proc/signals.hpp"
#include "kernel/sched/work_queue.hpp"
#include "kernel/sync/spinlock.hpp"
#include "kernel/tty/tty.hpp"

namespace tty {

namespace {

struct PendingSignal {
    int32_t pgrp;
    int signal;
};
constexpr size_t kPendingSlots = 32;
PendingSignal g_pending[kPendingSlots];
size_t g_pending_head = 0, g_pending_count = 0;
bool g_overflow_logged = false;
ksync::Spinlock g_pending_lock;

void send_pending(sched::Work&) {
    for (;;) {
        PendingSignal next;
        {
            ksync::Guard guard(g_pending_lock);
            if (g_pending_count == 0) return;
            next = g_pending[g_pending_head];
            g_pending_head = (g_pending_head + 1) % kPendingSlots;
            --g_pending_count;
        }
        proc::signal_process_group(next.pgrp, next.signal);
    }
}
constinit sched::Work g_send_work{send_pending, "tty signals"};

void signal_group_later(int32_t pgrp, int signal) {
    bool dropped = false;
    {
        ksync::Guard guard(g_pending_lock);
        if (g_pending_count < kPendingSlots) {
            g_pending[(g_pending_head + g_pending_count) % kPendingSlots] = {pgrp, signal};
            ++g_pending_count;
        } else {
            dropped = !g_overflow_logged;
            g_overflow_logged = true;
        }
    }
    if (dropped) klog::warn("tty: signals typed faster than they are sent; some dropped");
    // Before the workers run (early boot) nothing can be waiting for them.
    sched::queue_work(g_send_work);
}

int32_t current_pgrp() {
    proc::Process* self = proc::current_process();
    return self ? self->pgid : 0;
}
int32_t current_session() {
    proc::Process* self = proc::current_process();
    return self ? self->sid : 0;
}
bool is_session_leader() {
    proc::Process* self = proc::current_process();
    return self && self->sid == self->pid;
}
bool privileged() {
    proc::Process* self = proc::current_process();
    return !self || self->credentials.euid == 0;  // CAP_SYS_ADMIN: root's
}

}  // namespace

JobControl process_job_control() {
    JobControl hooks;
    hooks.current_pgrp = current_pgrp;
    hooks.current_session = current_session;
    hooks.is_session_leader = is_session_leader;
    hooks.privileged = privileged;
    hooks.signal_group = signal_group_later;
    hooks.signal_group_now = proc::signal_process_group;
    hooks.signal_process = proc::signal_from_kernel;
    hooks.ignores = proc::current_ignores_or_blocks;
    hooks.group_session = proc::session_of_group;
    return hooks;
}

}  // namespace tty
