// Calls about the process itself: exit, ids, credentials, limits, names,
// the FS/GS base, uname, sysinfo, getrandom, reboot (docs/syscalls.md).
// Each follows the man page and Linux 6.1's kernel/sys.c and friends for
// its errno order.
#include "kernel/abi/linux_proc.hpp"
#include "kernel/abi/linux_syscalls.hpp"
#include "kernel/abi/linux_time.hpp"
#include "kernel/acpi/acpi.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/console/log.hpp"
#include "kernel/dev/ps2_keyboard.hpp"
#include "kernel/dev/random.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/proc/identity.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/proc/signals.hpp"
#include "kernel/sched/sched.hpp"
#include "kernel/sched/work_queue.hpp"
#include "kernel/smp/smp.hpp"
#include "kernel/syscall/handler_support.hpp"
#include "kernel/syscall/syscall.hpp"
#include "kernel/syscall/user_memory.hpp"
#include "kernel/time/time.hpp"

namespace sys {
namespace {

// ---- exit

void sys_exit(int status) {
    // The calling thread only; the process ends with its last task.
    proc::exit_thread((status & 0xff) << 8);
}

void sys_exit_group(int status) {
    proc::exit_current((status & 0xff) << 8);
}

// ---- ids

int64_t sys_getpid() {
    return process().pid;
}
int64_t sys_gettid() {
    return task().tid;
}
int64_t sys_getppid() {
    proc::Process* parent = process().parent;
    return parent ? parent->pid : 0;
}
int64_t sys_getuid() {
    return process().credentials.uid;
}
int64_t sys_geteuid() {
    return process().credentials.euid;
}
int64_t sys_getgid() {
    return process().credentials.gid;
}
int64_t sys_getegid() {
    return process().credentials.egid;
}

lib::Expected<int64_t> sys_getresuid(UserPtr<uint32_t> ruid, UserPtr<uint32_t> euid, UserPtr<uint32_t> suid) {
    const proc::Credentials& c = process().credentials;
    TRY(copy_out(ruid, c.uid));
    TRY(copy_out(euid, c.euid));
    TRY(copy_out(suid, c.suid));
    return 0;
}
lib::Expected<int64_t> sys_getresgid(UserPtr<uint32_t> rgid, UserPtr<uint32_t> egid, UserPtr<uint32_t> sgid) {
    const proc::Credentials& c = process().credentials;
    TRY(copy_out(rgid, c.gid));
    TRY(copy_out(egid, c.egid));
    TRY(copy_out(sgid, c.sgid));
    return 0;
}

// getgroups (kernel/groups.c): size 0 asks for the count; a size below
// it (or negative) is EINVAL.
lib::Expected<int64_t> sys_getgroups(int size, UserPtr<uint32_t> list) {
    if (size < 0) return error(Errno::kEINVAL, "negative size");
    const proc::Credentials& c = process().credentials;
    uint32_t count = c.group_count;
    if (size == 0) return count;
    if (uint32_t(size) < count) return error(Errno::kEINVAL, "list shorter than the groups");
    TRY(copy_out_bytes(list.address(), c.groups, count * sizeof(uint32_t)));
    return count;
}

// The process with `pid` (0: the caller) for the pgid/sid calls.
lib::Expected<proc::Process*> process_or_self(int pid) {
    if (pid < 0) return error(Errno::kESRCH, "negative pid");
    if (pid == 0 || pid == process().pid) return &process();
    proc::Process* p = proc::find_process(pid);
    if (!p) return error(Errno::kESRCH, "no such process");
    return p;
}

lib::Expected<int64_t> sys_getpgid(int pid) {
    if (pid < 0) return error(Errno::kESRCH, "negative pid");
    proc::Process* p = TRY(process_or_self(pid));
    return p->pgid;
}
int64_t sys_getpgrp() {
    return process().pgid;
}
lib::Expected<int64_t> sys_getsid(int pid) {
    proc::Process* p = TRY(process_or_self(pid));
    return p->sid;
}

// setsid: EPERM for a process group leader (setsid(2)).
lib::Expected<int64_t> sys_setsid() {
    proc::Process& self = process();
    if (self.pgid == self.pid) return error(Errno::kEPERM, "already a process group leader");
    self.sid = self.pid;
    self.pgid = self.pid;
    return self.pid;
}

// setpgid (kernel/sys.c): the caller or a child of it, in the caller's
// session; a session leader cannot move.
lib::Expected<int64_t> sys_setpgid(int pid, int pgid) {
    proc::Process& self = process();
    if (pid == 0) pid = self.pid;
    if (pgid == 0) pgid = pid;
    if (pgid < 0) return error(Errno::kEINVAL, "negative process group");
    proc::Process* target = proc::find_process(pid);
    if (!target) return error(Errno::kESRCH, "no such process");
    if (target != &self) {
        if (target->parent != &self) return error(Errno::kESRCH, "not the caller or its child");
        if (target->sid != self.sid) return error(Errno::kEPERM, "a child in another session");
    }
    if (target->sid == target->pid) return error(Errno::kEPERM, "a session leader");
    if (pgid != target->pid) {
        proc::Process* leader = proc::find_process(pgid);
        if (!leader || leader->pgid != pgid || leader->sid != self.sid)
            return error(Errno::kEPERM, "no such group in the session");
    }
    target->pgid = pgid;
    return 0;
}

void sync_fs_credentials();

// ---- credentials (credentials(7), kernel/sys.c): an effective uid of 0
// holds CAP_SETUID and CAP_SETGID (there are no capability sets apart from
// that); without them a process may only move among the ids it has.

bool has_id(uint32_t id, uint32_t a, uint32_t b, uint32_t c) {
    return id == a || id == b || id == c;
}

// setuid(2): with CAP_SETUID all four ids; else the effective (and fs) id
// to the real or the saved one, EPERM for any other.
lib::Expected<int64_t> sys_setuid(uint32_t uid) {
    if (uid == ~0u) return error(Errno::kEINVAL, "-1 is not a uid");
    proc::Credentials& c = process().credentials;
    if (c.euid == 0) c.uid = c.suid = uid;
    else if (uid != c.uid && uid != c.suid) return error(Errno::kEPERM, "setuid: not one of the caller's ids");
    c.euid = c.fsuid = uid;
    sync_fs_credentials();
    return 0;
}
lib::Expected<int64_t> sys_setgid(uint32_t gid) {
    if (gid == ~0u) return error(Errno::kEINVAL, "-1 is not a gid");
    proc::Credentials& c = process().credentials;
    if (c.euid == 0) c.gid = c.sgid = gid;
    else if (gid != c.gid && gid != c.sgid) return error(Errno::kEPERM, "setgid: not one of the caller's ids");
    c.egid = c.fsgid = gid;
    sync_fs_credentials();
    return 0;
}
// setresuid(2): -1 keeps an id; without CAP_SETUID each new id must be one
// of the current real, effective and saved ids. The fs id follows the
// effective one.
lib::Expected<int64_t> sys_setresuid(uint32_t ruid, uint32_t euid, uint32_t suid) {
    proc::Credentials& c = process().credentials;
    if (c.euid != 0) {
        const uint32_t wanted[] = {ruid, euid, suid};
        for (uint32_t id : wanted)
            if (id != ~0u && !has_id(id, c.uid, c.euid, c.suid))
                return error(Errno::kEPERM, "setresuid: not one of the caller's ids");
    }
    if (ruid != ~0u) c.uid = ruid;
    if (euid != ~0u) c.euid = euid;
    if (suid != ~0u) c.suid = suid;
    c.fsuid = c.euid;
    sync_fs_credentials();
    return 0;
}
lib::Expected<int64_t> sys_setresgid(uint32_t rgid, uint32_t egid, uint32_t sgid) {
    proc::Credentials& c = process().credentials;
    if (c.euid != 0) {
        const uint32_t wanted[] = {rgid, egid, sgid};
        for (uint32_t id : wanted)
            if (id != ~0u && !has_id(id, c.gid, c.egid, c.sgid))
                return error(Errno::kEPERM, "setresgid: not one of the caller's ids");
    }
    if (rgid != ~0u) c.gid = rgid;
    if (egid != ~0u) c.egid = egid;
    if (sgid != ~0u) c.sgid = sgid;
    c.fsgid = c.egid;
    sync_fs_credentials();
    return 0;
}
// setreuid(2): without CAP_SETUID the real id may become the real or the
// effective one, the effective id any of the three; the saved id follows
// the new effective one when the real id is set or the effective id
// moves away from the old real one.
lib::Expected<int64_t> sys_setreuid(uint32_t ruid, uint32_t euid) {
    proc::Credentials& c = process().credentials;
    proc::Credentials old = c;
    if (old.euid != 0) {
        if (ruid != ~0u && ruid != old.uid && ruid != old.euid)
            return error(Errno::kEPERM, "setreuid: real id not the caller's");
        if (euid != ~0u && !has_id(euid, old.uid, old.euid, old.suid))
            return error(Errno::kEPERM, "setreuid: effective id not the caller's");
    }
    if (ruid != ~0u) c.uid = ruid;
    if (euid != ~0u) c.euid = euid;
    if (ruid != ~0u || (euid != ~0u && euid != old.uid)) c.suid = c.euid;
    c.fsuid = c.euid;
    sync_fs_credentials();
    return 0;
}
lib::Expected<int64_t> sys_setregid(uint32_t rgid, uint32_t egid) {
    proc::Credentials& c = process().credentials;
    proc::Credentials old = c;
    if (old.euid != 0) {
        if (rgid != ~0u && rgid != old.gid && rgid != old.egid)
            return error(Errno::kEPERM, "setregid: real id not the caller's");
        if (egid != ~0u && !has_id(egid, old.gid, old.egid, old.sgid))
            return error(Errno::kEPERM, "setregid: effective id not the caller's");
    }
    if (rgid != ~0u) c.gid = rgid;
    if (egid != ~0u) c.egid = egid;
    if (rgid != ~0u || (egid != ~0u && egid != old.gid)) c.sgid = c.egid;
    c.fsgid = c.egid;
    sync_fs_credentials();
    return 0;
}

// setgroups (kernel/groups.c): CAP_SETGID first, then the size
// (NGROUPS_MAX), the list (EFAULT, and EINVAL for the invalid gid -1),
// kept sorted (groups_sort).
lib::Expected<int64_t> sys_setgroups(int size, UserPtr<uint32_t> list) {
    proc::Credentials& c = process().credentials;
    if (c.euid != 0) return error(Errno::kEPERM, "setgroups needs CAP_SETGID");
    if (uint32_t(size) > uapi::kNGROUPS_MAX) return error(Errno::kEINVAL, "more than NGROUPS_MAX groups");
    if (uint32_t(size) > proc::kMaxGroups) return error(Errno::kENOMEM, "more groups than a process holds here");
    uint32_t groups[proc::kMaxGroups];
    uint32_t count = uint32_t(size);
    TRY(copy_in_bytes(groups, list.address(), count * sizeof(uint32_t)));
    for (uint32_t i = 0; i < count; ++i) {
        if (groups[i] == ~0u) return error(Errno::kEINVAL, "-1 is not a gid");
        for (uint32_t j = i; j > 0 && groups[j - 1] > groups[j]; --j) lib::swap(groups[j - 1], groups[j]);
    }
    __builtin_memcpy(c.groups, groups, count * sizeof(uint32_t));
    c.group_count = count;
    sync_fs_credentials();
    return 0;
}

// setfsuid/setfsgid (kernel/sys.c): the old fs id, always; the new one is
// taken when it is one of the real, effective, saved or fs ids or the
// caller has CAP_SETUID/CAP_SETGID (-1 never is: nothing changes).
int64_t set_fs_id(uint32_t& fs_id, uint32_t id, uint32_t real, uint32_t effective, uint32_t saved) {
    uint32_t old = fs_id;
    if (id != ~0u && (process().credentials.euid == 0 || has_id(id, real, effective, saved) || id == old)) {
        fs_id = id;
        sync_fs_credentials();
    }
    return old;
}

int64_t sys_setfsuid(uint32_t uid) {
    proc::Credentials& c = process().credentials;
    return set_fs_id(c.fsuid, uid, c.uid, c.euid, c.suid);
}

int64_t sys_setfsgid(uint32_t gid) {
    proc::Credentials& c = process().credentials;
    return set_fs_id(c.fsgid, gid, c.gid, c.egid, c.sgid);
}

// The VFS checks permissions with the fs ids.
void sync_fs_credentials() {
    proc::sync_fs_credentials(process());
}

// ---- thread-related words glibc registers at start-up

int64_t sys_set_tid_address(UserPtr<uint32_t> address) {
    task().clear_child_tid = address.address();
    return task().tid;
}

// set_robust_list: the head's size must be struct robust_list_head's (24).
lib::Expected<int64_t> sys_set_robust_list(uint64_t head, size_t length) {
    if (length != 24) return error(Errno::kEINVAL, "not a robust_list_head");
    task().robust_list = head;
    return 0;
}

// arch_prctl (arch/x86/kernel/process_64.c): bases must be user addresses
// (below TASK_SIZE_MAX) else EPERM. While the task is in the kernel, its
// GS base is in IA32_KERNEL_GS_BASE (SWAPGS put it there).
lib::Expected<int64_t> sys_arch_prctl(int code, uint64_t address) {
    switch (code) {
        case uapi::kARCH_SET_FS:
            if (address >= arch::kUserTop) return error(Errno::kEPERM, "FS base outside user space");
            task().fs_base = address;
            arch::wrmsr(arch::msr::kFsBase, address);
            return 0;
        case uapi::kARCH_SET_GS:
            if (address >= arch::kUserTop) return error(Errno::kEPERM, "GS base outside user space");
            task().gs_base = address;
            arch::wrmsr(arch::msr::kKernelGsBase, address);
            return 0;
        case uapi::kARCH_GET_FS: TRY(copy_out(UserPtr<uint64_t>(address), task().fs_base)); return 0;
        case uapi::kARCH_GET_GS: TRY(copy_out(UserPtr<uint64_t>(address), task().gs_base)); return 0;
        case uapi::kARCH_GET_CPUID: return 1;  // CPUID is not faulting
        case uapi::kARCH_SET_CPUID: return error(Errno::kENODEV, "no CPUID faulting");
        default: return error(Errno::kEINVAL, "unknown arch_prctl code");
    }
}

// ---- names and system information

void fill(char (&field)[uapi::kUtsLength], const char* text) {
    size_t i = 0;
    for (; text[i] && i + 1 < uapi::kUtsLength; ++i) field[i] = text[i];
    for (; i < uapi::kUtsLength; ++i) field[i] = '\0';
}

lib::Expected<int64_t> sys_uname(UserPtr<uapi::Utsname> buffer) {
    uapi::Utsname name;
    fill(name.sysname, proc::kSystemName);
    char node[proc::kNodeNameMax + 1];
    proc::node_name(node);
    fill(name.nodename, node);
    fill(name.release, proc::kRelease);
    fill(name.version, proc::kVersion);
    fill(name.machine, proc::kMachine);
    fill(name.domainname, proc::kDomainName);
    TRY(copy_out(buffer, name));
    return 0;
}

// sethostname(2) (kernel/sys.c): EPERM without CAP_SYS_ADMIN, then EINVAL
// past 64 bytes (a negative length too), then EFAULT.
lib::Expected<int64_t> sys_sethostname(uint64_t name_address, int length) {
    if (process().credentials.euid != 0) return error(Errno::kEPERM, "sethostname needs CAP_SYS_ADMIN");
    if (length < 0 || size_t(length) > proc::kNodeNameMax) return error(Errno::kEINVAL, "host name too long");
    char name[proc::kNodeNameMax];
    TRY(copy_in_bytes(name, name_address, size_t(length)));
    TRY(proc::set_node_name({name, size_t(length)}));
    return 0;
}

lib::Expected<int64_t> sys_umask(uint32_t mask) {
    uint32_t old = process().umask;
    process().umask = mask & 0777;
    process().fs.umask = mask & 0777;
    return old;
}

int64_t sys_personality(uint32_t persona) {
    uint32_t old = process().personality;
    if (persona != 0xffffffffu) process().personality = persona;
    return old;
}

lib::Expected<int64_t> sys_prctl(int option, uint64_t arg2, uint64_t arg3, uint64_t arg4, uint64_t arg5) {
    switch (option) {
        case uapi::kPR_SET_NAME: {
            char name[uapi::kTaskCommLen] = {};
            int64_t n = arch::strncpy_from_user(name, arg2, sizeof name - 1);
            if (n < 0) return error(Errno::kEFAULT, "bad name address");
            name[sizeof name - 1] = '\0';
            // The calling thread's comm (each thread has its own,
            // docs/proc.md "Names"), under the table lock that /proc
            // reads it under.
            ksync::Guard guard(proc::table_lock());
            __builtin_memcpy(proc::task_name(task()), name, sizeof name);
            if (task().thread) task().thread->rename(name);
            return 0;
        }
        case uapi::kPR_GET_NAME: {
            char name[uapi::kTaskCommLen];
            {
                ksync::Guard guard(proc::table_lock());
                __builtin_memcpy(name, proc::task_name(task()), sizeof name);
            }
            TRY(copy_out_bytes(arg2, name, uapi::kTaskCommLen));
            return 0;
        }
        case uapi::kPR_GET_DUMPABLE: return 1;
        case uapi::kPR_SET_DUMPABLE:
            if (arg2 > 1) return error(Errno::kEINVAL, "dumpable is 0 or 1");
            return 0;
        case uapi::kPR_GET_NO_NEW_PRIVS: return 0;
        case uapi::kPR_CAPBSET_READ:
            if (arg2 > 40) return error(Errno::kEINVAL, "no such capability");
            return 1;
        default: return error(Errno::kEINVAL, "prctl option not supported");
    }
}

// ---- resource limits

lib::Expected<void> check_resource(unsigned resource) {
    if (resource >= unsigned(uapi::kRLIM_NLIMITS)) return error(Errno::kEINVAL, "no such resource");
    return {};
}

// What the address space enforces itself (docs/vm.md: RLIMIT_AS, _DATA, _STACK).
void apply_limits(proc::Process& p) {
    if (!p.space) return;
    p.space->limits() = {p.limits[uapi::kRLIMIT_AS].soft, p.limits[uapi::kRLIMIT_DATA].soft,
                         p.limits[uapi::kRLIMIT_STACK].soft};
}

lib::Expected<int64_t> do_prlimit(proc::Process& p, unsigned resource, UserPtr<uapi::Rlimit> new_limit,
                                  UserPtr<uapi::Rlimit> old_limit) {
    TRY(check_resource(resource));
    uapi::Rlimit wanted{};
    if (!new_limit.is_null()) {
        wanted = TRY(copy_in(new_limit));
        if (wanted.rlim_cur > wanted.rlim_max) return error(Errno::kEINVAL, "soft limit above hard limit");
        // RLIMIT_NOFILE may not exceed fs.nr_open (1048576).
        if (resource == unsigned(uapi::kRLIMIT_NOFILE) && wanted.rlim_max > (1u << 20))
            return error(Errno::kEPERM, "above nr_open");
    }
    proc::ResourceLimit& limit = p.limits[resource];
    if (!old_limit.is_null()) TRY(copy_out(old_limit, uapi::Rlimit{limit.soft, limit.hard}));
    if (!new_limit.is_null()) {
        limit = {wanted.rlim_cur, wanted.rlim_max};
        apply_limits(p);
    }
    return 0;
}

lib::Expected<int64_t> sys_prlimit64(int pid, unsigned resource, UserPtr<uapi::Rlimit> new_limit,
                                     UserPtr<uapi::Rlimit> old_limit) {
    proc::Process* p = &process();
    if (pid != 0 && pid != p->pid) {
        p = proc::find_process(pid);
        if (!p || pid < 0) return error(Errno::kESRCH, "no such process");
    }
    return do_prlimit(*p, resource, new_limit, old_limit);
}

lib::Expected<int64_t> sys_getrlimit(unsigned resource, UserPtr<uapi::Rlimit> limit) {
    TRY(check_resource(resource));
    const proc::ResourceLimit& l = process().limits[resource];
    TRY(copy_out(limit, uapi::Rlimit{l.soft, l.hard}));
    return 0;
}

lib::Expected<int64_t> sys_setrlimit(unsigned resource, UserPtr<uapi::Rlimit> limit) {
    TRY(check_resource(resource));
    return do_prlimit(process(), resource, limit, UserPtr<uapi::Rlimit>());
}

// ---- CPUs

// The thread a pid names for the affinity calls (a thread id; 0: the
// caller), visited under the process table lock.
struct AffinityRequest {
    sched::CpuSet set;
    bool write = false;
    lib::Expected<void> result{};
};

void visit_affinity(proc::Task& task, void* argument) {
    auto& request = *static_cast<AffinityRequest*>(argument);
    if (request.write) request.result = sched::set_affinity(task.thread, request.set);
    else request.set = task.thread->affinity();
}

lib::Expected<void> affinity_of(int pid, AffinityRequest& request) {
    if (pid < 0) return error(Errno::kESRCH, "negative pid");
    int32_t tid = pid == 0 ? task().tid : pid;
    if (!proc::with_live_task(tid, visit_affinity, &request)) return error(Errno::kESRCH, "no such thread");
    return request.result;
}

// sched_getaffinity(2): the buffer must hold nr_cpu_ids bits and be a whole
// number of longs; the thread's mask as far as online CPUs go; returns
// how many bytes it wrote (nr_cpu_ids bits rounded up to longs).
lib::Expected<int64_t> sys_sched_getaffinity(int pid, unsigned length, UserPtr<uint8_t> mask) {
    uint32_t cpus = smp::cpu_limit();
    if (uint64_t(length) * 8 < cpus) return error(Errno::kEINVAL, "mask shorter than nr_cpu_ids");
    if (length & (sizeof(uint64_t) - 1)) return error(Errno::kEINVAL, "not a whole number of longs");
    AffinityRequest request;
    TRY(affinity_of(pid, request));
    uint32_t size = ((cpus + 63) / 64) * 8;
    if (size > length) size = length;
    uint8_t bytes[lib::kMaxCpus / 8 + 8] = {};
    if (size > sizeof bytes) size = sizeof bytes;
    for (uint32_t cpu = 0; cpu < cpus && cpu / 8 < size; ++cpu)
        if (smp::is_online(cpu) && request.set.contains(cpu)) bytes[cpu / 8] |= uint8_t(1u << (cpu % 8));
    TRY(copy_out_bytes(mask.address(), bytes, size));
    return size;
}

// sched_setaffinity(2): the mask is read first (a short one is zero-extended,
// a long one cut at our CPU limit: EFAULT before ESRCH, as Linux's
// get_user_cpu_mask), then the thread found, then it must name an online
// CPU (EINVAL). A running thread moves off a CPU it may no longer use at
// once (sched::set_affinity); fork and clone inherit the mask.
lib::Expected<int64_t> sys_sched_setaffinity(int pid, unsigned length, UserPtr<uint8_t> mask) {
    uint8_t bytes[lib::kMaxCpus / 8] = {};
    size_t size = length < sizeof bytes ? length : sizeof bytes;
    TRY(copy_in_bytes(bytes, mask.address(), size));
    AffinityRequest request;
    request.write = true;
    for (uint32_t cpu = 0; cpu < lib::kMaxCpus; ++cpu)
        if (bytes[cpu / 8] & (1u << (cpu % 8))) request.set.add(cpu);
    TRY(affinity_of(pid, request));
    return 0;
}

lib::Expected<int64_t> sys_getcpu(UserPtr<uint32_t> cpu, UserPtr<uint32_t> node, uint64_t) {
    uint32_t index = arch::cpu_index();
    if (!cpu.is_null()) TRY(copy_out(cpu, index));
    if (!node.is_null()) TRY(copy_out(node, 0u));
    return 0;
}

// ---- accounting

lib::Expected<int64_t> sys_sysinfo(UserPtr<uapi::Sysinfo> info) {
    uapi::Sysinfo s{};
    s.uptime = int64_t(ktime::now_ns() / uint64_t(uapi::kNsPerSec));
    s.totalram = mm::frames().stats().managed_bytes;
    s.freeram = mm::frames().free_frames() * 4096;
    s.procs = uint16_t(proc::process_count());
    s.mem_unit = 1;
    TRY(copy_out(info, s));
    return 0;
}

int64_t ticks_of(uint64_t ns) {
    return int64_t(ns / uint64_t(uapi::kNsPerSec / uapi::kUserHz));
}

lib::Expected<int64_t> sys_times(UserPtr<uapi::Tms> buffer) {
    if (!buffer.is_null()) {
        // All of a task's time counts as user time until the scheduler
        // splits user and system time.
        uapi::Tms t{ticks_of(proc::task_cpu_ns(task())), 0, ticks_of(process().children_cpu_ns), 0};
        TRY(copy_out(buffer, t));
    }
    return ticks_of(ktime::now_ns());
}

lib::Expected<int64_t> sys_getrusage(int who, UserPtr<uapi::Rusage> usage) {
    if (who != uapi::kRUSAGE_SELF && who != uapi::kRUSAGE_CHILDREN && who != uapi::kRUSAGE_THREAD)
        return error(Errno::kEINVAL, "no such rusage target");
    uapi::Rusage r{};
    uint64_t ns = who == uapi::kRUSAGE_CHILDREN ? process().children_cpu_ns : proc::task_cpu_ns(task());
    r.ru_utime = {int64_t(ns / 1'000'000'000), int64_t(ns % 1'000'000'000 / 1000)};
    TRY(copy_out(usage, r));
    return 0;
}

// ---- randomness

// getrandom (drivers/char/random.c): the pool is always ready, so
// GRND_NONBLOCK and GRND_RANDOM change nothing; INSECURE with RANDOM is
// EINVAL. A count beyond INT_MAX is cut to it; a fault after some bytes
// returns those.
lib::Expected<int64_t> sys_getrandom(UserPtr<uint8_t> buffer, size_t count, unsigned flags) {
    if (flags & ~(uapi::kGRND_NONBLOCK | uapi::kGRND_RANDOM | uapi::kGRND_INSECURE))
        return error(Errno::kEINVAL, "unknown flags");
    if ((flags & uapi::kGRND_INSECURE) && (flags & uapi::kGRND_RANDOM))
        return error(Errno::kEINVAL, "GRND_INSECURE with GRND_RANDOM");
    if (count > 0x7fffffff) count = 0x7fffffff;
    size_t done = 0;
    uint8_t chunk[256];
    while (done < count) {
        size_t n = count - done < sizeof chunk ? count - done : sizeof chunk;
        dev::random::fill(chunk, n);
        size_t left = arch::copy_to_user(buffer.address() + done, chunk, n);
        done += n - left;
        if (left) break;
    }
    __builtin_memset(chunk, 0, sizeof chunk);
    if (done == 0 && count != 0) return fault_error();
    return int64_t(done);
}

// ---- Ctrl+Alt+Delete (Linux's ctrl_alt_del): with C_A_D on, the default,
// the machine restarts at once; after reboot(LINUX_REBOOT_CMD_CAD_OFF)
// init gets SIGINT instead (busybox init then runs its ctrlaltdel action).
// The keyboard reports it from its interrupt; a worker acts.

bool g_cad_reboots = true;

void set_ctrl_alt_delete_reboots(bool on) {
    __atomic_store_n(&g_cad_reboots, on, __ATOMIC_RELAXED);
}

void ctrl_alt_delete(sched::Work&) {
    if (__atomic_load_n(&g_cad_reboots, __ATOMIC_RELAXED)) {
        klog::info("reboot: Ctrl-Alt-Del: restarting");
        acpi::reset();
    }
    proc::signal_from_kernel(1, uapi::kSIGINT);
}
constinit sched::Work g_cad_work{ctrl_alt_delete, "ctrl-alt-del"};

void on_ctrl_alt_delete() {
    sched::queue_work(g_cad_work);
}

// ---- reboot (kernel/reboot.c): who may, the magic numbers, then the command.

lib::Expected<int64_t> sys_reboot(int magic1, int magic2, uint32_t command, uint64_t argument) {
    // CAP_SYS_BOOT first, then the magic (reboot(2)).
    if (process().credentials.euid != 0) return error(Errno::kEPERM, "reboot needs CAP_SYS_BOOT");
    if (uint32_t(magic1) != uapi::kLINUX_REBOOT_MAGIC1 ||
        (magic2 != int(uapi::kLINUX_REBOOT_MAGIC2) && magic2 != int(uapi::kLINUX_REBOOT_MAGIC2A) &&
         magic2 != int(uapi::kLINUX_REBOOT_MAGIC2B) && magic2 != int(uapi::kLINUX_REBOOT_MAGIC2C)))
        return error(Errno::kEINVAL, "bad reboot magic");
    switch (command) {
        case uapi::kLINUX_REBOOT_CMD_CAD_ON:
        case uapi::kLINUX_REBOOT_CMD_CAD_OFF:
            set_ctrl_alt_delete_reboots(command == uapi::kLINUX_REBOOT_CMD_CAD_ON);
            return 0;
        case uapi::kLINUX_REBOOT_CMD_RESTART2: {
            // The argument is a command for the firmware (ignored here), read
            // all the same: EFAULT as Linux's strncpy_from_user.
            char text[256];
            if (arch::strncpy_from_user(text, argument, sizeof text - 1) < 0) return fault_error();
            [[fallthrough]];
        }
        case uapi::kLINUX_REBOOT_CMD_RESTART:
            klog::info("reboot: restarting (asked by {}[{}])", process().name, process().pid);
            acpi::reset();
        // Halt powers off too: Linux's kernel_halt stops the CPUs and
        // leaves the machine on, which in a VM only looks like a hang
        // (docs/busybox.md).
        case uapi::kLINUX_REBOOT_CMD_HALT:
        case uapi::kLINUX_REBOOT_CMD_POWER_OFF: {
            klog::info("reboot: power off (asked by {}[{}])", process().name, process().pid);
            auto off = acpi::power_off();
            klog::error("reboot: power off failed: {}", off.error().message);
            return error(Errno::kEIO, "power off failed");
        }
        // No kexec image can be loaded and there is no hibernation: EINVAL,
        // as Linux without them.
        default: return error(Errno::kEINVAL, "unknown reboot command");
    }
}

}  // namespace

void add_process_calls(Entry* table) {
    table[uapi::kNR_exit] = &call<&sys_exit>;
    table[uapi::kNR_exit_group] = &call<&sys_exit_group>;
    table[uapi::kNR_getpid] = &call<&sys_getpid>;
    table[uapi::kNR_gettid] = &call<&sys_gettid>;
    table[uapi::kNR_getppid] = &call<&sys_getppid>;
    table[uapi::kNR_getuid] = &call<&sys_getuid>;
    table[uapi::kNR_geteuid] = &call<&sys_geteuid>;
    table[uapi::kNR_getgid] = &call<&sys_getgid>;
    table[uapi::kNR_getegid] = &call<&sys_getegid>;
    table[uapi::kNR_getresuid] = &call<&sys_getresuid>;
    table[uapi::kNR_getresgid] = &call<&sys_getresgid>;
    table[uapi::kNR_getgroups] = &call<&sys_getgroups>;
    table[uapi::kNR_setgroups] = &call<&sys_setgroups>;
    table[uapi::kNR_setfsuid] = &call<&sys_setfsuid>;
    table[uapi::kNR_setfsgid] = &call<&sys_setfsgid>;
    table[uapi::kNR_getpgid] = &call<&sys_getpgid>;
    table[uapi::kNR_getpgrp] = &call<&sys_getpgrp>;
    table[uapi::kNR_getsid] = &call<&sys_getsid>;
    table[uapi::kNR_setsid] = &call<&sys_setsid>;
    table[uapi::kNR_setpgid] = &call<&sys_setpgid>;
    table[uapi::kNR_setuid] = &call<&sys_setuid>;
    table[uapi::kNR_setgid] = &call<&sys_setgid>;
    table[uapi::kNR_setresuid] = &call<&sys_setresuid>;
    table[uapi::kNR_setreuid] = &call<&sys_setreuid>;
    table[uapi::kNR_setregid] = &call<&sys_setregid>;
    table[uapi::kNR_setresgid] = &call<&sys_setresgid>;
    table[uapi::kNR_set_tid_address] = &call<&sys_set_tid_address>;
    table[uapi::kNR_set_robust_list] = &call<&sys_set_robust_list>;
    table[uapi::kNR_arch_prctl] = &call<&sys_arch_prctl>;
    table[uapi::kNR_uname] = &call<&sys_uname>;
    table[uapi::kNR_sethostname] = &call<&sys_sethostname>;
    table[uapi::kNR_umask] = &call<&sys_umask>;
    table[uapi::kNR_personality] = &call<&sys_personality>;
    table[uapi::kNR_prctl] = &call<&sys_prctl>;
    table[uapi::kNR_prlimit64] = &call<&sys_prlimit64>;
    table[uapi::kNR_getrlimit] = &call<&sys_getrlimit>;
    table[uapi::kNR_setrlimit] = &call<&sys_setrlimit>;
    table[uapi::kNR_sched_getaffinity] = &call<&sys_sched_getaffinity>;
    table[uapi::kNR_sched_setaffinity] = &call<&sys_sched_setaffinity>;
    table[uapi::kNR_getcpu] = &call<&sys_getcpu>;
    // No arguments, no failure: the scheduler's own entry, without call<>'s
    // frame (sched::yield_syscall, docs/benchmarks.md "The switch path").
    table[uapi::kNR_sched_yield] = &sched::yield_syscall;
    table[uapi::kNR_sysinfo] = &call<&sys_sysinfo>;
    table[uapi::kNR_times] = &call<&sys_times>;
    table[uapi::kNR_getrusage] = &call<&sys_getrusage>;
    table[uapi::kNR_getrandom] = &call<&sys_getrandom>;
    table[uapi::kNR_reboot] = &call<&sys_reboot>;
    dev::keyboard::set_ctrl_alt_delete_handler(on_ctrl_alt_delete);
}

}  // namespace sys
