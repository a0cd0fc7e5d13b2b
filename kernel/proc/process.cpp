// Processes: the table, user-mode entry and exit, and the user trap
// handler (docs/proc.md).
#include "kernel/proc/process.hpp"

#include "kernel/abi/linux_proc.hpp"
#include "kernel/abi/linux_signal.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/assert.hpp"
#include "kernel/proc/fault_signals.hpp"
#include "kernel/smp/smp.hpp"
#include "kernel/sync/spinlock.hpp"
#include "kernel/time/time.hpp"
#include "kernel/vm/allocation.hpp"
#include "kernel/vm/kernel_services.hpp"

extern "C" int proc_enter_user(arch::InterruptFrame* frame, uint64_t* save);
extern "C" [[noreturn]] void proc_return_to_kernel(uint64_t saved, int value);

namespace proc {
namespace {

// Each task's kernel stack: entries from user mode and the system calls
// run here (16 KiB as Linux's THREAD_SIZE).
constexpr size_t kTaskStackSize = 16 * 1024;

PER_CPU constinit arch::PerCpu<Task*> g_current;

ksync::Spinlock g_table_lock;
Process* g_table = nullptr;  // every process, linked through next_in_table
size_t g_count = 0;
int32_t g_last_pid = 0;

bool pid_in_use(int32_t pid) {
    for (Process* p = g_table; p; p = p->next_in_table)
        if (p->pid == pid || p->pgid == pid || p->sid == pid) return true;
    return false;
}

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

void set_current(Task* task) {
    arch::PreemptGuard guard;
    g_current.local() = task;
}

// A page fault the address space resolves (demand paging, copy-on-write,
// stack growth) lets the kernel's user copy go on.
bool resolve_uaccess_fault(uint64_t address, uint64_t error_code) {
    return vm::handle_page_fault(address, error_code) == vm::FaultResult::kResolved;
}

const char* signal_name(int signal) {
    switch (signal) {
        case uapi::kSIGSEGV: return "SIGSEGV";
        case uapi::kSIGBUS: return "SIGBUS";
        case uapi::kSIGILL: return "SIGILL";
        case uapi::kSIGFPE: return "SIGFPE";
        case uapi::kSIGTRAP: return "SIGTRAP";
        case uapi::kSIGKILL: return "SIGKILL";
        default: return "a signal";
    }
}

// An exception in user mode. A page fault goes to the address space
// (with interrupts on, as Linux's do_user_addr_fault runs); what it cannot
// resolve, and every other exception, ends the program with the signal
// Linux would raise (fault_signals.hpp). Until signals are wired (issue 12)
// nothing can catch it: the default action, termination, is what happens.
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
            exit_current(uapi::kSIGKILL);
        }
        signal = page_fault_signal(cr2, result == vm::FaultResult::kAccessError, result == vm::FaultResult::kBusError);
    } else {
        signal = fault_signal(frame.vector, frame.rip);
        if (signal.signal == 0) return;  // a spurious FPU exception
    }
    klog::warn("proc: {}[{}] killed by {} (vector {}, code {}) at address {:#x}, rip={:#x}", task->process->name,
               task->process->pid, signal_name(signal.signal), frame.vector, signal.code, signal.address, frame.rip);
    exit_current(signal.signal);
}

// Linux's limits for init (include/asm-generic/resource.h, INIT_RLIMITS):
// 8 MiB of stack, 1024/4096 descriptors, 8 MiB locked memory, no core
// files by default, 819200 bytes of message queues; the rest unlimited.
// (RLIMIT_NPROC and RLIMIT_SIGPENDING Linux derives from the memory size;
// ours: the process table's size.)
void set_initial_limits(Process& process) {
    process.limits[uapi::kRLIMIT_STACK] = {8ULL << 20, kRlimInfinity};
    process.limits[uapi::kRLIMIT_CORE] = {0, kRlimInfinity};
    process.limits[uapi::kRLIMIT_NOFILE] = {1024, 4096};
    process.limits[uapi::kRLIMIT_MEMLOCK] = {8ULL << 20, 8ULL << 20};
    process.limits[uapi::kRLIMIT_MSGQUEUE] = {819200, 819200};
    process.limits[uapi::kRLIMIT_NPROC] = {kMaxPid / 2, kMaxPid / 2};
    process.limits[uapi::kRLIMIT_SIGPENDING] = {kMaxPid / 2, kMaxPid / 2};
    process.limits[uapi::kRLIMIT_NICE] = {0, 0};
    process.limits[uapi::kRLIMIT_RTPRIO] = {0, 0};
}

void init_cpu_callback(void*) {
    init_this_cpu();
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

Task* current_task() {
    arch::PreemptGuard guard;
    return g_current.local();
}

void init_this_cpu() {
    // SSE for user code (SDM Vol. 3A §13.1.3): FXSAVE/FXRSTOR and SIMD
    // instructions allowed, unmasked SIMD exceptions as #XM. The kernel
    // itself is built without SSE.
    arch::write_cr4(arch::read_cr4() | arch::cr4::kOsFxsr | arch::cr4::kOsXmmExceptions);
}

void init() {
    arch::set_uaccess_fault_resolver(resolve_uaccess_fault);
    arch::set_user_trap_handler(handle_user_trap);
    smp::call_on_all(init_cpu_callback, nullptr);
}

lib::Expected<Process*> create_process(Process* parent) {
    Process* process = vm::create<Process>();
    if (!process) return lib::Error::make(lib::ErrorCode::kEAGAIN, "no memory for a process");
    auto stack = mm::allocate_kernel_stack(kTaskStackSize, "task kernel stack");
    if (!stack) {
        vm::destroy(process);
        return lib::Error::make(lib::ErrorCode::kEAGAIN, "no memory for a task's kernel stack");
    }
    process->main_task.kernel_stack = *stack;
    process->main_task.process = process;
    {
        ksync::Guard guard(g_table_lock);
        int32_t pid = allocate_pid();
        if (pid < 0) {
            mm::free_kernel_stack(*stack);
            vm::destroy(process);
            return lib::Error::make(lib::ErrorCode::kEAGAIN, "no free pid");
        }
        process->pid = pid;
        process->main_task.tid = pid;
        process->parent = parent;
        if (parent) {
            process->pgid = parent->pgid;
            process->sid = parent->sid;
            process->credentials = parent->credentials;
            for (size_t i = 0; i < kRlimitCount; ++i) process->limits[i] = parent->limits[i];
            process->umask = parent->umask;
            process->personality = parent->personality;
            __builtin_memcpy(process->name, parent->name, kNameLength);
            process->next_sibling = parent->first_child;
            parent->first_child = process;
        } else {
            // The first process: its own group and session (as init's are).
            process->pgid = pid;
            process->sid = pid;
            set_initial_limits(*process);
        }
        process->next_in_table = g_table;
        g_table = process;
        ++g_count;
    }
    return process;
}

void start_program(Process& process, vm::AddressSpace* space, uint64_t entry, uint64_t stack_pointer) {
    vm::AddressSpace* old = process.space;
    process.space = space;
    Task& task = process.main_task;
    if (current_task() == &task) {
        vm::switch_address_space(space);
        if (old) vm::AddressSpace::destroy(old);
    } else if (old) {
        vm::AddressSpace::destroy(old);
    }
    arch::InterruptFrame* frame = user_frame(task);
    __builtin_memset(frame, 0, sizeof *frame);
    frame->rip = entry;
    frame->rsp = stack_pointer;
    frame->cs = arch::kUserCodeSelector;
    frame->ss = arch::kUserDataSelector;
    frame->rflags = arch::rflags::kReservedOne | arch::rflags::kInterruptEnable;
    task.fs_base = 0;
    task.gs_base = 0;
    task.fresh_fpu = true;
}

int run_task(Task& task) {
    set_current(&task);
    vm::switch_address_space(task.process->space);
    arch::set_kernel_stack_top(task.kernel_stack.top);
    arch::wrmsr(arch::msr::kFsBase, task.fs_base);
    arch::wrmsr(arch::msr::kKernelGsBase, task.gs_base);
    if (task.fresh_fpu) {
        // The initial FPU state of a new program (x87 reset, MXCSR's
        // power-on value with every exception masked: SDM Vol. 1 §10.2.3.1).
        uint32_t mxcsr = 0x1f80;
        asm volatile("fninit; ldmxcsr %0" ::"m"(mxcsr));
        task.fresh_fpu = false;
    }
    task.running_since = ktime::now_ns();
    int status = proc_enter_user(user_frame(task), &task.kernel_rsp);
    // Back from exit_current: the task is gone from user mode.
    set_current(nullptr);
    return status;
}

[[noreturn]] void exit_current(int wait_status) {
    Task* task = current_task();
    if (!task) PANIC("exit_current outside a task");
    Process* process = task->process;
    task->cpu_ns += ktime::now_ns() - task->running_since;
    if (task->clear_child_tid) {
        // CLONE_CHILD_CLEARTID / set_tid_address: zero the word (and, once
        // futexes are wired, wake a waiter on it).
        (void)arch::store_user_u32(task->clear_child_tid, 0);
    }
    vm::switch_address_space(nullptr);
    vm::AddressSpace* space = process->space;
    process->space = nullptr;
    if (space) vm::AddressSpace::destroy(space);
    {
        ksync::Guard guard(g_table_lock);
        process->wait_status = wait_status;
        process->state = ProcessState::kZombie;
        // Orphans go to PID 1 (or nowhere, when it is the one leaving).
        Process* init = nullptr;
        for (Process* p = g_table; p; p = p->next_in_table)
            if (p->pid == 1 && p != process) init = p;
        while (Process* child = process->first_child) {
            process->first_child = child->next_sibling;
            child->parent = init;
            if (init) {
                child->next_sibling = init->first_child;
                init->first_child = child;
            } else {
                child->next_sibling = nullptr;
            }
        }
    }
    arch::cli();
    proc_return_to_kernel(task->kernel_rsp, wait_status);
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

Process* find_process(int32_t pid) {
    ksync::Guard guard(g_table_lock);
    for (Process* p = g_table; p; p = p->next_in_table)
        if (p->pid == pid) return p;
    return nullptr;
}

size_t process_count() {
    ksync::Guard guard(g_table_lock);
    return g_count;
}

uint64_t task_cpu_ns(const Task& task) {
    uint64_t ns = task.cpu_ns;
    if (current_task() == &task) ns += ktime::now_ns() - task.running_since;
    return ns;
}

}  // namespace proc
