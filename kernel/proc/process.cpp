// Processes: the table, task threads, user-mode entry and exit, the switch
// hook and the user trap handler (docs/proc.md).
#include "kernel/proc/process.hpp"
#include "kernel/proc/procfs_files.hpp"

#include "kernel/abi/linux_proc.hpp"
#include "kernel/abi/linux_signal.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "kernel/fs/fs.hpp"
#include "kernel/proc/fault_signals.hpp"
#include "kernel/proc/futex.hpp"
#include "kernel/proc/signals.hpp"
#include "kernel/proc/user_fpu.hpp"
#include "kernel/proc/vdso.hpp"
#include "kernel/sched/extended_state.hpp"
#include "kernel/time/time.hpp"
#include "kernel/vm/allocation.hpp"
#include "kernel/vm/kernel_services.hpp"

namespace proc {
struct Task;
}
extern "C" proc::Task* proc_enter_user(arch::InterruptFrame* frame, uint64_t* save);
extern "C" [[noreturn]] void proc_return_to_kernel(uint64_t saved, proc::Task* ended);

namespace proc {
namespace {

// Each task's kernel stack: entries from user mode and the system calls
// run here. 32 KiB (Linux: 16 KiB): the VFS's path walk recurses once per
// symlink followed, up to 40 deep. Its thread's own stack only holds the
// task thread's few frames.
constexpr size_t kTaskStackSize = 32 * 1024;
constexpr size_t kThreadStackSize = 16 * 1024;

ksync::Spinlock g_table_lock;
Process* g_table = nullptr;  // every process, linked through next_in_table
size_t g_count = 0;
uint64_t g_created = 0;      // processes made since boot (/proc/stat)
int32_t g_last_pid = 0;
void (*g_init_exit_handler)(Process&, int) = nullptr;
void (*g_session_end_handler)(int32_t) = nullptr;

bool pid_in_use(int32_t pid) {
    for (Process* p = g_table; p; p = p->next_in_table) {
        if (p->pid == pid || p->pgid == pid || p->sid == pid) return true;
        for (Task* t = p->threads; t; t = t->next_thread)
            if (t->tid == pid) return true;
    }
    return false;
}

// Tasks besides processes' main tasks, counted against kMaxProcesses too.
size_t g_thread_count = 0;

// The next free pid after the last one handed out, wrapping to 300 as
// Linux's alloc_pid does (RESERVED_PIDS) once past pid_max. Table lock held.
int32_t allocate_pid() {
    for (int32_t tries = 0; tries < kMaxPid; ++tries) {
        int32_t pid = g_last_pid + 1;
        if (pid >= kMaxPid) pid = 300;
        g_last_pid = pid;
        if (!pid_in_use(pid)) return pid;
    }
    return -1;
}

// `requested` (clone3's set_tid) if it is free, or the next free pid (0);
// -1 and `taken` when the requested one is in use. Table lock held.
int32_t allocate_pid(int32_t requested, bool& taken) {
    taken = requested != 0 && pid_in_use(requested);
    if (taken) return -1;
    return requested ? requested : allocate_pid();
}

size_t processes_of(uint32_t uid) {
    size_t n = 0;
    for (Process* p = g_table; p; p = p->next_in_table)
        if (p->credentials.uid == uid) ++n;
    return n;
}

// A page fault the address space resolves (demand paging, copy-on-write,
// stack growth) lets the kernel's user copy go on.
bool resolve_uaccess_fault(uint64_t address, uint64_t error_code) {
    return vm::handle_page_fault(address, error_code) == vm::FaultResult::kResolved;
}

// An exception in user mode. A page fault goes to the address space
// (with interrupts on, as Linux's do_user_addr_fault runs); what it cannot
// resolve, and every other exception, raises the signal Linux would
// (fault_signals.hpp), delivered on the way back to user mode (signals.hpp):
// a handler runs, or the default action ends the program.
void handle_user_trap(arch::InterruptFrame& frame, uint64_t cr2) {
    Task* task = current_task();
    if (!task) PANIC("user-mode exception {} at {:#x} with no current task", frame.vector, frame.rip);
    FaultSignal signal;
    if (frame.vector == trap_vector::kPageFault) {
        arch::sti();
        vm::FaultResult result = vm::handle_page_fault(cr2, frame.error_code);
        arch::cli();
        if (result == vm::FaultResult::kResolved) return;
        if (result == vm::FaultResult::kOutOfMemory) {
            klog::error("proc: out of memory: killing {}[{}] (page fault at {:#x})", task->process->name,
                        task->process->pid, cr2);
            arch::sti();
            exit_current(uapi::kSIGKILL);
        }
        signal = page_fault_signal(cr2, result == vm::FaultResult::kAccessError,
                                   result == vm::FaultResult::kBusError);
    } else {
        int fpu_code = 0;
        if (frame.vector == trap_vector::kX87FloatingPoint || frame.vector == trap_vector::kSimdFloatingPoint) {
            FpuExceptionState fpu = fpu_exception_state();
            fpu_code = fpu_exception_code(frame.vector, fpu.x87_status, fpu.x87_control, fpu.mxcsr);
        }
        signal = fault_signal(frame.vector, frame.rip, false, fpu_code);
        if (signal.signal == 0) return;  // a spurious FPU exception
    }
    raise_fault_signal(*task, frame, signal);
}

// Linux's limits for init (include/asm-generic/resource.h, INIT_RLIMITS):
// 8 MiB of stack, 1024/4096 descriptors, 8 MiB locked memory, no core
// files by default, 819200 bytes of message queues; the rest unlimited.
// (RLIMIT_NPROC and RLIMIT_SIGPENDING Linux derives from the memory size;
// ours: half the process table.)
void set_initial_limits(Process& process) {
    process.limits[uapi::kRLIMIT_STACK] = {8ULL << 20, kRlimInfinity};
    process.limits[uapi::kRLIMIT_CORE] = {0, kRlimInfinity};
    process.limits[uapi::kRLIMIT_NOFILE] = {1024, 4096};
    process.limits[uapi::kRLIMIT_MEMLOCK] = {8ULL << 20, 8ULL << 20};
    process.limits[uapi::kRLIMIT_MSGQUEUE] = {819200, 819200};
    process.limits[uapi::kRLIMIT_NPROC] = {kMaxProcesses / 2, kMaxProcesses / 2};
    process.limits[uapi::kRLIMIT_SIGPENDING] = {kMaxProcesses / 2, kMaxProcesses / 2};
    process.limits[uapi::kRLIMIT_NICE] = {0, 0};
    process.limits[uapi::kRLIMIT_RTPRIO] = {0, 0};
}

// What the switch hook loads for a task's thread: its address space and
// its FS and GS base. (Its kernel stack top for entries from user mode is
// the thread's own state, which the scheduler saves and restores at each
// switch: sched::set_switch_hook.)
// WRMSR of a 64-bit value in memory: its halves loaded straight into EAX
// and EDX (the instruction's operands, SDM Vol. 2B WRMSR), not the whole
// value split by a shift (one instruction less on every switch).
[[gnu::always_inline]] inline void wrmsr_from(uint32_t msr, const uint64_t& value) {
    uint32_t halves[2];
    __builtin_memcpy(halves, &value, sizeof halves);
    asm volatile("wrmsr" ::"c"(msr), "a"(halves[0]), "d"(halves[1]) : "memory");
}

// The MSRs first: the address space last, so that its rare out-of-line
// case is a tail call and the switch hook needs no saved registers.
void load_task_registers(Task& task) {
    wrmsr_from(arch::msr::kFsBase, task.fs_base);
    wrmsr_from(arch::msr::kKernelGsBase, task.gs_base);
    // (A process between its creation and its first exec may have none.)
    if (vm::AddressSpace* space = task.process->space) vm::enter_address_space(*space);
    else vm::switch_address_space(nullptr);
}

// Everything a task's thread needs on this CPU when it starts: the
// registers above and its kernel stack top. The task's own thread,
// interrupts off.
void load_task_context(Task& task) {
    load_task_registers(task);
    sched::set_entry_stack_top(task.kernel_stack.top);
}

// The scheduler's switch hook (interrupts off, before `next` runs). A
// task's CPU time is its thread's scheduler clock (task_cpu_ns), so the
// thread that leaves needs nothing here (docs/proc.md "CPU time").
void switch_hook(sched::Thread* next) {
    if (Task* task = static_cast<Task*>(next->owner)) {
        load_task_registers(*task);
    } else if (vm::user_address_space_loaded()) {
        // A kernel thread runs on the kernel's tables, so an exiting
        // process's address space is never loaded on a CPU that does not
        // run it (AddressSpace::destroy requires that).
        vm::switch_address_space(nullptr);
    }
}

// The end of a task's thread: the process becomes a zombie (or, for a
// process nobody waits for, goes at once), its children go to PID 1, and
// its parent is woken. The thread no longer touches the task afterwards.
void finish_exit(Task& task) {
    sched::current()->owner = nullptr;
    Process* process = task.process;
    if (task.thread_task) {
        // A thread's own task (off the process's list since exit_task) is
        // freed here, off its stack.
        mm::free_kernel_stack(task.kernel_stack);
        vm::destroy(&task);
    }
    {
        // Only the last task's thread to get here goes on: until then the
        // process (main_task and its kernel stack included) must stay. An
        // exec waiting for the others (de_thread) hears each one; under
        // the lock, as the process may go as soon as it is released.
        ksync::Guard guard(g_table_lock);
        if (--process->unfinished_tasks != 0) {
            if (process->unfinished_tasks == 1) process->exec_wait.wake_all();
            return;
        }
    }
    bool is_init = false;
    bool self_reap = false;
    int status = 0;
    Process* orphan_zombies_without_init = nullptr;
    {
        ksync::Guard guard(g_table_lock);
        release_vfork_parent(*process);
        Process* init = nullptr;
        for (Process* p = g_table; p; p = p->next_in_table)
            if (p->pid == 1 && p != process && p->state == ProcessState::kRunning) init = p;
        bool woke_init = false;
        while (Process* child = process->first_child) {
            process->first_child = child->next_sibling;
            child->parent = init;
            if (init) {
                child->next_sibling = init->first_child;
                init->first_child = child;
                woke_init |= child->state == ProcessState::kZombie;
            } else if (child->state == ProcessState::kZombie) {
                child->next_sibling = orphan_zombies_without_init;
                orphan_zombies_without_init = child;
            } else {
                child->next_sibling = nullptr;
            }
        }
        if (woke_init) init->children_changed.wake_all();
        process->state = ProcessState::kZombie;
        is_init = process->pid == 1 && process->parent == nullptr;
        self_reap = !is_init && process->parent == nullptr;
        status = process->wait_status;
        // SIGCHLD (signals.cpp); a parent ignoring it leaves no zombie.
        if (process->parent && !is_init && notify_parent_of_exit_locked(*process)) {
            Process* parent = process->parent;
            for (Process** link = &parent->first_child; *link; link = &(*link)->next_sibling) {
                if (*link == process) {
                    *link = process->next_sibling;
                    break;
                }
            }
            parent->children_changed.wake_all();
            process->parent = nullptr;
            self_reap = true;
        }
        if (process->parent) process->parent->children_changed.wake_all();
    }
    while (Process* zombie = orphan_zombies_without_init) {
        orphan_zombies_without_init = zombie->next_sibling;
        zombie->parent = nullptr;
        reap(zombie);
    }
    if (is_init) {
        if (g_init_exit_handler) g_init_exit_handler(*process, status);
        return;
    }
    if (self_reap) reap(process);  // a process nobody waits for (started by the kernel)
}

void task_thread(void* argument) {
    Task& task = *static_cast<Task*>(argument);
    sched::Thread* self = sched::current();
    self->owner = &task;
    {
        // The task's context on this CPU (from now on the switch hook
        // loads it whenever this thread gets a CPU), and for a forked
        // child its parent's FPU/SSE/AVX registers.
        arch::cli();
        load_task_context(task);
        if (task.initial_extended_state) sched::load_extended_state(task.initial_extended_state);
        arch::sti();
        if (task.initial_extended_state) {
            vm::free_bytes(task.initial_extended_state);
            task.initial_extended_state = nullptr;
        }
    }
    if (task.set_child_tid) (void)arch::store_user_u32(task.set_child_tid, uint32_t(task.tid));
    // The task that comes back is not always `task`: a thread that exec'd
    // became its process's main task (de_thread), and `task` is gone.
    Task* ended = proc_enter_user(user_frame(task), &task.kernel_rsp);
    finish_exit(*ended);
}

}  // namespace

void Process::set_name(lib::StringView path) {
    size_t start = 0;
    for (size_t i = 0; i < path.size(); ++i)
        if (path[i] == '/') start = i + 1;
    size_t n = 0;
    for (size_t i = start; i < path.size() && n + 1 < kNameLength; ++i) name[n++] = path[i];
    name[n] = '\0';
}

void init() {
    arch::set_uaccess_fault_resolver(resolve_uaccess_fault);
    arch::set_user_trap_handler(handle_user_trap);
    sched::set_switch_hook(switch_hook);
    init_vdso();
    init_signals();
    init_procfs();
}

ksync::Spinlock& table_lock() {
    return g_table_lock;
}

void set_init_exit_handler(void (*handler)(Process& init, int wait_status)) {
    g_init_exit_handler = handler;
}

lib::Expected<Process*> create_process(Process* parent, int32_t requested) {
    Process* process = vm::create<Process>();
    if (!process) return lib::Error::make(lib::ErrorCode::kEAGAIN, "no memory for a process");
    auto stack = mm::allocate_kernel_stack(kTaskStackSize, "task kernel stack");
    if (!stack) {
        vm::destroy(process);
        return lib::Error::make(lib::ErrorCode::kEAGAIN, "no memory for a task's kernel stack");
    }
    process->main_task.kernel_stack = *stack;
    process->main_task.process = process;
    process->start_ns = ktime::now_ns();
    {
        ksync::Guard guard(g_table_lock);
        int32_t pid = -1;
        bool taken = false;
        bool over_nproc = parent && parent->credentials.uid != 0 &&
                          processes_of(parent->credentials.uid) >= parent->limits[uapi::kRLIMIT_NPROC].soft;
        if (g_count < kMaxProcesses && !over_nproc) pid = allocate_pid(requested, taken);
        if (pid < 0) {
            mm::free_kernel_stack(*stack);
            vm::destroy(process);
            if (taken) return lib::Error::make(lib::ErrorCode::kEEXIST, "set_tid: pid in use");
            return lib::Error::make(lib::ErrorCode::kEAGAIN, "process limit reached");
        }
        process->pid = pid;
        process->main_task.tid = pid;
        __atomic_fetch_add(&g_created, 1, __ATOMIC_RELAXED);
        init_process_signals(*process);
        process->parent = parent;
        if (parent) {
            process->pgid = parent->pgid;
            process->sid = parent->sid;
            process->credentials = parent->credentials;
            for (size_t i = 0; i < kRlimitCount; ++i) process->limits[i] = parent->limits[i];
            process->umask = parent->umask;
            process->personality = parent->personality;
            __builtin_memcpy(process->name, parent->name, kNameLength);
            __builtin_memcpy(process->exe, parent->exe, sizeof process->exe);
            process->exe_path = parent->exe_path;
            process->fs = parent->fs;
            process->next_sibling = parent->first_child;
            parent->first_child = process;
        } else {
            // The first process: in process group 0 and session 0, as
            // Linux's init inherits them from init_task, so it leads
            // neither; its setsid() then succeeds without a fork, as
            // busybox's `setsid` and init expect (docs/proc.md "Objects").
            process->pgid = 0;
            process->sid = 0;
            set_initial_limits(*process);
        }
        process->next_in_table = g_table;
        g_table = process;
        ++g_count;
    }
    // The VFS view and the descriptors: the parent's (copied), or for the
    // first process the namespace's root and an empty table.
    lib::Expected<void> files_ready = {};
    if (parent) {
        if (parent->files) {
            auto copied = parent->files->copy();
            if (copied) process->files = *copied;
            else files_ready = copied.error();
        }
    } else if (fs::ready()) {
        if (auto context = fs::root_context()) {
            ksync::Guard guard(g_table_lock);
            process->fs = *context;
        }
        auto table = fs::FdTable::make();
        if (table) process->files = *table;
        else files_ready = table.error();
    }
    process->fs.umask = process->umask;
    process->fs.credentials = {process->credentials.fsuid, process->credentials.fsgid};
    if (!files_ready) {
        discard_process(process);
        return lib::Error::make(lib::ErrorCode::kENOMEM, "no memory for the descriptor table");
    }
    return process;
}

void discard_process(Process* process) {
    fs::FdTable* table;
    vm::AddressSpace* space;
    {
        ksync::Guard guard(g_table_lock);
        process->state = ProcessState::kZombie;
        table = process->files;
        process->files = nullptr;
        space = process->space;
        process->space = nullptr;
    }
    if (space) vm::AddressSpace::drop_user(space);  // a CLONE_VM parent keeps it
    if (process->main_task.initial_extended_state) vm::free_bytes(process->main_task.initial_extended_state);
    if (table) table->release();
    reap(process);
}

void start_program(Process& process, vm::AddressSpace* space, uint64_t entry, uint64_t stack_pointer) {
    vm::AddressSpace* old = process.space;
    Task& task = process.main_task;
    bool running = current_task() == &task;
    if (running) {
        // The new program's memory is loaded before the old one goes (no
        // other task of the process shares it: de_thread ended them; a
        // vfork parent may, and keeps it), and its FPU starts in the
        // reset state.
        arch::cli();
        {
            ksync::Guard guard(g_table_lock);  // /proc reads it under the lock
            process.space = space;
        }
        vm::switch_address_space(space);
        if (uint8_t* area = sched::current()->extended_state()) {
            sched::reset_extended_state(area);
            sched::load_current_extended_state();
        }
        arch::wrmsr(arch::msr::kFsBase, 0);
        arch::wrmsr(arch::msr::kKernelGsBase, 0);
        arch::sti();
    } else {
        ksync::Guard guard(g_table_lock);
        process.space = space;
    }
    if (old) vm::AddressSpace::drop_user(old);
    arch::InterruptFrame* frame = user_frame(task);
    __builtin_memset(frame, 0, sizeof *frame);
    frame->rip = entry;
    frame->rsp = stack_pointer;
    frame->cs = arch::kUserCodeSelector;
    frame->ss = arch::kUserDataSelector;
    frame->rflags = arch::rflags::kReservedOne | arch::rflags::kInterruptEnable;
    note_registers_rewritten(task);  // the exec call returns through the checked exit (IRETQ: RCX != RIP)
    task.fs_base = 0;
    task.gs_base = 0;
    reset_signals_for_exec(process);
}

lib::Expected<void> start_task(Task& task) {
    sched::SpawnOptions options;
    options.stack_bytes = kThreadStackSize;
    options.extended_state = true;
    // fork and clone inherit the creator's CPU affinity (sched_setaffinity(2):
    // "A child created via fork(2) inherits its parent's CPU affinity
    // mask"); PID 1, started by the kernel, may run anywhere.
    if (Task* creator = current_task(); creator && creator->thread) options.affinity = creator->thread->affinity();
    // The task knows its thread before the thread runs: once it runs, it
    // may clone a thread that calls exit_group at once, which interrupts
    // every task's thread (a task whose pointer was still null slept on in
    // pause(), and its process never ended: the intermittent hang of
    // user_threads_musl); and a thread task may even have ended and been
    // freed before spawn() returned.
    sched::Thread* thread = TRY(sched::spawn_stopped(task.process->name, task_thread, &task, options));
    {
        // Under signal_lock, where exit_group and de_thread look for the
        // thread to interrupt: one that came before it was known is
        // passed on now (the interruption waits for the thread to run).
        Process& process = *task.process;
        ksync::Guard guard(process.signal_lock);
        task.thread = thread;
        if (task.exec_killed || process.group_signals.exiting) interrupt_for_signals(task);
    }
    sched::detach(thread);
    sched::start(thread, options);
    return {};
}

namespace {

// The calling task leaves user mode for good: its robust futexes and
// clear-child-tid word, this CPU off the address space, the task off the
// live count (and off the thread list); the last task also ends the
// process's memory, timer and state. Returns to task_thread, which
// finishes (finish_exit).
[[noreturn]] void exit_task(Task& task, int wait_status) {
    Process* process = task.process;
    {
        // Its CPU time is fixed from here on, with the task's leaving the
        // list readers under this lock walk (for_each_task): what the
        // thread runs after this is not the task's.
        ksync::Guard guard(process->signal_lock);
        task.signals.exiting = true;
        task.cpu_ns = task_cpu_ns(task);
        task.cpu_clock_final = true;
    }
    // Someone still sees the memory: another task, or another process
    // sharing the address space (CLONE_VM: a vfork parent).
    bool others;
    {
        ksync::Guard guard(g_table_lock);
        others = process->live_tasks > 1 || (process->space && process->space->shared_by_processes());
    }
    // Robust futexes it held, then CLONE_CHILD_CLEARTID / set_tid_address:
    // the word zeroed and its waiter woken while others share the memory.
    release_task_futexes(task, others);
    uint64_t kernel_rsp = task.kernel_rsp;
    arch::cli();
    // From here this thread runs for no task: the switch hook keeps it on
    // the kernel's tables, so the last task can destroy the address space.
    sched::current()->owner = nullptr;
    vm::switch_address_space(nullptr);
    arch::sti();
    bool last;
    {
        ksync::Guard guard(g_table_lock);
        last = --process->live_tasks == 0;
        if (last) {
            process->wait_status = process->group_exit_status >= 0 ? process->group_exit_status : wait_status;
            process->state = ProcessState::kExiting;
        }
        if (task.thread_task) {
            ksync::Guard signals(process->signal_lock);
            for (Task** link = &process->threads; *link; link = &(*link)->next_thread) {
                if (*link == &task) {
                    *link = task.next_thread;
                    break;
                }
            }
            // Off the list, its time stays the process's.
            process->exited_threads_cpu_ns += task.cpu_ns;
            --g_thread_count;
        }
    }
    if (last) {
        stop_real_timer(*process);
        // Descriptors close at exit (a pipe's other end then sees EOF).
        // The pointers go under the table lock: /proc reads them under it.
        fs::FdTable* table;
        vm::AddressSpace* space;
        {
            ksync::Guard guard(g_table_lock);
            table = process->files;
            process->files = nullptr;
            space = process->space;
            process->space = nullptr;
        }
        if (table) table->release();
        // Our use of the memory ends; another process's (a CLONE_VM
        // parent or child) goes on (Linux's exit_mm: mmput).
        if (space) vm::AddressSpace::drop_user(space);
        // A session leader's end takes the session's controlling terminal
        // away (Linux's do_exit: disassociate_ctty after exit_files).
        if (process->pid == process->sid && g_session_end_handler) g_session_end_handler(process->sid);
    }
    arch::cli();
    proc_return_to_kernel(kernel_rsp, &task);
}

}  // namespace

[[noreturn]] void exit_current(int wait_status) {
    Task* task = current_task();
    if (!task) PANIC("exit_current outside a task");
    Process* process = task->process;
    bool alone;
    {
        // The first group exit decides the status; the other tasks are
        // interrupted and end with it at their return to user mode. A task
        // another's exec ends (de_thread) ends alone: the exec goes on
        // (Linux's do_group_exit with a group_exec_task).
        ksync::Guard guard(process->signal_lock);
        alone = task->exec_killed;
        if (!alone && process->group_exit_status < 0) process->group_exit_status = wait_status;
        if (!alone) {
            wait_status = process->group_exit_status;
            process->group_signals.exiting = true;
            for_each_task(*process, [&](Task& other) {
                if (&other != task) interrupt_for_signals(other);
            });
        }
    }
    exit_task(*task, alone ? 0 : wait_status);
}

[[noreturn]] void exit_thread(int wait_status) {
    Task* task = current_task();
    if (!task) PANIC("exit_thread outside a task");
    exit_task(*task, wait_status);
}

namespace {

// The last step of a thread's exec (de_thread): the calling thread task,
// now the process's only unfinished one, moves into main_task - the
// process's pid, its place in the tree - and its own Task goes, with the
// old main task's kernel stack. The thread keeps running on the stack it
// is on (now main_task's), so nothing below changes on this CPU but whom
// the thread's `owner` names. Linux's de_thread swaps the pids of the
// exec'ing thread and the old leader, then releases the leader.
void become_main_task(Task& task) {
    Process& process = *task.process;
    Task& main = process.main_task;
    {
        ksync::Guard guard(g_table_lock);  // /proc and kill find tasks under it
        ksync::Guard signals(process.signal_lock);
        for (Task** link = &process.threads; *link; link = &(*link)->next_thread) {
            if (*link == &task) {
                *link = task.next_thread;
                break;
            }
        }
        --g_thread_count;
        lib::swap(main.kernel_stack, task.kernel_stack);
        main.kernel_rsp = task.kernel_rsp;
        main.thread = task.thread;
        // The process's time keeps the old leader's (fixed at its exit),
        // and goes on with this task's clock (its thread's).
        main.cpu_ns += task.cpu_ns;
        main.cpu_clock_final = false;
        main.fs_base = task.fs_base;
        main.gs_base = task.gs_base;
        main.clear_child_tid = task.clear_child_tid;
        main.set_child_tid = 0;
        main.robust_list = task.robust_list;
        main.fault_vector = task.fault_vector;
        main.fault_error_code = task.fault_error_code;
        main.fault_address = task.fault_address;
        main.restart_deadline = task.restart_deadline;
        main.restart_remaining = task.restart_remaining;
        main.exec_killed = false;
        main.return_work = 1;  // the caller's state is main's now: look once
        // The old leader's private pending signals vanish with it; the
        // caller's come along.
        ThreadSignals& from = task.signals;
        ThreadSignals& to = main.signals;
        to.pending.replace_with(from.pending);
        to.blocked = from.blocked;
        to.saved_blocked = from.saved_blocked;
        to.restore_saved = from.restore_saved;
        to.real_blocked = from.real_blocked;
        to.alt_stack = from.alt_stack;
        to.exiting = false;
        // With interrupts off (the guards): the switch hook reads `owner`.
        sched::current()->owner = &main;
    }
    mm::free_kernel_stack(task.kernel_stack);
    vm::destroy(&task);
}

}  // namespace

lib::Expected<void> de_thread(Task& task) {
    Process& process = *task.process;
    bool alone;
    {
        ksync::Guard guard(g_table_lock);
        ksync::Guard signals(process.signal_lock);
        if (process.group_signals.exiting || process.exec_task || task.exec_killed)
            return lib::Error::make(lib::ErrorCode::kEAGAIN, "exec: the thread group is ending");
        alone = process.unfinished_tasks == 1;
        if (!alone) {
            // Every other task ends (Linux's zap_other_threads): each is
            // interrupted wherever it sleeps interruptibly, and a stopped
            // one wakes (below); none may be created from now on.
            process.exec_task = &task;
            for_each_task(process, [&](Task& other) {
                if (&other == &task) return;
                __atomic_store_n(&other.exec_killed, true, __ATOMIC_RELEASE);
                interrupt_for_signals(other);
            });
        }
    }
    if (!alone) {
        process.signal_wait.wake_all();
        // Until the last of them has finished: then nothing runs on the
        // old memory, nothing touches main_task. A fatal signal meanwhile
        // (the group's end, which takes this task too) stops the exec;
        // other signals wait for the new program.
        for (;;) {
            sched::clear_interrupt();
            bool ending;
            {
                ksync::Guard guard(process.signal_lock);
                ending = process.group_signals.exiting;
                if (ending) process.exec_task = nullptr;
            }
            if (ending) return lib::Error::make(lib::ErrorCode::kEAGAIN, "exec: killed while the others ended");
            auto waited = process.exec_wait.wait_event(
                [&] { return __atomic_load_n(&process.unfinished_tasks, __ATOMIC_ACQUIRE) == 1; },
                sched::WaitOptions::interruptible_until());
            if (waited) break;
        }
        ksync::Guard guard(process.signal_lock);
        process.exec_task = nullptr;
    }
    if (&task != &process.main_task) become_main_task(task);
    return {};
}

lib::Expected<Task*> create_thread(Process& process, int32_t requested) {
    Task* task = vm::create<Task>();
    if (!task) return lib::Error::make(lib::ErrorCode::kEAGAIN, "no memory for a task");
    auto stack = mm::allocate_kernel_stack(kTaskStackSize, "task kernel stack");
    if (!stack) {
        vm::destroy(task);
        return lib::Error::make(lib::ErrorCode::kEAGAIN, "no memory for a task's kernel stack");
    }
    task->kernel_stack = *stack;
    task->process = &process;
    task->thread_task = true;
    task->signals.owner = task;
    bool refused;
    {
        ksync::Guard guard(g_table_lock);
        bool taken = false;
        int32_t tid = g_count + g_thread_count < kMaxProcesses ? allocate_pid(requested, taken) : -1;
        if (tid < 0 || process.state != ProcessState::kRunning || process.group_exit_status >= 0) {
            mm::free_kernel_stack(*stack);
            vm::destroy(task);
            if (taken) return lib::Error::make(lib::ErrorCode::kEEXIST, "set_tid: tid in use");
            return lib::Error::make(lib::ErrorCode::kEAGAIN, "task limit reached");
        }
        ksync::Guard signals(process.signal_lock);
        // An exec ends every other task (de_thread), a group exit every task.
        refused = process.exec_task || process.group_signals.exiting;
        if (!refused) {
            task->tid = tid;
            task->next_thread = process.threads;
            process.threads = task;
            ++process.live_tasks;
            ++process.unfinished_tasks;
            ++g_thread_count;
        }
    }
    if (refused) {
        mm::free_kernel_stack(task->kernel_stack);
        vm::destroy(task);
        return lib::Error::make(lib::ErrorCode::kEAGAIN, "the thread group is ending");
    }
    return task;
}

void discard_thread(Task* task) {
    Process& process = *task->process;
    {
        ksync::Guard guard(g_table_lock);
        ksync::Guard signals(process.signal_lock);
        for (Task** link = &process.threads; *link; link = &(*link)->next_thread) {
            if (*link == task) {
                *link = task->next_thread;
                break;
            }
        }
        --process.live_tasks;
        --process.unfinished_tasks;
        --g_thread_count;
    }
    mm::free_kernel_stack(task->kernel_stack);
    vm::destroy(task);
}

void release_vfork_parent(Process& child) {
    if (!child.vfork_parent) return;
    Process* parent = child.vfork_parent;
    child.vfork_parent = nullptr;
    __atomic_store_n(&child.vfork_done, true, __ATOMIC_RELEASE);
    parent->children_changed.wake_all();
}

void reap(Process* process) {
    {
        ksync::Guard guard(g_table_lock);
        DEBUG_ASSERT(process->state == ProcessState::kZombie);
        for (Process** link = &g_table; *link; link = &(*link)->next_in_table) {
            if (*link == process) {
                *link = process->next_in_table;
                break;
            }
        }
        if (Process* parent = process->parent) {
            parent->children_cpu_ns += exited_process_cpu_ns(*process) + process->children_cpu_ns;
            for (Process** link = &parent->first_child; *link; link = &(*link)->next_sibling) {
                if (*link == process) {
                    *link = process->next_sibling;
                    break;
                }
            }
        }
        --g_count;
    }
    mm::free_kernel_stack(process->main_task.kernel_stack);
    vm::destroy(process);
}

void set_session_end_handler(void (*handler)(int32_t sid)) {
    g_session_end_handler = handler;
}

int32_t session_of_group(int32_t pgid) {
    if (pgid <= 0) return 0;
    ksync::Guard guard(g_table_lock);
    for (Process* p = g_table; p; p = p->next_in_table)
        if (p->pgid == pgid && p->state == ProcessState::kRunning) return p->sid;
    return 0;
}

Process* find_process(int32_t pid) {
    ksync::Guard guard(g_table_lock);
    return find_process_locked(pid);
}

Process* find_process_locked(int32_t pid) {
    for (Process* p = g_table; p; p = p->next_in_table)
        if (p->pid == pid) return p;
    return nullptr;
}

bool with_live_task(int32_t tid, void (*visit)(Task& task, void* argument), void* argument) {
    // A task on its process's list (and not marked exiting) has a thread
    // that cannot finish while the table lock is held: exit_task passes
    // through it first.
    ksync::Guard guard(g_table_lock);
    for (Process* p = g_table; p; p = p->next_in_table) {
        if (p->state != ProcessState::kRunning) continue;
        Task* found = nullptr;
        for_each_task(*p, [&](Task& task) {
            if (task.tid == tid && task.thread) found = &task;
        });
        if (found) {
            visit(*found, argument);
            return true;
        }
    }
    return false;
}

uint64_t processes_created() { return __atomic_load_n(&g_created, __ATOMIC_RELAXED); }
int32_t last_pid() {
    ksync::Guard guard(g_table_lock);
    return g_last_pid;
}

void for_each_process(void (*visit)(Process& process, void* argument), void* argument) {
    ksync::Guard guard(g_table_lock);
    for (Process* p = g_table; p; p = p->next_in_table) visit(*p, argument);
}

size_t process_count() {
    ksync::Guard guard(g_table_lock);
    return g_count;
}

uint64_t task_cpu_ns(const Task& task) {
    // Its thread's clock while the task lives: read under the thread's run
    // queue lock, consistent from any CPU (a job alone on its CPU that never
    // switches: top's %CPU); the thread is its own, or the caller holds
    // signal_lock, under which exit_task fixes the value before the thread
    // may end.
    if (task.cpu_clock_final || !task.thread) return task.cpu_ns;
    return task.cpu_ns + sched::cpu_time_ns(task.thread);
}

uint64_t exited_process_cpu_ns(const Process& process) {
    return process.main_task.cpu_ns + process.exited_threads_cpu_ns;
}

}  // namespace proc
