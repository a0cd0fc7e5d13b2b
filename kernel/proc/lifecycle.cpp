// fork/vfork/clone and wait (lifecycle.hpp).
#include "kernel/proc/lifecycle.hpp"

#include "kernel/abi/linux_proc.hpp"
#include "kernel/abi/linux_signal.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/proc/signals.hpp"
#include "kernel/sched/extended_state.hpp"
#include "kernel/vm/allocation.hpp"

namespace proc {
namespace {

using lib::Errno;

lib::Error error(Errno code, const char* message) {
    return lib::Error::make(code, message);
}

constexpr uint64_t kNamespaceFlags = uapi::kCLONE_NEWNS | uapi::kCLONE_NEWCGROUP | uapi::kCLONE_NEWUTS |
                                     uapi::kCLONE_NEWIPC | uapi::kCLONE_NEWUSER | uapi::kCLONE_NEWPID |
                                     uapi::kCLONE_NEWNET;

// copy_process's flag checks, in its order.
lib::Expected<void> check_flags(uint64_t flags) {
    if ((flags & (uapi::kCLONE_NEWNS | uapi::kCLONE_FS)) == (uapi::kCLONE_NEWNS | uapi::kCLONE_FS))
        return error(Errno::kEINVAL, "CLONE_NEWNS with CLONE_FS");
    if ((flags & (uapi::kCLONE_NEWUSER | uapi::kCLONE_FS)) == (uapi::kCLONE_NEWUSER | uapi::kCLONE_FS))
        return error(Errno::kEINVAL, "CLONE_NEWUSER with CLONE_FS");
    if ((flags & uapi::kCLONE_THREAD) && !(flags & uapi::kCLONE_SIGHAND))
        return error(Errno::kEINVAL, "CLONE_THREAD without CLONE_SIGHAND");
    if ((flags & uapi::kCLONE_SIGHAND) && !(flags & uapi::kCLONE_VM))
        return error(Errno::kEINVAL, "CLONE_SIGHAND without CLONE_VM");
    if ((flags & uapi::kCLONE_PARENT) && current_process()->pid == 1 && !current_process()->parent)
        return error(Errno::kEINVAL, "init cannot CLONE_PARENT");
    // Threads share everything a process has: CLONE_SIGHAND alone (shared
    // dispositions between processes) is not here yet, nor namespaces, pidfds.
    if ((flags & uapi::kCLONE_SIGHAND) && !(flags & uapi::kCLONE_THREAD))
        return error(Errno::kEINVAL, "CLONE_SIGHAND without CLONE_THREAD: not yet");
    if (flags & kNamespaceFlags) return error(Errno::kEINVAL, "namespaces are not supported");
    if (flags & uapi::kCLONE_PIDFD) return error(Errno::kEINVAL, "pidfds are not supported yet");
    if ((flags & uapi::kCSIGNAL) > uint64_t(uapi::kNSIG)) return error(Errno::kEINVAL, "not a signal");
    return {};
}

// Whether `child` is one a wait with `options` looks at (eligible_child):
// by default children that report with SIGCHLD, with __WCLONE the others,
// with __WALL all.
bool eligible(const Process& child, WaitTarget target, int32_t id, uint32_t options) {
    if (target == WaitTarget::kPid && child.pid != id) return false;
    if (target == WaitTarget::kGroup && child.pgid != id) return false;
    if (options & uapi::k__WALL) return true;
    bool clone_child = child.exit_signal != uapi::kSIGCHLD;
    return clone_child == ((options & uapi::k__WCLONE) != 0);
}

// The parent's FPU/SSE/AVX registers, saved now for the new task's
// thread to load before it enters user mode.
lib::Expected<void> copy_extended_state(Task& task) {
    const sched::ExtendedStateInfo& info = sched::extended_state_info();
    task.initial_extended_state = static_cast<uint8_t*>(vm::allocate_bytes(info.size, 64));
    if (!task.initial_extended_state) return error(Errno::kENOMEM, "no memory for the child's FPU state");
    arch::cli();
    sched::save_current_extended_state();
    __builtin_memcpy(task.initial_extended_state, sched::current()->extended_state(), info.size);
    arch::sti();
    return {};
}

// CLONE_THREAD: a task of the calling process (docs/signals.md §7), with
// the caller's registers (RAX = 0), the new stack and TLS, the caller's
// signal mask and no alternate stack; returns its tid.
lib::Expected<int32_t> clone_thread(const CloneRequest& request) {
    Process& self = *current_process();
    Task& me = *current_task();
    if ((request.flags & uapi::kCLONE_SETTLS) && request.tls >= arch::kUserTop)
        return error(Errno::kEPERM, "TLS base outside user space");
    Task* task = TRY(create_thread(self, request.set_tid));
    *user_frame(*task) = *user_frame(me);
    user_frame(*task)->rax = 0;
    if (request.stack) user_frame(*task)->rsp = request.stack;
    task->fs_base = (request.flags & uapi::kCLONE_SETTLS) ? request.tls : me.fs_base;
    task->gs_base = me.gs_base;
    __builtin_memcpy(task->name, task_name(me), kNameLength);  // copy_process: the creator's comm
    if (request.flags & uapi::kCLONE_CHILD_SETTID) task->set_child_tid = request.child_tid;
    if (request.flags & uapi::kCLONE_CHILD_CLEARTID) task->clear_child_tid = request.child_tid;
    {
        ksync::Guard guard(self.signal_lock);
        task->signals.blocked = me.signals.blocked;
    }
    if (auto copied = copy_extended_state(*task); !copied) {
        discard_thread(task);
        return copied.error();
    }
    int32_t tid = task->tid;
    if (request.flags & uapi::kCLONE_PARENT_SETTID) (void)arch::store_user_u32(request.parent_tid, uint32_t(tid));
    if (auto started = start_task(*task); !started) {
        vm::free_bytes(task->initial_extended_state);
        discard_thread(task);
        return error(Errno::kEAGAIN, "no thread for the new task");
    }
    return tid;
}

}  // namespace

lib::Expected<int32_t> clone_current(const CloneRequest& request) {
    TRY(check_flags(request.flags));
    // cgroup_css_set_fork: a descriptor that is not a cgroup v2 directory
    // (any, here) is EBADF.
    if (request.flags & uapi::kCLONE_INTO_CGROUP) return error(Errno::kEBADF, "no cgroups: not a cgroup descriptor");
    if (request.flags & uapi::kCLONE_THREAD) return clone_thread(request);
    Process& self = *current_process();
    Task& me = *current_task();
    if ((request.flags & uapi::kCLONE_SETTLS) && request.tls >= arch::kUserTop)
        return error(Errno::kEPERM, "TLS base outside user space");

    Process* parent = &self;
    if (request.flags & uapi::kCLONE_PARENT) parent = self.parent;
    Process* child = TRY(create_process(parent, request.set_tid));
    if (parent != &self) {
        // CLONE_PARENT: the caller's parent adopts it, with the caller's traits.
        child->credentials = self.credentials;
        for (size_t i = 0; i < kRlimitCount; ++i) child->limits[i] = self.limits[i];
        child->umask = self.umask;
        child->personality = self.personality;
        __builtin_memcpy(child->exe, self.exe, sizeof child->exe);
        {
            ksync::Guard guard(table_lock());
            child->exe_path = self.exe_path;
        }
        child->pgid = self.pgid;
        child->sid = self.sid;
    }
    // copy_process: the child's comm is the calling thread's, not the
    // process's (a named thread's fork carries that name).
    __builtin_memcpy(child->name, task_name(me), kNameLength);
    sync_fs_credentials(*child);  // its supplementary groups, not the parent's
    child->exit_signal = int(request.flags & uapi::kCSIGNAL);
    copy_signals_for_fork(*child, self, me);
    // flush_signal_handlers(child, 0): what exec would reset, reset now.
    if (request.flags & uapi::kCLONE_CLEAR_SIGHAND) child->signal_handlers.reset_for_exec();

    if (request.flags & uapi::kCLONE_VM) {
        // vfork, posix_spawn: the child runs in our memory (copy_mm's
        // CLONE_VM: mmget), until it execs or exits.
        self.space->add_user();
        child->space = self.space;
    } else {
        auto space = self.space->fork();
        if (!space) {
            discard_process(child);
            return error(Errno::kENOMEM, "no memory for the child's address space");
        }
        child->space = *space;
    }

    // The registers: the parent's, as it entered the kernel, with RAX = 0.
    Task& task = child->main_task;
    *user_frame(task) = *user_frame(me);
    user_frame(task)->rax = 0;
    if (request.stack) user_frame(task)->rsp = request.stack;
    task.fs_base = (request.flags & uapi::kCLONE_SETTLS) ? request.tls : me.fs_base;
    task.gs_base = me.gs_base;
    if (request.flags & uapi::kCLONE_CHILD_SETTID) task.set_child_tid = request.child_tid;
    if (request.flags & uapi::kCLONE_CHILD_CLEARTID) task.clear_child_tid = request.child_tid;

    // The FPU/SSE/AVX registers: the parent's, saved now; the child's
    // thread loads them before it enters user mode.
    const sched::ExtendedStateInfo& info = sched::extended_state_info();
    task.initial_extended_state = static_cast<uint8_t*>(vm::allocate_bytes(info.size, 64));
    if (!task.initial_extended_state) {
        discard_process(child);
        return error(Errno::kENOMEM, "no memory for the child's FPU state");
    }
    arch::cli();
    sched::save_current_extended_state();
    __builtin_memcpy(task.initial_extended_state, sched::current()->extended_state(), info.size);
    arch::sti();

    if (request.flags & uapi::kCLONE_PARENT_SETTID) (void)arch::store_user_u32(request.parent_tid, uint32_t(child->pid));
    bool vfork = request.flags & uapi::kCLONE_VFORK;
    if (vfork) child->vfork_parent = &self;
    int32_t pid = child->pid;
    if (auto started = start_task(task); !started) {
        child->vfork_parent = nullptr;
        discard_process(child);
        return error(Errno::kEAGAIN, "no thread for the child");
    }
    if (vfork) {
        // The child is ours to reap only, so it is there until we wake.
        (void)self.children_changed.wait_event(
            [child] { return __atomic_load_n(&child->vfork_done, __ATOMIC_ACQUIRE); });
    }
    return pid;
}

lib::Expected<WaitResult> wait_child(WaitTarget target, int32_t id, uint32_t options) {
    Process& self = *current_process();
    Process* found = nullptr;
    bool zombie = false;
    bool any = false;
    bool nowait = options & uapi::kWNOWAIT;
    WaitResult result;
    auto scan = [&] {
        ksync::Guard guard(table_lock());
        found = nullptr;
        any = false;
        for (Process* child = self.first_child; child; child = child->next_sibling) {
            if (!eligible(*child, target, id, options)) continue;
            any = true;
            if (child->state != ProcessState::kZombie) {
                // A stop or continue to report (signals.cpp records them).
                if ((options & uapi::kWUNTRACED) && child->stop_report) {
                    found = child;
                    result = WaitResult{child->pid, child->stop_report, child->credentials.uid, 0,
                                        WaitResult::Kind::kStopped};
                    if (!nowait) child->stop_report = 0;
                    break;
                }
                if ((options & uapi::kWCONTINUED) && child->continue_report) {
                    found = child;
                    result = WaitResult{child->pid, 0xffff, child->credentials.uid, 0, WaitResult::Kind::kContinued};
                    if (!nowait) child->continue_report = false;
                    break;
                }
                continue;
            }
            if (!(options & uapi::kWEXITED)) continue;
            found = child;
            zombie = true;
            result.pid = child->pid;
            result.status = child->wait_status;
            result.uid = child->credentials.uid;
            result.cpu_ns = exited_process_cpu_ns(*child) + child->children_cpu_ns;
            result.kind = WaitResult::Kind::kExit;
            if (!nowait) {
                // Ours now: off the list, so no other waiter takes it too.
                for (Process** link = &self.first_child; *link; link = &(*link)->next_sibling) {
                    if (*link == child) {
                        *link = child->next_sibling;
                        break;
                    }
                }
                self.children_cpu_ns += result.cpu_ns;
                child->parent = nullptr;
            }
            break;
        }
        return found != nullptr || !any || (options & uapi::kWNOHANG);
    };
    // A signal ends the wait (ERESTARTSYS: restarted under SA_RESTART or
    // when no handler runs, EINTR otherwise; docs/signals.md §4).
    auto waited =
        self.children_changed.wait_event([&] { return scan(); }, sched::WaitOptions::interruptible_until());
    if (!waited) return error(Errno::kERESTARTSYS, "wait: interrupted");
    if (!any) return error(Errno::kECHILD, "no such child");
    if (!found) return WaitResult{};
    if (zombie && !nowait) reap(found);
    return result;
}

}  // namespace proc
