// Processes coming and going: fork, vfork, clone, execve, wait4, waitid
// (docs/syscalls.md). The work is kernel/proc's (lifecycle.hpp, exec.hpp);
// here the arguments are checked and copied in Linux's order.
#include "kernel/abi/linux_exec.hpp"
#include "kernel/abi/linux_proc.hpp"
#include "kernel/abi/linux_signal.hpp"
#include "kernel/abi/linux_syscalls.hpp"
#include "kernel/abi/linux_time.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/proc/exec_arguments.hpp"
#include "kernel/proc/lifecycle.hpp"
#include "kernel/proc/program.hpp"
#include "kernel/syscall/handler_support.hpp"
#include "kernel/syscall/syscall.hpp"
#include "kernel/syscall/user_memory.hpp"

namespace sys {
namespace {

lib::Expected<int64_t> sys_fork() {
    proc::CloneRequest request;
    request.flags = uint64_t(uapi::kSIGCHLD);
    return TRY(proc::clone_current(request));
}

lib::Expected<int64_t> sys_vfork() {
    proc::CloneRequest request;
    request.flags = uapi::kCLONE_VFORK | uapi::kCLONE_VM | uint64_t(uapi::kSIGCHLD);
    return TRY(proc::clone_current(request));
}

// clone(flags, newsp, parent_tid, child_tid, tls): x86_64's argument order.
lib::Expected<int64_t> sys_clone(uint64_t flags, uint64_t stack, uint64_t parent_tid, uint64_t child_tid,
                                 uint64_t tls) {
    proc::CloneRequest request{flags, stack, parent_tid, child_tid, tls};
    return TRY(proc::clone_current(request));
}

// clone3(args, size): Linux's copy_struct_from_user (a bigger struct
// than ours must be zero past it: E2BIG; a smaller one is zero-extended),
// then the checks of proc/clone_args.hpp around reading set_tid.
lib::Expected<int64_t> sys_clone3(uint64_t args_address, uint64_t size) {
    TRY(proc::check_clone_args_size(size));
    uapi::CloneArgs args{};
    if (size > sizeof args) {
        uint8_t rest[64];
        for (uint64_t offset = sizeof args; offset < size; offset += sizeof rest) {
            size_t n = size - offset < sizeof rest ? size_t(size - offset) : sizeof rest;
            TRY(copy_in_bytes(rest, args_address + offset, n));
            for (size_t i = 0; i < n; ++i)
                if (rest[i]) return error(Errno::kE2BIG, "clone3: unknown fields set");
        }
    }
    TRY(copy_in_bytes(&args, args_address, size < sizeof args ? size_t(size) : sizeof args));
    TRY(proc::check_clone_args(args, size));
    int32_t set_tid[proc::kMaxPidNamespaceLevel] = {};
    if (args.set_tid) TRY(copy_in_bytes(set_tid, args.set_tid, args.set_tid_size * sizeof set_tid[0]));
    bool privileged = proc::current_process()->credentials.euid == 0;
    proc::CloneRequest request = TRY(proc::clone3_request(args, set_tid, privileged, proc::kMaxPid));
    return TRY(proc::clone_current(request));
}

// ---- wait

uint32_t cpu_ticks(uint64_t ns) {
    return uint32_t(ns / uint64_t(uapi::kNsPerSec / uapi::kUserHz));
}

lib::Expected<int64_t> sys_wait4(int pid, UserPtr<int> status, uint32_t options, UserPtr<uapi::Rusage> usage) {
    if (options & ~(uapi::kWNOHANG | uapi::kWUNTRACED | uapi::kWCONTINUED | uapi::k__WNOTHREAD | uapi::k__WCLONE |
                    uapi::k__WALL))
        return error(Errno::kEINVAL, "unknown wait4 options");
    // INT_MIN has no process group to negate into (kernel_wait4).
    if (pid == int(0x80000000)) return error(Errno::kESRCH, "pid INT_MIN");
    proc::WaitTarget target = proc::WaitTarget::kAny;
    int32_t id = 0;
    if (pid > 0) {
        target = proc::WaitTarget::kPid;
        id = pid;
    } else if (pid == 0) {
        target = proc::WaitTarget::kGroup;
        id = proc::current_process()->pgid;
    } else if (pid < -1) {
        target = proc::WaitTarget::kGroup;
        id = -pid;
    }
    proc::WaitResult result = TRY(proc::wait_child(target, id, options | uapi::kWEXITED));
    if (result.pid == 0) return 0;
    // The child is reaped: a fault on the way out is EFAULT all the same.
    if (!status.is_null()) TRY(copy_out(status, result.status));
    if (!usage.is_null()) {
        uapi::Rusage r{};
        r.ru_utime = {int64_t(result.cpu_ns / 1'000'000'000), int64_t(result.cpu_ns % 1'000'000'000 / 1000)};
        TRY(copy_out(usage, r));
    }
    return result.pid;
}

lib::Expected<int64_t> sys_waitid(int which, int id, UserPtr<uapi::SiginfoChild> info, uint32_t options,
                                  UserPtr<uapi::Rusage> usage) {
    if (options & ~(uapi::kWNOHANG | uapi::kWNOWAIT | uapi::kWEXITED | uapi::kWSTOPPED | uapi::kWCONTINUED |
                    uapi::k__WNOTHREAD | uapi::k__WCLONE | uapi::k__WALL))
        return error(Errno::kEINVAL, "unknown waitid options");
    if (!(options & (uapi::kWEXITED | uapi::kWSTOPPED | uapi::kWCONTINUED)))
        return error(Errno::kEINVAL, "waitid waits for nothing");
    proc::WaitTarget target;
    switch (which) {
        case uapi::kP_ALL: target = proc::WaitTarget::kAny; break;
        case uapi::kP_PID:
            if (id <= 0) return error(Errno::kEINVAL, "P_PID needs a pid");
            target = proc::WaitTarget::kPid;
            break;
        case uapi::kP_PGID:
            if (id < 0) return error(Errno::kEINVAL, "negative process group");
            target = proc::WaitTarget::kGroup;
            if (id == 0) id = proc::current_process()->pgid;
            break;
        default: return error(Errno::kEINVAL, "unknown id type");
    }
    proc::WaitResult result = TRY(proc::wait_child(target, id, options));
    if (!info.is_null()) {
        uapi::SiginfoChild s{};
        if (result.pid) {
            s.signo = uapi::kSIGCHLD;
            s.pid = result.pid;
            s.uid = result.uid;
            s.utime = cpu_ticks(result.cpu_ns);
            switch (result.kind) {
                case proc::WaitResult::Kind::kStopped:
                    s.code = uapi::kCLD_STOPPED;
                    s.status = (result.status >> 8) & 0xff;
                    break;
                case proc::WaitResult::Kind::kContinued:
                    s.code = uapi::kCLD_CONTINUED;
                    s.status = uapi::kSIGCONT;
                    break;
                case proc::WaitResult::Kind::kExit: {
                    bool killed = (result.status & 0x7f) != 0;
                    s.code = killed ? ((result.status & 0x80) ? uapi::kCLD_DUMPED : uapi::kCLD_KILLED)
                                    : uapi::kCLD_EXITED;
                    s.status = killed ? (result.status & 0x7f) : ((result.status >> 8) & 0xff);
                    break;
                }
            }
        }
        TRY(copy_out(info, s));
    }
    if (!usage.is_null()) {
        uapi::Rusage r{};
        r.ru_utime = {int64_t(result.cpu_ns / 1'000'000'000), int64_t(result.cpu_ns % 1'000'000'000 / 1000)};
        TRY(copy_out(usage, r));
    }
    return 0;
}

// ---- execve

// The user's strings copied into one kernel buffer, with views on them.
class UserStrings {
public:
    ~UserStrings() {
        mm::kfree(bytes_);
        mm::kfree(views_);
    }

    // The NULL-terminated array of string pointers at `array` (NULL: none).
    lib::Expected<size_t> count(uint64_t array) {
        if (array == 0) return size_t(0);
        for (size_t n = 0;; ++n) {
            uint64_t pointer = 0;
            if (arch::copy_from_user(&pointer, array + n * 8, 8) != 0) return fault_error();
            if (pointer == 0) return n;
            if (n >= uapi::kMaxArgStrings) return error(Errno::kE2BIG, "too many strings");
        }
    }

    // Room for `strings` views in all and at most `byte_limit` bytes.
    lib::Expected<void> reserve(size_t strings, uint64_t byte_limit) {
        auto* views = static_cast<lib::StringView*>(mm::kmalloc((strings ? strings : 1) * sizeof(lib::StringView)));
        if (!views) return error(Errno::kENOMEM, "no memory for the argument list");
        for (size_t i = 0; i < count_; ++i) views[i] = views_[i];
        mm::kfree(views_);
        views_ = views;
        limit_ = byte_limit;
        return {};
    }

    // Copies `n` strings of the array at `array`; E2BIG past the limit.
    lib::Expected<lib::Span<const lib::StringView>> copy(uint64_t array, size_t n) {
        size_t first = count_;
        for (size_t i = 0; i < n; ++i) {
            uint64_t pointer = 0;
            if (arch::copy_from_user(&pointer, array + i * 8, 8) != 0) return fault_error();
            TRY(copy_one(pointer));
        }
        return lib::Span<const lib::StringView>(views_ + first, n);
    }

    lib::Expected<lib::StringView> copy_one(uint64_t pointer) {
        for (;;) {
            size_t room = capacity_ - used_;
            int64_t length = room ? arch::strncpy_from_user(bytes_ + used_, pointer, room) : int64_t(room);
            if (length < 0) return fault_error();
            if (size_t(length) < room) {
                lib::StringView view(bytes_ + used_, size_t(length));
                used_ += size_t(length) + 1;
                views_[count_++] = view;
                return view;
            }
            TRY(grow());
        }
    }

private:
    lib::Expected<void> grow() {
        if (capacity_ >= limit_) return error(Errno::kE2BIG, "argument strings too long");
        size_t capacity = capacity_ ? capacity_ * 2 : 16384;
        if (capacity > limit_) capacity = limit_;
        char* bytes = static_cast<char*>(mm::kmalloc(capacity));
        if (!bytes) return error(Errno::kENOMEM, "no memory for the argument strings");
        if (used_) __builtin_memcpy(bytes, bytes_, used_);
        // Views point into the old buffer: move them.
        for (size_t i = 0; i < count_; ++i)
            views_[i] = lib::StringView(bytes + (views_[i].data() - bytes_), views_[i].size());
        mm::kfree(bytes_);
        bytes_ = bytes;
        capacity_ = capacity;
        return {};
    }

    char* bytes_ = nullptr;
    size_t capacity_ = 0, used_ = 0, limit_ = 0;
    lib::StringView* views_ = nullptr;
    size_t count_ = 0;
};

lib::Expected<int64_t> sys_execve(uint64_t path, uint64_t argv, uint64_t envp) {
    // From a thread too: past the checks, exec ends the other threads and
    // the caller takes the process's pid (proc::de_thread).
    proc::Process& self = *proc::current_process();
    // getname first (EFAULT, ENAMETOOLONG, ENOENT for ""), then the
    // arrays are counted and the strings copied: E2BIG past the limit.
    UserStrings strings;
    TRY(strings.reserve(1, uapi::kPathMax));
    auto copied = strings.copy_one(path);
    if (!copied)
        return copied.error().code == Errno::kE2BIG ? error(Errno::kENAMETOOLONG, "path too long") : copied.error();
    lib::StringView name = *copied;
    if (name.empty()) return error(Errno::kENOENT, "empty path");
    size_t argc = TRY(strings.count(argv));
    size_t envc = TRY(strings.count(envp));
    uint64_t limit = TRY(proc::ExecArguments::string_limit(self.limits[uapi::kRLIMIT_STACK].soft, argc, envc));
    TRY(strings.reserve(argc + envc + 1, limit + uapi::kPathMax));
    auto envs = TRY(strings.copy(envp, envc));
    auto args = TRY(strings.copy(argv, argc));

    proc::ExecFiles& files = proc::program_files();
    proc::ExecFile* program = TRY(files.open(name));
    proc::ExecParameters parameters = proc::exec_parameters(self, name, args, envs, files);
    proc::ExecFailure failure;
    auto done = proc::exec_program(self, *program, parameters, &failure);
    files.close(program);
    if (!done) {
        if (failure.fatal) proc::exit_current(uapi::kSIGSEGV);
        return done.error();
    }
    proc::release_vfork_parent(self);
    return 0;
}

}  // namespace

void add_lifecycle_calls(Entry* table) {
    table[uapi::kNR_fork] = &call<&sys_fork>;
    table[uapi::kNR_vfork] = &call<&sys_vfork>;
    table[uapi::kNR_clone] = &call<&sys_clone>;
    table[uapi::kNR_clone3] = &call<&sys_clone3>;
    table[uapi::kNR_wait4] = &call<&sys_wait4>;
    table[uapi::kNR_waitid] = &call<&sys_waitid>;
    table[uapi::kNR_execve] = &call<&sys_execve>;
}

}  // namespace sys
