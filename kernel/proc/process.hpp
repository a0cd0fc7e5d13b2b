// Processes and their tasks (docs/proc.md): the process tree (pid, parent,
// children), credentials, resource limits, the address space (kernel/vm),
// the exit status, and each task's user-mode state (FS and GS base, the
// clear-child-tid word, its kernel stack and the user registers of its
// current entry into the kernel).
//
// A task runs its program with run_task(): the calling kernel code (the
// boot thread before the scheduler, a thread of its own after) enters user
// mode on the task's own kernel stack, and run_task() returns the wait
// status once the task has exited (exit_current(): exit, exit_group, a
// fatal fault). Entries from user mode (SYSCALL, interrupts, exceptions)
// land at the top of the task's kernel stack, so the user registers are
// always at user_frame(task).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86_64/interrupt_frame.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/vm/address_space.hpp"
#include "lib/expected.hpp"
#include "lib/string_view.hpp"

namespace proc {

inline constexpr int32_t kMaxPid = 32768;  // /proc/sys/kernel/pid_max's default
inline constexpr size_t kNameLength = 16;  // TASK_COMM_LEN, NUL included
inline constexpr size_t kRlimitCount = 16;
inline constexpr uint64_t kRlimInfinity = ~0ULL;

struct Credentials {
    uint32_t uid = 0, euid = 0, suid = 0, fsuid = 0;
    uint32_t gid = 0, egid = 0, sgid = 0, fsgid = 0;
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
    uint64_t robust_list = 0;      // set_robust_list's head (walked at exit by issue 12)
    mm::KernelStack kernel_stack{};
    uint64_t kernel_rsp = 0;     // run_task's own stack while the task is in user mode
    uint64_t cpu_ns = 0;         // time run (user and kernel) before `running_since`
    uint64_t running_since = 0;  // ktime::now_ns() when it last started running
    bool fresh_fpu = true;       // enter user mode with the FPU in its initial state
};

enum class ProcessState : uint8_t { kRunning, kZombie };

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

    vm::AddressSpace* space = nullptr;
    ProcessState state = ProcessState::kRunning;
    int wait_status = 0;  // as wait4 reports it: exit code << 8, or the signal number

    Task main_task;

    void set_name(lib::StringView path);
};

// The task running on this CPU (nullptr: kernel code that runs for no
// process).
Task* current_task();
inline Process* current_process() {
    Task* task = current_task();
    return task ? task->process : nullptr;
}

// The user registers of `task`'s current entry into the kernel.
inline arch::InterruptFrame* user_frame(const Task& task) {
    return reinterpret_cast<arch::InterruptFrame*>(task.kernel_stack.top - sizeof(arch::InterruptFrame));
}

// The process layer's hooks: the user trap handler (page faults through
// kernel/vm; other exceptions end the program), the uaccess fault resolver,
// and SSE enabled for user code on every CPU. Once, after smp and vm.
void init();
// The same for one CPU (CR4.OSFXSR/OSXMMEXCPT): init() runs it everywhere.
void init_this_cpu();

// A new process (no parent: the kernel's own, as PID 1 is) with a pid, a
// kernel stack for its task and nothing mapped: exec fills it in.
lib::Expected<Process*> create_process(Process* parent);
// Installs `space` as the process's memory (the old one is destroyed) and
// starts its task at `entry` with `stack_pointer`, the registers cleared as
// execve leaves them.
void start_program(Process& process, vm::AddressSpace* space, uint64_t entry, uint64_t stack_pointer);

// Enters user mode for `task` and returns its wait status when it has
// exited. Interrupts on.
int run_task(Task& task);

// Ends the calling task's process with `wait_status` (exit code << 8, or a
// signal number) and returns to run_task()'s caller. From a system call or
// from a user-mode exception of the current task.
[[noreturn]] void exit_current(int wait_status);

// Frees a process that has exited (its zombie: pid, kernel stack).
void reap(Process* process);

// The process with `pid`, or nullptr.
Process* find_process(int32_t pid);
// How many processes exist (zombies included).
size_t process_count();

// CPU time of a task / of a process's tasks, in nanoseconds.
uint64_t task_cpu_ns(const Task& task);

}  // namespace proc
