// Signals wired into processes (signals.hpp, docs/signals.md §7).
#include "kernel/proc/signals.hpp"

#include "kernel/abi/linux_proc.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/console/log.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/proc/signal_frame.hpp"
#include "kernel/proc/signal_restart.hpp"
#include "kernel/proc/user_fpu.hpp"
#include "kernel/sched/sched.hpp"
#include "kernel/time/time.hpp"
#include "lib/span.hpp"

namespace proc {
namespace {

using lib::Errno;

lib::Error error(Errno code, const char* message) {
    return lib::Error::make(code, message);
}

// The tasks of a process, as the state machine walks them (signal_lock
// held): main_task, then the threads (CLONE_THREAD).
class TaskView final : public ThreadGroupView {
public:
    explicit TaskView(Process& process) : process_(process) {}
    ThreadSignals* first() override { return &process_.main_task.signals; }
    ThreadSignals* next(ThreadSignals* after) override {
        Task* task = static_cast<Task*>(after->owner);
        Task* next = task == &process_.main_task ? process_.threads : task->next_thread;
        return next ? &next->signals : nullptr;
    }

private:
    Process& process_;
};

Task* task_of(ThreadSignals* signals) {
    return static_cast<Task*>(signals->owner);
}

void wake_for_signal(Task& task) {
    interrupt_for_signals(task);
}

// Every task of the group looks at its signals at its next return to user
// mode (signal_lock held).
template <typename Visit>
void for_each_signals_task(TaskView& view, Visit&& visit) {
    for (ThreadSignals* t = view.first(); t; t = view.next(t)) visit(*task_of(t));
}

// User memory through uaccess, for the frame code.
class Uaccess final : public UserMemory {
public:
    bool read(void* destination, uint64_t address, size_t size) override {
        return arch::copy_from_user(destination, address, size) == 0;
    }
    bool write(uint64_t address, const void* source, size_t size) override {
        return arch::copy_to_user(address, source, size) == 0;
    }
};

// A buffer for one FPU image (64-byte aligned, as XSAVE wants), for the
// scope: on the task's kernel stack (32 KiB) when the image fits in 3 KiB
// (x87, SSE, AVX and AVX-512 do: 2,696 bytes), else from the heap (a
// larger heap block costs a run from the frame allocator on every signal).
class FpuBuffer {
public:
    FpuBuffer() {
        const UserFpuFormat& format = user_fpu_format();
        bytes_ = format.size <= sizeof inline_ ? inline_
                                               : static_cast<uint8_t*>(mm::kmalloc_aligned(format.size, 64));
    }
    ~FpuBuffer() {
        if (bytes_ && bytes_ != inline_) mm::kfree(bytes_);
    }
    FpuBuffer(const FpuBuffer&) = delete;
    FpuBuffer& operator=(const FpuBuffer&) = delete;
    uint8_t* bytes() { return bytes_; }
    UserFpuImage image() {
        const UserFpuFormat& format = user_fpu_format();
        UserFpuImage image;
        image.bytes = lib::Span<uint8_t>(bytes_, format.size);
        image.xsave = format.xsave;
        image.features = format.features;
        image.mxcsr_mask = format.mxcsr_mask;
        return image;
    }

private:
    uint8_t* bytes_ = nullptr;
    alignas(64) uint8_t inline_[3072];
};

const char* signal_name(int signal) {
    static constexpr const char* kNames[] = {
        "SIGHUP",  "SIGINT",  "SIGQUIT", "SIGILL",    "SIGTRAP", "SIGABRT", "SIGBUS",   "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",   "SIGPIPE", "SIGALRM", "SIGTERM",  "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",   "SIGTTIN", "SIGTTOU", "SIGURG",   "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",  "SIGPWR",  "SIGSYS"};
    if (signal >= 1 && signal <= int(sizeof kNames / sizeof kNames[0])) return kNames[signal - 1];
    return "a real-time signal";
}

// The signal's action ends the process: one log line (the program, the
// signal, and for a fault its address), then the exit with the wait
// status Linux reports (the signal, 0x80 for "core dumped").
[[noreturn]] void terminate(Task& task, const Delivery& delivery, const arch::InterruptFrame& frame) {
    Process& process = *task.process;
    if (signal_in(kSynchronousSignals, delivery.signal) && delivery.info.code > 0) {
        klog::warn("signal: {}[{}] ended by {}{} (code {}) at address {:#x}, rip={:#x}", process.name, process.pid,
                   signal_name(delivery.signal), delivery.core ? ", core" : "", delivery.info.code,
                   delivery.info.fault.addr, frame.rip);
    } else if (delivery.core) {
        klog::info("signal: {}[{}] ended by {}, core (no core file)", process.name, process.pid,
                   signal_name(delivery.signal));
    }
    // WCOREDUMP only where Linux would have written a core file: never
    // with RLIMIT_CORE 0 (init's default); we write none, but keep the flag.
    bool dumped = delivery.core && process.limits[uapi::kRLIMIT_CORE].soft != 0;
    exit_current(delivery.signal | (dumped ? 0x80 : 0));
}

void send_locked(Process& target, Task* thread, const uapi::Siginfo& info, QueuedSignal* entry, bool forced) {
    TaskView view(target);
    SendResult result = send_signal_locked(target.group_signals, target.signal_handlers, view,
                                           thread ? &thread->signals : nullptr, info, entry, forced);
    switch (result.kind) {
        case SendResult::Kind::kDiscarded: break;
        case SendResult::Kind::kPending:
            // Whoever may take it notes work for its return to user mode:
            // the named thread, or every task for the group's set (also
            // those that block it now: they keep the note while it is
            // pending, so unblocking it needs no note of its own).
            if (thread)
                note_return_work(*thread);
            else
                for_each_signals_task(view, [](Task& task) { note_return_work(task); });
            if (result.wake) wake_for_signal(*task_of(result.wake));
            break;
        case SendResult::Kind::kKillGroup:
            for_each_signals_task(view, [](Task& task) { wake_for_signal(task); });
            target.signal_wait.wake_all();  // a stopped group ends too
            break;
    }
    if (result.continued) {
        // The stopped tasks go on; the first to run tells the parent.
        target.continued_unreported = true;
        for_each_signals_task(view, [](Task& task) { note_return_work(task); });
        target.signal_wait.wake_all();
    }
}

uint64_t ticks(uint64_t ns) {
    return ns / (uint64_t(uapi::kNsPerSec) / uapi::kUserHz);
}

// The parent hears of `child`'s `event` (table lock held): wait4's
// report for a stop or continue, and SIGCHLD as parent_notice decides.
ParentNotice notify_parent_locked(Process& child, ChildEvent event, int status) {
    Process* parent = child.parent;
    if (!parent) return {};
    if (event == ChildEvent::kStopped) {
        child.stop_report = (status << 8) | 0x7f;
        child.continue_report = false;
    } else if (event == ChildEvent::kContinued) {
        child.continue_report = true;
        child.stop_report = 0;
    }
    ParentNotice notice;
    {
        ksync::Guard guard(parent->signal_lock);
        notice = parent_notice(parent->signal_handlers, event, child.exit_signal);
    }
    if (notice.signal) {
        // si_utime: the whole process's once it has ended; for a stop or
        // a continue, its main task's clock so far.
        uint64_t cpu_ns;
        if (event == ChildEvent::kStopped || event == ChildEvent::kContinued) {
            ksync::Guard guard(child.signal_lock);
            cpu_ns = task_cpu_ns(child.main_task);
        } else {
            cpu_ns = exited_process_cpu_ns(child);
        }
        uapi::Siginfo info =
            siginfo_child(event, child.pid, child.credentials.uid, status, int64_t(ticks(cpu_ns)), 0);
        info.signo = notice.signal;
        QueuedSignal* entry = allocate_queued_signal();
        ksync::Guard guard(parent->signal_lock);
        send_locked(*parent, nullptr, info, entry, false);
    }
    parent->children_changed.wake_all();
    return notice;
}

void notify_parent(Process& child, ChildEvent event, int status) {
    ksync::Guard guard(table_lock());
    notify_parent_locked(child, event, status);
}

// A stopped group's task sleeps until SIGCONT or SIGKILL (or another
// task's exec, which ends it).
void sleep_while_stopped(Task& task) {
    Process& process = *task.process;
    for (;;) {
        auto waited = process.signal_wait.wait_event(
            [&] {
                return !__atomic_load_n(&process.group_signals.stopped, __ATOMIC_ACQUIRE) ||
                       __atomic_load_n(&process.group_signals.exiting, __ATOMIC_ACQUIRE) ||
                       __atomic_load_n(&task.exec_killed, __ATOMIC_ACQUIRE);
            },
            sched::WaitOptions::interruptible_until());
        if (waited) break;
        sched::clear_interrupt();  // another signal: it waits until the group goes on
    }
}

// A stop signal's default action: the group stops (the parent hears it);
// the other tasks stop as they next come into the kernel.
void stop(Task& task, int signal) {
    Process& process = *task.process;
    notify_parent(process, ChildEvent::kStopped, signal);
    {
        ksync::Guard guard(process.signal_lock);
        for_each_task(process, [&](Task& other) {
            if (&other != &task) wake_for_signal(other);
        });
    }
    sleep_while_stopped(task);
}

bool live(const Process& process) {
    return process.state == ProcessState::kRunning;
}

// kill(2)'s and tgkill(2)'s targets, visited under the table lock: a pass
// with `signal` 0 finds whether any exists (ESRCH comes before EINVAL, as
// in Linux's kill_pid_info), the second sends.
struct KillRequest {
    enum class Kind : uint8_t { kPid, kGroup, kAll, kThread } kind = Kind::kPid;
    int32_t id = 0;    // pid, pgid or tid
    int32_t tgid = 0;  // kThread: the thread group (<= 0: any)
    const Process* caller = nullptr;
    int signal = 0;
    uapi::Siginfo info{};
    bool found = false;
};

void visit_for_kill(Process& process, void* argument) {
    auto& request = *static_cast<KillRequest*>(argument);
    Task* thread = nullptr;
    switch (request.kind) {
        case KillRequest::Kind::kPid:
            if (process.pid != request.id) return;
            break;
        case KillRequest::Kind::kGroup:
            if (process.pgid != request.id) return;
            break;
        case KillRequest::Kind::kAll:
            // Every process but init and the caller (Linux's kill -1).
            if (process.pid <= 1 || &process == request.caller) return;
            break;
        case KillRequest::Kind::kThread:
            if (request.tgid > 0 && process.pid != request.tgid) return;
            if (!live(process)) return;
            for_each_task(process, [&](Task& task) {
                if (task.tid == request.id) thread = &task;
            });
            if (!thread) return;
            break;
    }
    request.found = true;
    if (request.signal == 0 || !live(process)) return;  // a zombie takes nothing
    QueuedSignal* entry = allocate_queued_signal();
    ksync::Guard guard(process.signal_lock);
    send_locked(process, thread, request.info, entry, false);
}

lib::Expected<void> kill_request(KillRequest& request, int signal) {
    for_each_process(visit_for_kill, &request);
    if (!request.found) return error(Errno::kESRCH, "kill: no such process");
    if (!signal_valid(signal) && signal != 0) return error(Errno::kEINVAL, "kill: bad signal");
    if (signal == 0) return {};
    request.signal = signal;
    for_each_process(visit_for_kill, &request);
    return {};
}

// Builds the handler's frame; false when it could not be written (the
// caller forces SIGSEGV then, as Linux's signal_setup_done does).
bool push_handler_frame(Task& task, arch::InterruptFrame& frame, const Delivery& delivery, SignalSet saved_mask) {
    FpuBuffer buffer;
    if (!buffer.bytes()) return false;
    FrameRequest request;
    request.signal = delivery.signal;
    request.info = delivery.info;
    request.action = delivery.action;
    request.saved_mask = saved_mask;
    request.trap_number = task.fault_vector;
    request.error_code = task.fault_error_code;
    request.fault_address = task.fault_address;
    save_user_fpu(buffer.bytes());
    Uaccess memory;
    AltStack alt_stack;
    {
        ksync::Guard guard(task.process->signal_lock);
        alt_stack = task.signals.alt_stack;
    }
    arch::InterruptFrame regs = frame;
    if (!push_signal_frame(regs, request, alt_stack, buffer.image(), memory)) return false;
    frame = regs;
    {
        ksync::Guard guard(task.process->signal_lock);
        task.signals.alt_stack = alt_stack;
        handler_started(task.signals, delivery.signal, delivery.action);
        task.signals.restore_saved = false;
    }
    // The handler starts with the FPU in its initial state (as Linux's
    // fpu__clear_user_states): the interrupted state is in the frame.
    reset_user_fpu();
    return true;
}

// arch's hook, after an exception or interrupt from user mode (the
// system-call path calls return_to_user itself).
void return_to_user_hook(arch::InterruptFrame& frame) {
    return_to_user(frame);
}

}  // namespace

bool notify_parent_of_exit_locked(Process& child) {
    int status = child.wait_status;
    ChildEvent event = (status & 0x7f) == 0 ? ChildEvent::kExited
                       : (status & 0x80)    ? ChildEvent::kDumped
                                            : ChildEvent::kKilled;
    int reported = event == ChildEvent::kExited ? (status >> 8) & 0xff : status & 0x7f;
    return notify_parent_locked(child, event, reported).autoreap;
}

void discard_pending(Process& process, SignalSet which) {
    ksync::Guard guard(process.signal_lock);
    TaskView view(process);
    discard_everywhere(process.group_signals, view, which);
}

void init_signals() {
    arch::set_return_to_user_hook(return_to_user_hook);
}

void init_process_signals(Process& process) {
    process.main_task.signals.owner = &process.main_task;
    process.group_signals.unkillable = process.pid == 1;
}

void copy_signals_for_fork(Process& child, const Process& parent, const Task& parent_task) {
    // The parent's lock keeps its handlers whole while they are copied.
    auto& lock = const_cast<Process&>(parent).signal_lock;
    ksync::Guard guard(lock);
    child.signal_handlers = parent.signal_handlers;
    child.main_task.signals.blocked = parent_task.signals.blocked;
    child.main_task.signals.alt_stack = parent_task.signals.alt_stack;
}

void reset_signals_for_exec(Process& process) {
    ksync::Guard guard(process.signal_lock);
    process.signal_handlers.reset_for_exec();
    for_each_task(process, [](Task& task) { task.signals.alt_stack = AltStack{}; });
}

void send_signal(Process& target, Task* thread, const uapi::Siginfo& info) {
    QueuedSignal* entry = allocate_queued_signal();
    ksync::Guard guard(target.signal_lock);
    send_locked(target, thread, info, entry, false);
}

lib::Expected<void> kill(int32_t pid, int signal, const uapi::Siginfo* info) {
    Process& self = *current_process();
    KillRequest request;
    request.caller = &self;
    request.info = info ? *info : siginfo_sent(signal, uapi::kSI_USER, self.pid, self.credentials.uid);
    if (pid == int32_t(0x80000000)) return error(Errno::kESRCH, "kill: no such process group");  // -INT_MIN
    if (pid > 0) {
        request.kind = KillRequest::Kind::kPid;
        request.id = pid;
    } else if (pid == -1) {
        request.kind = KillRequest::Kind::kAll;
    } else {
        request.kind = KillRequest::Kind::kGroup;
        request.id = pid == 0 ? self.pgid : -pid;
    }
    return kill_request(request, signal);
}

lib::Expected<void> kill_thread(int32_t tgid, int32_t tid, int signal, const uapi::Siginfo* info) {
    Process& self = *current_process();
    KillRequest request;
    request.kind = KillRequest::Kind::kThread;
    request.id = tid;
    request.tgid = tgid;
    request.caller = &self;
    request.info = info ? *info : siginfo_sent(signal, uapi::kSI_TKILL, self.pid, self.credentials.uid);
    return kill_request(request, signal);
}

void signal_from_kernel(int32_t pid, int signal) {
    if (pid <= 0 || !signal_valid(signal)) return;
    KillRequest request;
    request.kind = KillRequest::Kind::kPid;
    request.id = pid;
    request.signal = signal;
    request.info = siginfo_kernel(signal);
    for_each_process(visit_for_kill, &request);
}

void signal_process_group(int32_t pgid, int signal) {
    if (pgid <= 0 || !signal_valid(signal)) return;
    KillRequest request;
    request.kind = KillRequest::Kind::kGroup;
    request.id = pgid;
    request.signal = signal;
    request.info = siginfo_kernel(signal);
    for_each_process(visit_for_kill, &request);
}

bool current_ignores_or_blocks(int signal) {
    Task* task = current_task();
    if (!task || !signal_valid(signal)) return false;
    Process& process = *task->process;
    ksync::Guard guard(process.signal_lock);
    return (task->signals.blocked & signal_bit(signal)) != 0 ||
           process.signal_handlers.action(signal).handler == uapi::kSIG_IGN;
}

void raise_fault_signal(Task& task, const arch::InterruptFrame& frame, const FaultSignal& fault) {
    task.fault_vector = frame.vector;
    task.fault_error_code = frame.error_code;
    task.fault_address = fault.address;
    uapi::Siginfo info = siginfo_fault(fault.signal, fault.code, fault.address);
    Process& process = *task.process;
    QueuedSignal* entry = allocate_queued_signal();
    ksync::Guard guard(process.signal_lock);
    send_locked(process, &task, info, entry, true);
}

bool signal_pending(Task& task) {
    Process& process = *task.process;
    ksync::Guard guard(process.signal_lock);
    return process.group_signals.exiting || task.exec_killed || deliverable(process.group_signals, task.signals);
}

bool wait_for_signal(Task& task, uint64_t deadline_ns) {
    for (;;) {
        // Cleared before looking, so a signal sent after the look
        // interrupts the sleep below.
        sched::clear_interrupt();
        if (signal_pending(task)) return true;
        auto slept = sched::sleep_until_interruptible(deadline_ns ? deadline_ns : sched::kNoDeadline);
        if (slept) return false;  // the deadline passed
    }
}

bool sleep_unless_signalled(Task& task, uint64_t deadline_ns) {
    for (;;) {
        sched::clear_interrupt();
        if (signal_pending(task)) return false;
        if (sched::sleep_until_interruptible(deadline_ns)) return true;
    }
}

namespace {

void real_timer_expired(void* context);

// Arms the deadline for the timer's next expiry (signal_lock held).
void arm_real_timer_locked(Process& process) {
    ktime::cancel_deadline(process.real_deadline);
    if (process.real_timer.armed())
        (void)ktime::arm_deadline(process.real_deadline, process.real_timer.deadline_ns, real_timer_expired, &process);
}

// In the timer interrupt: SIGALRM as SI_KERNEL (no queue entry can be
// allocated here: a standard signal is pending all the same, its siginfo
// then says SI_USER), and a periodic timer re-armed.
void real_timer_expired(void* context) {
    Process& process = *static_cast<Process*>(context);
    ksync::Guard guard(process.signal_lock);
    if (!process.real_timer.fire(ktime::now_ns())) return;
    if (process.real_timer.armed())
        (void)ktime::arm_deadline(process.real_deadline, process.real_timer.deadline_ns, real_timer_expired, &process);
    if (process.state == ProcessState::kRunning)
        send_locked(process, nullptr, siginfo_kernel(uapi::kSIGALRM), nullptr, false);
}

}  // namespace

lib::Expected<uapi::Itimerval> set_real_timer(const uapi::Itimerval& value) {
    Process& process = *current_process();
    ksync::Guard guard(process.signal_lock);
    uapi::Itimerval old = TRY(process.real_timer.set(value, ktime::now_ns()));
    arm_real_timer_locked(process);
    return old;
}

uapi::Itimerval get_real_timer() {
    Process& process = *current_process();
    ksync::Guard guard(process.signal_lock);
    return process.real_timer.get(ktime::now_ns());
}

unsigned set_alarm(unsigned seconds) {
    Process& process = *current_process();
    ksync::Guard guard(process.signal_lock);
    unsigned left = process.real_timer.alarm(seconds, ktime::now_ns());
    arm_real_timer_locked(process);
    return left;
}

void stop_real_timer(Process& process) {
    ksync::Guard guard(process.signal_lock);
    process.real_timer = IntervalTimer{};
    ktime::cancel_deadline(process.real_deadline);
}

int64_t sigreturn(Task& task) {
    arch::InterruptFrame& frame = *user_frame(task);
    FpuBuffer buffer;
    Uaccess memory;
    arch::InterruptFrame regs = frame;
    lib::Expected<SigreturnResult> result =
        buffer.bytes() ? restore_signal_frame(regs, memory, buffer.image())
                       : lib::Expected<SigreturnResult>(error(Errno::kENOMEM, "sigreturn: no memory"));
    frame.error_code = kNoSyscall;  // whatever RAX holds now is no call's result
    if (!result) {
        // Linux's signal_fault: a SIGSEGV the program may still catch.
        uapi::Siginfo info = siginfo_kernel(uapi::kSIGSEGV);
        Process& process = *task.process;
        QueuedSignal* entry = allocate_queued_signal();
        ksync::Guard guard(process.signal_lock);
        send_locked(process, &task, info, entry, true);
        return int64_t(frame.rax);
    }
    frame = regs;
    frame.error_code = kNoSyscall;
    note_registers_rewritten(task);
    if (result->fpu_restored)
        load_user_fpu(buffer.bytes());
    else
        reset_user_fpu();
    {
        Process& process = *task.process;
        ksync::Guard guard(process.signal_lock);
        task.signals.blocked = result->mask;
        // uc_stack: sigaltstack(2) again, its errors ignored (Linux's
        // restore_altstack).
        (void)task.signals.alt_stack.change(result->alt_stack, frame.rsp, uapi::kMINSIGSTKSZ);
    }
    return int64_t(frame.rax);
}

void interrupt_for_signals(Task& task) {
    // The interrupt first, the note after: the task clears its note before
    // it clears the interrupt (deliver_signals), so an interrupt never
    // stays set without a note that makes the next return clear it.
    if (task.thread) sched::interrupt(task.thread);
    note_return_work(task);
}

void deliver_signals(arch::InterruptFrame& frame) {
    Task* task = current_task();
    if (!task) return;
    Process& process = *task->process;
    bool syscall = frame.vector == kSyscallFrameVector && frame.error_code != kNoSyscall;
    // The note is cleared before the look below (a full barrier), so
    // whatever a sender adds after the look notes work again.
    __atomic_store_n(&task->return_work, 0, __ATOMIC_SEQ_CST);
    // Whatever interrupted a sleep has been seen now (sched::interrupt is
    // sticky): cleared before the look below, so a later send interrupts
    // the next sleep.
    if (sched::interrupt_pending()) sched::clear_interrupt();
    // Without the lock: nothing pending and no call to restart. A signal
    // sent at this moment from another CPU is seen at the next return to
    // user mode (the next tick at the latest).
    SignalSet blocked = __atomic_load_n(&task->signals.blocked, __ATOMIC_RELAXED);
    SignalSet pending = task->signals.pending.set() | process.group_signals.shared.set();
    bool exiting = __atomic_load_n(&process.group_signals.exiting, __ATOMIC_RELAXED) ||
                   __atomic_load_n(&task->exec_killed, __ATOMIC_RELAXED) ||
                   __atomic_load_n(&process.continued_unreported, __ATOMIC_RELAXED) ||
                   __atomic_load_n(&process.group_signals.stopped, __ATOMIC_RELAXED);
    bool restart = syscall && restart_code(frame.rax) != Errno::kNone;
    if (!(pending & ~blocked) && !exiting && !restart && !task->signals.restore_saved) {
        // A blocked signal keeps the note (sigprocmask may unblock it).
        if (pending) note_return_work(*task);
        return;
    }

    arch::sti();
    for (;;) {
        // Another task's exec ends this one (de_thread), before anything
        // else: no handler, no stop, no status of its own.
        if (__atomic_load_n(&task->exec_killed, __ATOMIC_ACQUIRE)) exit_thread(0);
        if (__atomic_exchange_n(&process.continued_unreported, false, __ATOMIC_ACQ_REL))
            notify_parent(process, ChildEvent::kContinued, uapi::kSIGCONT);
        // Another task stopped the group: this one stops too.
        if (__atomic_load_n(&process.group_signals.stopped, __ATOMIC_ACQUIRE) &&
            !__atomic_load_n(&process.group_signals.exiting, __ATOMIC_ACQUIRE)) {
            sleep_while_stopped(*task);
            continue;
        }
        Delivery delivery;
        bool group_ended = false;
        {
            ksync::Guard guard(process.signal_lock);
            if (process.group_signals.exiting) {
                // The group ends (exit_group, or a fatal signal another
                // task took or was sent): exit_current keeps the status the
                // first group exit chose.
                delivery.kind = Delivery::Kind::kTerminate;
                delivery.signal = process.group_signals.exit_signal;
                group_ended = delivery.signal == 0 || process.group_exit_status >= 0;
            } else {
                delivery = next_delivery_locked(process.group_signals, process.signal_handlers, task->signals,
                                                false);
            }
            if (delivery.kind == Delivery::Kind::kNone) {
                if (syscall) restart_without_handler(frame, frame.error_code);
                restore_saved_mask(task->signals);
                // Signals left pending (blocked ones) keep the note.
                if (task->signals.pending.set() | process.group_signals.shared.set()) note_return_work(*task);
                break;
            }
        }
        if (group_ended) exit_current(0);
        if (delivery.kind == Delivery::Kind::kTerminate) terminate(*task, delivery, frame);
        if (delivery.kind == Delivery::Kind::kStop) {
            stop(*task, delivery.signal);
            continue;
        }
        // A handler: first the interrupted call's fate, then the frame.
        if (syscall) restart_before_handler(frame, frame.error_code, delivery.action.flags);
        syscall = false;
        SignalSet saved_mask;
        {
            ksync::Guard guard(process.signal_lock);
            saved_mask = mask_to_save(task->signals);
        }
        if (!push_handler_frame(*task, frame, delivery, saved_mask)) {
            klog::info("signal: {}[{}]: no room for the frame of {}: SIGSEGV", process.name, process.pid,
                       signal_name(delivery.signal));
            uapi::Siginfo info = siginfo_kernel(uapi::kSIGSEGV);
            QueuedSignal* entry = allocate_queued_signal();
            ksync::Guard guard(process.signal_lock);
            send_locked(process, task, info, entry, true);
        }
    }
    arch::cli();
}

}  // namespace proc
