// Futexes and robust lists (docs/signals.md §5, §7; futex(2),
// get_robust_list(2)), on kernel/proc/futex.hpp.
#include "kernel/abi/linux_syscalls.hpp"
#include "kernel/proc/futex.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/syscall/syscall.hpp"
#include "kernel/syscall/user_memory.hpp"

namespace sys {
namespace {

using lib::Errno;

lib::Expected<int64_t> sys_futex(uint64_t uaddr, int op, uint32_t val, uint64_t timeout_or_val2, uint64_t uaddr2,
                                 uint32_t val3) {
    return TRY(proc::futex(uaddr, op, val, timeout_or_val2, uaddr2, val3));
}

// get_robust_list(2): pid 0 is the caller; the head and its size (24).
lib::Expected<int64_t> sys_get_robust_list(int pid, UserPtr<uint64_t> head, UserPtr<uint64_t> length) {
    proc::Task* task = proc::current_task();
    if (pid != 0) {
        proc::Process* process = proc::find_process(pid);
        if (!process || process->state != proc::ProcessState::kRunning)
            return lib::Error::make(Errno::kESRCH, "get_robust_list: no such thread");
        task = &process->main_task;
    }
    uint64_t value = task->robust_list;
    TRY(copy_out(length, uint64_t(24)));
    TRY(copy_out(head, value));
    return 0;
}

}  // namespace

void add_thread_calls(Entry* table) {
    table[uapi::kNR_futex] = &call<&sys_futex>;
    table[uapi::kNR_get_robust_list] = &call<&sys_get_robust_list>;
}

}  // namespace sys
