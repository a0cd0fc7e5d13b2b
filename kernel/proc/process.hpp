// Processes and their tasks (docs/proc.md): the process tree (pid, parent,
// children), credentials, resource limits, the address space (kernel/vm),
// the exit status, and each task's user-mode state (FS and GS base, the
// clear-child-tid word, its kernel stack and the user registers of its
// current entry into the kernel).
//
// Each task runs in a scheduler thread of its own (start_task), whose
// `owner` slot points at the task: the thread enters user mode through
// run_task() on the task's own kernel stack and comes back when the task
// has exited (exit_current(): exit, exit_group, a fatal fault); then the
// thread makes the process a zombie, wakes its parent and ends. Entries
// from user mode (SYSCALL, interrupts, exceptions) land at the top of the
// task's kernel stack, so the user registers are always at user_frame(task).
// The scheduler's switch hook loads a task's address space, FS and GS base
// and kernel stack top whenever its thread gets a CPU.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/fs/fd_table.hpp"
#include "kernel/fs/vfs.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/proc/interval_timer.hpp"
#include "kernel/proc/signal_state.hpp"
#include "kernel/sched/sched.hpp"
#include "kernel/vm/address_space.hpp"
#include "kernel/sync/spinlock.hpp"
#include "kernel/time/time.hpp"
#include "lib/expected.hpp"
#include "lib/string_view.hpp"

namespace proc {

inline constexpr int32_t kMaxPid = 32768;  // /proc/sys/kernel/pid_max's default
inline constexpr size_t kNameLength = 16;  // TASK_COMM_LEN, NUL included
inline constexpr size_t kRlimitCount = 16;
inline constexpr uint64_t kRlimInfinity = ~0ULL;

// Supplementary groups a process may have (Linux allows NGROUPS_MAX,
// 65536; setgroups past this is ENOMEM here, docs/syscalls.md).
inline constexpr uint32_t kMaxGroups = 64;

struct Credentials {
    uint32_t uid = 0, euid = 0, suid = 0, fsuid = 0;
    uint32_t gid = 0, egid = 0, sgid = 0, fsgid = 0;
    // setgroups(2)'s list, sorted as Linux's groups_sort leaves it.
    uint32_t group_count = 0;
    uint32_t groups[kMaxGroups] = {};
};

struct ResourceLimit {
    uint64_t soft = kRlimInfinity;
    uint64_t hard = kRlimInfinity;
};

class Process;

struct Task {
    int32_t tid = 0;
    Process* process = nullptr;
    uint64_t fs_base = 0;          // IA32_FS_BASE while it runs (arch_prctl ARCH_SET_FS)
    uint64_t gs_base = 0;          // the user's GS base (IA32_KERNEL_GS_BASE while in the kernel)
    uint64_t clear_child_tid = 0;  // set_tid_address, CLONE_CHILD_CLEARTID
    uint64_t set_child_tid = 0;    // CLONE_CHILD_SETTID: written by the child before it runs
    uint64_t robust_list = 0;      // set_robust_list's head (walked at exit by issue 12)
    mm::KernelStack kernel_stack{};
    uint64_t kernel_rsp = 0;     // the task thread's own stack while the task is in user mode
    // CPU time (user and kernel): while the task has a live clock
    // (`thread` set and `cpu_clock_final` clear), cpu_ns plus its thread's
    // scheduler clock (sched::cpu_time_ns: the switch path keeps no clock
    // of its own, docs/proc.md "CPU time"); once the task exits, the whole,
    // fixed (exit_task, under the process's signal_lock). cpu_ns before
    // that: what an exec's de_thread carried over from the old leader.
    uint64_t cpu_ns = 0;
    bool cpu_clock_final = false;
    sched::Thread* thread = nullptr;
    uint8_t* initial_extended_state = nullptr;  // fork: the parent's registers, loaded by the child's thread

    // Signals (issue 12, kernel/proc/signals.hpp): the mask, private
    // pending set and alternate stack, under the process's signal_lock.
    ThreadSignals signals;
    // Non-zero while the return to user mode may have signal work to do
    // (Linux's TIF_SIGPENDING, docs/signals.md §7): the return path tests
    // this one word instead of the whole signal state. Set under
    // signal_lock by whatever may give the task work (a signal queued for
    // it or its group, a group exit, stop or continue, an interrupted
    // sleep); cleared by the task itself, only when nothing is pending at
    // all (not even a blocked signal, which sigprocmask may unblock). A new
    // task starts with it set (its group may have signals pending). The
    // system-call exit also reads it (entry.S), and the task sets
    // kReturnWorkRegisters in it when a call rewrote its user registers
    // (signals.hpp).
    uint32_t return_work = 1;
    // The last user-mode fault, for a signal frame's trapno, err and cr2.
    uint64_t fault_vector = 0, fault_error_code = 0, fault_address = 0;
    // restart_syscall(2) after an interrupted nanosleep: its deadline and
    // where the time left goes (Linux's restart_block).
    uint64_t restart_deadline = 0, restart_remaining = 0;

    // Threads (CLONE_THREAD, issue 12): the process's other tasks, linked
    // under the table lock and the process's signal_lock; `thread_task`
    // for those (main_task is the process's own).
    Task* next_thread = nullptr;
    bool thread_task = false;
    // A thread task's own comm (prctl PR_SET_NAME, /proc/<pid>/task/<tid>/
    // comm): Linux names each thread; the main task's is the process's
    // `name`. task_name() gives either.
    char name[kNameLength] = {};
    // Another task of the process is in execve (de_thread): this one ends,
    // as by SIGKILL, at its next return to user mode, and interruptible
    // sleeps end for it (set under the table lock and signal_lock).
    bool exec_killed = false;
};

// kExiting: the task has left user mode for good but its thread still
// finishes; only a zombie may be reaped.
enum class ProcessState : uint8_t { kRunning, kExiting, kZombie };

class Process {
public:
    int32_t pid = 0;
    int32_t pgid = 0;
    int32_t sid = 0;
    Process* parent = nullptr;
    Process* first_child = nullptr;
    Process* next_sibling = nullptr;
    Process* next_in_table = nullptr;

    Credentials credentials;
    ResourceLimit limits[kRlimitCount];
    uint32_t umask = 022;
    uint32_t personality = 0;
    char name[kNameLength] = {};  // comm: the program's base name, prctl(PR_SET_NAME)
    char exe[256] = {};           // the program's path as exec opened it (/proc/self/exe)
    // The program's file in the VFS (/proc/<pid>/exe; empty for a program
    // from a Limine module). Changed under the table lock, as `fs`'s cwd
    // and root and the `files` and `space` pointers are (procfs reads them
    // under it).
    fs::Path exe_path;

    vm::AddressSpace* space = nullptr;
    fs::Context fs;                 // root, cwd, umask, credentials for the VFS
    fs::FdTable* files = nullptr;   // the descriptors (nullptr before the VFS, or once exited)
    ProcessState state = ProcessState::kRunning;
    int wait_status = 0;  // as wait4 reports it: exit code << 8, or the signal number
    int exit_signal = 0;  // sent to the parent at exit (clone's CSIGNAL byte; SIGCHLD for fork)
    uint64_t start_ns = 0;
    uint64_t children_cpu_ns = 0;  // reaped children's CPU time (RUSAGE_CHILDREN, times)
    // The CPU time of its threads that have exited (not the main task's),
    // under signal_lock: part of the process's time, as Linux's
    // signal->sum_sched_runtime.
    uint64_t exited_threads_cpu_ns = 0;

    // vfork: the parent sleeps until its child has exec'd or exited.
    Process* vfork_parent = nullptr;
    bool vfork_done = false;

    // Woken when a child changes state (exits, vfork releases): wait4,
    // waitid and vfork wait here.
    sched::WaitQueue children_changed{"wait"};

    Task main_task;

    // Signals (issue 12, kernel/proc/signals.hpp): the dispositions and the
    // group's shared pending set, stop and exit state.
    ksync::Spinlock signal_lock;
    SignalHandlers signal_handlers;
    GroupSignals group_signals;
    // A stopped group's tasks sleep here until SIGCONT or SIGKILL.
    sched::WaitQueue signal_wait{"stopped"};
    // What wait4's WUNTRACED / WCONTINUED report next (under the table
    // lock): the stop's wait status (signal << 8 | 0x7f; 0: none), a continue.
    int stop_report = 0;
    bool continue_report = false;
    // A SIGCONT ended a stop and the parent has not heard yet.
    bool continued_unreported = false;
    // ITIMER_REAL (setitimer, alarm): its state under signal_lock, and the
    // deadline that sends SIGALRM.
    IntervalTimer real_timer;
    ktime::Deadline real_deadline;

    // Threads: the tasks besides main_task (CLONE_THREAD), how many tasks
    // have not left user mode for good yet, how many tasks' threads have
    // not finished yet (both under the table lock), and the status of a
    // group exit (exit_group, a fatal signal; -1 before one), which every
    // task then ends with. The last task out of user mode ends the
    // process's memory; only the last thread to finish makes the process
    // a zombie, because a reaped process takes main_task (and its kernel
    // stack) with it, and another task's thread may still be on its way
    // out through them.
    Task* threads = nullptr;
    uint32_t live_tasks = 1;
    uint32_t unfinished_tasks = 1;
    int group_exit_status = -1;
    // execve from a process with threads (de_thread, docs/signals.md §7):
    // the task that execs while the others end (under signal_lock; no
    // thread may be created meanwhile), and where it waits for the last
    // of them to finish (woken under the table lock).
    Task* exec_task = nullptr;
    sched::WaitQueue exec_wait{"de_thread"};

    void set_name(lib::StringView path);
};

// The task running on this CPU (nullptr: kernel code that runs for no
// process).
inline Task* current_task() {
    sched::Thread* thread = sched::current();
    return thread ? static_cast<Task*>(thread->owner) : nullptr;
}
inline Process* current_process() {
    Task* task = current_task();
    return task ? task->process : nullptr;
}

// The VFS's view of the process's credentials (`fs.credentials`): its fs
// uid and gid and its supplementary groups, after any of them changed or
// the process was made (a fork's copy points at the child's own list).
inline void sync_fs_credentials(Process& process) {
    const Credentials& c = process.credentials;
    process.fs.credentials = {c.fsuid, c.fsgid, c.groups, c.group_count};
}

// The comm of `task` (docs/proc.md "Names"): a thread task's own, the main
// task's is its process's.
inline char* task_name(Task& task) {
    return task.thread_task ? task.name : task.process->name;
}

// The user registers of `task`'s current entry into the kernel. Rewriting
// them during a system call needs note_registers_rewritten() (signals.hpp).
inline arch::InterruptFrame* user_frame(const Task& task) {
    return reinterpret_cast<arch::InterruptFrame*>(task.kernel_stack.top - sizeof(arch::InterruptFrame));
}

// The process layer's hooks: the user trap handler (page faults through
// kernel/vm; other exceptions end the program), the uaccess fault resolver
// and the scheduler's switch hook. Once, after the scheduler and vm.
void init();

// How many processes may exist at once (a fork bomb gets EAGAIN).
inline constexpr size_t kMaxProcesses = 4096;

// A new process (no parent: the kernel's own, as PID 1 is) with a pid, a
// kernel stack for its task and nothing mapped: exec or fork fills it in.
// EAGAIN past kMaxProcesses (or the parent's RLIMIT_NPROC, for non-root).
// `pid`: that pid (clone3's set_tid), EEXIST when it is in use; 0: the
// next free one.
lib::Expected<Process*> create_process(Process* parent, int32_t pid = 0);
// Undoes create_process for a process that never ran.
void discard_process(Process* process);
// Installs `space` as the process's memory (the old one is destroyed) and
// starts its task at `entry` with `stack_pointer`, the registers cleared as
// execve leaves them.
void start_program(Process& process, vm::AddressSpace* space, uint64_t entry, uint64_t stack_pointer);

// Starts the thread of a task whose process is ready (address space and
// user registers in place).
lib::Expected<void> start_task(Task& task);

// Ends the calling task's process with `wait_status` (exit code << 8, or a
// signal number): its other tasks are interrupted and end with the same
// status (exit_group, a fatal signal). From a system call or from a
// user-mode exception of the current task.
[[noreturn]] void exit_current(int wait_status);
// exit(2): ends the calling task only; the process ends with its last task.
[[noreturn]] void exit_thread(int wait_status);

// execve's de_thread (Linux's fs/exec.c): every other task of the calling
// task's process ends as if killed (robust lists and clear-child-tid words
// handled as at any thread's exit, private pending signals gone), and once
// all have finished the caller is the process's only task - its main task,
// with the process's pid (a thread that execs takes the leader's place;
// its own tid is freed). EAGAIN when the group is ending already (a fatal
// signal, or another task's exec came first): the caller then ends on its
// way back to user mode. Called by exec past its last ordinary failure.
lib::Expected<void> de_thread(Task& task);

// CLONE_THREAD: a new task of `process` (a tid from the pid space, a
// kernel stack), counted live and linked into its thread list; EAGAIN at
// the task limit; `tid` as create_process's `pid`. discard_thread undoes
// it for a task that never ran.
lib::Expected<Task*> create_thread(Process& process, int32_t tid = 0);
void discard_thread(Task* task);

// Calls `visit` for each task of `process` that has not ended, main_task
// first (the process's signal_lock or the table lock held).
template <typename Visit>
void for_each_task(Process& process, Visit&& visit) {
    if (!process.main_task.signals.exiting) visit(process.main_task);
    for (Task* task = process.threads; task; task = task->next_thread) visit(*task);
}

// vfork: lets the parent go on (the child exec'd or is exiting).
void release_vfork_parent(Process& child);

// Frees a zombie (pid, kernel stack, the process); with the table lock
// not held.
void reap(Process* process);

// The table lock: the process tree (parent, children, states) changes
// under it. wait4 scans children under it.
ksync::Spinlock& table_lock();

// What to do when PID 1 ends (the init code's: report and power off).
void set_init_exit_handler(void (*handler)(Process& init, int wait_status));

// What to do when a session leader's process ends (the terminal layer's:
// its controlling terminal loses the session, docs/tty.md). Called in the
// ending process's thread, after its descriptors closed, with no lock held.
void set_session_end_handler(void (*handler)(int32_t sid));

// The session of process group `pgid`'s live members (0: no such group),
// for tcsetpgrp's ESRCH and EPERM.
int32_t session_of_group(int32_t pgid);

// The process with `pid`, or nullptr.
Process* find_process(int32_t pid);
// The same with the table lock held by the caller (the process stays
// valid while it is held).
Process* find_process_locked(int32_t pid);
// Calls `visit` with the live task whose thread id is `tid` (its thread
// stays valid meanwhile) under the table lock: `visit` must not sleep.
// False when no live task has that id.
bool with_live_task(int32_t tid, void (*visit)(Task& task, void* argument), void* argument);
// Processes made since boot (fork, clone, vfork: /proc/stat's "processes").
uint64_t processes_created();
// The last pid handed out (/proc/loadavg).
int32_t last_pid();
// Calls `visit` for every process (zombies included) with the table lock
// held: `visit` may take a process's signal_lock, nothing that sleeps.
void for_each_process(void (*visit)(Process& process, void* argument), void* argument);
// How many processes exist (zombies included).
size_t process_count();

// CPU time of a task, in nanoseconds: the caller's own task, or any task
// with its process's signal_lock held (its thread can not end meanwhile).
uint64_t task_cpu_ns(const Task& task);
// The CPU time of a process that has ended (every task exited): its main
// task's and its other threads'.
uint64_t exited_process_cpu_ns(const Process& process);

}  // namespace proc
