// clone3's argument checks (clone_args.hpp).
#include "kernel/proc/clone_args.hpp"

#include "kernel/abi/linux_mm.hpp"
#include "kernel/abi/linux_signal.hpp"

namespace proc {
namespace {

using lib::Errno;

lib::Error error(Errno code, const char* message) {
    return lib::Error::make(code, message);
}

// CLONE_NEWTIME shares the CSIGNAL byte: clone3 keeps that bit for it.
constexpr uint64_t kCloneNewTime = 0x80;
constexpr uint64_t kCloneLegacyFlags = 0xffffffffULL;

// access_ok(stack, size) of x86_64 (asm-generic/access_ok.h against
// TASK_SIZE_MAX).
bool user_range(uint64_t address, uint64_t size) {
    return size <= uapi::kTaskSize && address <= uapi::kTaskSize - size;
}

}  // namespace

lib::Expected<void> check_clone_args_size(uint64_t size) {
    if (size > uapi::kPageSize) return error(Errno::kE2BIG, "clone3: struct larger than a page");
    if (size < uapi::kCloneArgsSizeVer0) return error(Errno::kEINVAL, "clone3: struct smaller than its first version");
    return {};
}

lib::Expected<void> check_clone_args(const uapi::CloneArgs& args, uint64_t size) {
    if (args.set_tid_size > kMaxPidNamespaceLevel) return error(Errno::kEINVAL, "clone3: set_tid_size too large");
    if (!args.set_tid && args.set_tid_size > 0) return error(Errno::kEINVAL, "clone3: set_tid_size without set_tid");
    if (args.set_tid && args.set_tid_size == 0) return error(Errno::kEINVAL, "clone3: set_tid without set_tid_size");
    if ((args.exit_signal & ~uapi::kCSIGNAL) || args.exit_signal > uint64_t(uapi::kNSIG))
        return error(Errno::kEINVAL, "clone3: exit_signal is not a signal");
    if ((args.flags & uapi::kCLONE_INTO_CGROUP) && (args.cgroup > 0x7fffffffULL || size < uapi::kCloneArgsSizeVer2))
        return error(Errno::kEINVAL, "clone3: bad cgroup descriptor");
    return {};
}

lib::Expected<CloneRequest> clone3_request(const uapi::CloneArgs& args, const int32_t* set_tid, bool privileged,
                                           int32_t pid_max) {
    uint64_t flags = args.flags;
    if (flags & ~(kCloneLegacyFlags | uapi::kCLONE_CLEAR_SIGHAND | uapi::kCLONE_INTO_CGROUP))
        return error(Errno::kEINVAL, "clone3: unknown flags");
    if (flags & (uapi::kCLONE_DETACHED | (uapi::kCSIGNAL & ~kCloneNewTime)))
        return error(Errno::kEINVAL, "clone3: CLONE_DETACHED or CSIGNAL bits in flags");
    if ((flags & uapi::kCLONE_SIGHAND) && (flags & uapi::kCLONE_CLEAR_SIGHAND))
        return error(Errno::kEINVAL, "clone3: CLONE_SIGHAND with CLONE_CLEAR_SIGHAND");
    if ((flags & (uapi::kCLONE_THREAD | uapi::kCLONE_PARENT)) && args.exit_signal)
        return error(Errno::kEINVAL, "clone3: an exit signal with CLONE_THREAD or CLONE_PARENT");
    CloneRequest request;
    if (args.stack == 0) {
        if (args.stack_size > 0) return error(Errno::kEINVAL, "clone3: a stack size without a stack");
    } else {
        if (args.stack_size == 0) return error(Errno::kEINVAL, "clone3: a stack without a size");
        if (!user_range(args.stack, args.stack_size)) return error(Errno::kEINVAL, "clone3: stack outside user space");
        request.stack = args.stack + args.stack_size;  // the stack grows down from its top
    }
    if ((flags & uapi::kCLONE_PIDFD) && (flags & uapi::kCLONE_PARENT_SETTID) && args.pidfd == args.parent_tid)
        return error(Errno::kEINVAL, "clone3: pidfd and parent_tid at the same address");
    if (args.set_tid_size) {
        // alloc_pid: one entry per pid namespace level (ours: the one),
        // each a pid in range, the whole only with CAP_CHECKPOINT_RESTORE.
        if (args.set_tid_size > 1) return error(Errno::kEINVAL, "clone3: set_tid for more namespaces than exist");
        if (set_tid[0] < 1 || set_tid[0] >= pid_max) return error(Errno::kEINVAL, "clone3: set_tid out of range");
        if (!privileged) return error(Errno::kEPERM, "clone3: set_tid needs privilege");
        request.set_tid = set_tid[0];
    }
    request.flags = flags | args.exit_signal;
    request.parent_tid = args.parent_tid;
    request.child_tid = args.child_tid;
    request.tls = args.tls;
    return request;
}

}  // namespace proc
