// The files of /proc that the process layer knows (docs/fs.md "/proc"):
// each process's stat, status, cmdline, comm, maps and its links, each
// thread's task/<tid>/ files, and the
// machine-wide meminfo, cpuinfo, uptime, loadavg, stat, version and
// sys/kernel/*. kernel/fs/procfs.cpp makes the tree; it asks here through
// fs::procfs::ProcessSource and the generators registered by init_procfs().
//
// Layouts are Linux 6.1's (fs/proc/array.c, meminfo.c, stat.c, loadavg.c,
// uptime.c, task_mmu.c; arch/x86/kernel/cpu/proc.c), as proc(5) describes
// them. A process's fields are copied under the table lock (which keeps
// the process from being reaped) and formatted after it.
#include "kernel/proc/procfs_files.hpp"

#include "kernel/abi/linux_proc.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/fs/procfs.hpp"
#include "kernel/fs/vfs.hpp"
#include "kernel/mm/frame_allocator.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/proc/identity.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/proc/vdso.hpp"
#include "kernel/sched/load_average.hpp"
#include "kernel/sched/sched.hpp"
#include "kernel/smp/smp.hpp"
#include "kernel/time/time.hpp"
#include "kernel/vm/allocation.hpp"
#include "lib/x86_64/cpuid.hpp"

namespace proc {

namespace {

using fs::procfs::Text;

constexpr uint64_t kNsPerTick = 10000000;  // USER_HZ = 100
constexpr uint64_t kPage = 4096;

SessionTerminalLookup g_session_terminal = nullptr;

lib::Error gone() {
    return lib::Error::make(lib::Errno::kESRCH, "the process has gone");
}

// ---- The source of the tree

int32_t current_pid() {
    Process* p = current_process();
    return p ? p->pid : 0;
}

bool find(int32_t pid, uint32_t* uid, uint32_t* gid) {
    ksync::Guard guard(table_lock());
    Process* p = find_process_locked(pid);
    if (!p) return false;
    if (uid) *uid = p->credentials.euid;
    if (gid) *gid = p->credentials.egid;
    return true;
}

struct ListRequest {
    int32_t from;
    int32_t* out;
    size_t max;
    size_t found;
};

size_t list(int32_t from, int32_t* out, size_t max) {
    // The `max` smallest pids >= from (the table is not ordered by pid).
    ListRequest request{from, out, max, 0};
    for_each_process(
        [](Process& p, void* argument) {
            auto& r = *static_cast<ListRequest*>(argument);
            if (p.pid < r.from) return;
            size_t at = r.found;
            while (at > 0 && r.out[at - 1] > p.pid) --at;
            if (at >= r.max) return;
            size_t last = r.found < r.max ? r.found : r.max - 1;
            for (size_t i = last; i > at; --i) r.out[i] = r.out[i - 1];
            r.out[at] = p.pid;
            if (r.found < r.max) ++r.found;
        },
        &request);
    return request.found;
}

fs::Path link(int32_t pid, fs::procfs::Link which) {
    ksync::Guard guard(table_lock());
    Process* p = find_process_locked(pid);
    if (!p || p->state == ProcessState::kZombie) return {};
    const fs::Path& path = which == fs::procfs::Link::kExe   ? p->exe_path
                           : which == fs::procfs::Link::kCwd ? p->fs.cwd
                                                             : p->fs.root;
    if (!path.mount() || !path.dentry()) return {};
    return path;
}

lib::Expected<fs::FdTable::Description> descriptor(int32_t pid, int32_t fd) {
    ksync::Guard guard(table_lock());
    Process* p = find_process_locked(pid);
    if (!p || !p->files) return lib::Error::make(lib::Errno::kENOENT, "no such descriptor");
    return p->files->describe(fd);
}

int32_t next_descriptor(int32_t pid, int32_t from) {
    ksync::Guard guard(table_lock());
    Process* p = find_process_locked(pid);
    if (!p || !p->files) return -1;
    return p->files->next_open(from);
}

bool find_task(int32_t pid, int32_t tid) {
    ksync::Guard guard(table_lock());
    Process* p = find_process_locked(pid);
    if (!p) return false;
    if (p->state != ProcessState::kRunning) return tid == pid;  // a zombie's leader
    bool found = false;
    for_each_task(*p, [&](Task& task) { found = found || task.tid == tid; });
    return found;
}

int32_t next_task(int32_t pid, int32_t from) {
    ksync::Guard guard(table_lock());
    Process* p = find_process_locked(pid);
    if (!p) return -1;
    // A zombie's directory still lists its leader (as Linux's does).
    if (p->state != ProcessState::kRunning) return pid >= from ? pid : -1;
    int32_t next = -1;
    for_each_task(*p, [&](Task& task) {
        if (task.tid >= from && (next < 0 || task.tid < next)) next = task.tid;
    });
    return next;
}

int32_t thread_group(int32_t tid) {
    int32_t group = 0;
    with_live_task(
        tid, [](Task& task, void* argument) { *static_cast<int32_t*>(argument) = task.process->pid; }, &group);
    return group;
}

// ---- A process's fields, copied under the table lock

struct Snapshot {
    int32_t pid;   // the id shown: the process's, or the thread's in task/<tid>/
    int32_t tgid;  // the process's
    int32_t ppid, pgid, sid;
    char name[kNameLength];
    char state;
    Credentials credentials;
    uint32_t umask;
    uint64_t cpu_ns, children_cpu_ns, start_ns;
    uint32_t threads;
    int exit_signal;
    int exit_code;  // a zombie's wait status
    uint32_t cpu;
    int nice;
    uint64_t rss_limit;
    SignalSet pending, shared_pending, blocked, ignored, caught;
    uint32_t descriptors_size;
    vm::AddressSpace* space;  // held (release with vm::AddressSpace::release), or nullptr
};

char state_of(Process& p) {
    // proc(5): R running, S sleeping, T stopped, Z zombie (X dead while it
    // goes: reported as Z, as a process between exit and its reaping is).
    if (p.state != ProcessState::kRunning) return 'Z';
    if (p.group_signals.stopped) return 'T';
    // A process is running when any of its tasks is.
    bool runnable = false;
    for_each_task(p, [&](Task& task) {
        if (task.thread && task.thread->state() == sched::ThreadState::kRunnable) runnable = true;
    });
    return runnable ? 'R' : 'S';
}

// The process `pid` as a whole (tid 0), or its thread `tid` (its id, state,
// CPU time, CPU and signal masks; the rest is the process's).
lib::Expected<void> snapshot(int32_t pid, Snapshot& s, int32_t tid = 0) {
    ksync::Guard guard(table_lock());
    Process* p = find_process_locked(pid);
    if (!p) return gone();
    s.pid = tid ? tid : p->pid;
    s.tgid = p->pid;
    s.ppid = p->parent ? p->parent->pid : 0;
    s.pgid = p->pgid;
    s.sid = p->sid;
    __builtin_memcpy(s.name, p->name, kNameLength);
    s.name[kNameLength - 1] = 0;
    s.credentials = p->credentials;
    s.umask = p->umask;
    s.children_cpu_ns = p->children_cpu_ns;
    s.start_ns = p->start_ns;
    s.exit_signal = p->exit_signal;
    s.exit_code = p->state == ProcessState::kZombie ? p->wait_status : 0;
    s.rss_limit = p->limits[uapi::kRLIMIT_RSS].soft;
    s.descriptors_size = 64;
    {
        ksync::Guard signals(p->signal_lock);
        s.state = state_of(*p);
        // The process's time: its live tasks', its exited threads', and
        // the main task's once it has exited (fixed then, off the list).
        s.cpu_ns = p->exited_threads_cpu_ns + (p->main_task.signals.exiting ? p->main_task.cpu_ns : 0);
        s.threads = 0;
        s.blocked = p->main_task.signals.blocked;
        s.pending = p->main_task.signals.pending.set();
        s.shared_pending = p->group_signals.shared.set();
        s.ignored = s.caught = 0;
        for (int signal = 1; signal <= int(uapi::kNSIG); ++signal) {
            uint64_t handler = p->signal_handlers.action(signal).handler;
            if (handler == uapi::kSIG_IGN)
                s.ignored |= signal_bit(signal);
            else if (handler != uapi::kSIG_DFL)
                s.caught |= signal_bit(signal);
        }
        Task* shown = nullptr;
        for_each_task(*p, [&](Task& task) {
            s.cpu_ns += task_cpu_ns(task);
            ++s.threads;
            if (task.tid == tid) shown = &task;
        });
        if (s.threads == 0) s.threads = 1;
        if (tid && !shown && tid != p->pid) return gone();  // that thread has ended
        // The main task's thread only while it has not exited (its thread
        // may be gone after that).
        sched::Thread* thread =
            p->state == ProcessState::kRunning && !p->main_task.signals.exiting ? p->main_task.thread : nullptr;
        if (shown) {
            __builtin_memcpy(s.name, task_name(*shown), kNameLength);  // the thread's own comm
            s.name[kNameLength - 1] = 0;
            thread = shown->thread;
            s.cpu_ns = task_cpu_ns(*shown);
            s.blocked = shown->signals.blocked;
            s.pending = shown->signals.pending.set();
            if (s.state == 'R' || s.state == 'S')
                s.state = thread && thread->state() == sched::ThreadState::kRunnable ? 'R' : 'S';
        }
        s.cpu = thread ? thread->cpu() : 0;
        s.nice = thread ? thread->nice() : 0;
    }
    s.space = p->space;
    if (s.space) s.space->hold();
    return {};
}

// Releases the snapshot's hold on the address space.
struct SnapshotHold {
    Snapshot& s;
    ~SnapshotHold() {
        if (s.space) vm::AddressSpace::release(s.space);
    }
};

uint64_t ticks(uint64_t ns) {
    return ns / kNsPerTick;
}

// ---- /proc/<pid>/stat (fs/proc/array.c do_task_stat: 52 fields)

lib::Expected<void> stat_text_of(int32_t pid, int32_t tid, Text& out) {
    Snapshot s;
    TRY(snapshot(pid, s, tid));
    SnapshotHold hold{s};
    vm::Layout layout{};
    vm::Counters counters{};
    if (s.space) layout = s.space->layout(), counters = s.space->counters();
    uint64_t rss = counters.rss_anon + counters.rss_file + counters.rss_shmem;
    // Fields 1-13: pid (comm) state ppid pgrp session tty_nr tpgid flags
    // minflt cminflt majflt cmajflt. tty_nr: the controlling terminal's
    // device number (new_encode_dev), tpgid its foreground group; 0 and -1
    // without one (docs/proc.md).
    uint32_t tty_nr = 0;
    int32_t tpgid = -1;
    auto lookup = __atomic_load_n(&g_session_terminal, __ATOMIC_ACQUIRE);
    if (lookup && !lookup(s.sid, tty_nr, tpgid)) tty_nr = 0, tpgid = -1;
    out.format("{} ({}) {} {} {} {} {} {} 4194560 0 0 0 0 ", s.pid, s.name, s.state, s.ppid, s.pgid, s.sid, tty_nr,
               tpgid);
    // 14-20: utime stime cutime cstime priority nice num_threads (all CPU
    // time counts as user time: no split yet).
    out.format("{} 0 {} 0 {} {} {} ", ticks(s.cpu_ns), ticks(s.children_cpu_ns), 20 + s.nice, s.nice, s.threads);
    // 21-25: itrealvalue starttime vsize rss rsslim.
    out.format("0 {} {} {} {} ", ticks(s.start_ns), counters.total_pages * kPage, rss, s.rss_limit);
    // 26-30: startcode endcode startstack kstkesp kstkeip (the last two 0,
    // as Linux shows them to everyone).
    out.format("{} {} {} 0 0 ", layout.start_code, layout.end_code, layout.start_stack);
    // 31-37: signal blocked sigignore sigcatch wchan nswap cnswap.
    out.format("{} {} {} {} 0 0 0 ", (s.pending | s.shared_pending) & 0xffffffff, s.blocked & 0xffffffff,
               s.ignored & 0xffffffff, s.caught & 0xffffffff);
    // 38-44: exit_signal processor rt_priority policy delayacct_blkio_ticks
    // guest_time cguest_time.
    out.format("{} {} 0 0 0 0 0 ", s.exit_signal, s.cpu);
    // 45-52: start_data end_data start_brk arg_start arg_end env_start
    // env_end exit_code.
    out.format("{} {} {} {} {} {} {} {}\n", layout.start_data, layout.end_data, layout.start_brk, layout.arg_start,
               layout.arg_end, layout.env_start, layout.env_end, s.exit_code);
    return {};
}

// ---- /proc/<pid>/status (fs/proc/array.c proc_pid_status)

const char* state_name(char state) {
    switch (state) {
        case 'R': return "R (running)";
        case 'S': return "S (sleeping)";
        case 'T': return "T (stopped)";
        default: return "Z (zombie)";
    }
}

void kilobytes_line(Text& out, const char* label, uint64_t kb) {
    // "VmSize:\t    1234 kB": the number right-aligned in 8 columns.
    out.format("{}:\t{:>8} kB\n", label, kb);
}

lib::Expected<void> status_text_of(int32_t pid, int32_t tid, Text& out) {
    Snapshot s;
    TRY(snapshot(pid, s, tid));
    SnapshotHold hold{s};
    const Credentials& c = s.credentials;
    out.format("Name:\t{}\nUmask:\t{:04o}\nState:\t{}\n", s.name, s.umask, state_name(s.state));
    out.format("Tgid:\t{}\nNgid:\t0\nPid:\t{}\nPPid:\t{}\nTracerPid:\t0\n", s.tgid, s.pid, s.ppid);
    out.format("Uid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\n", c.uid, c.euid, c.suid, c.fsuid, c.gid, c.egid, c.sgid,
               c.fsgid);
    // Groups: each supplementary group and a space between, then the
    // trailing space Linux's task_state always adds ("Groups:\t \n" for none).
    out.format("FDSize:\t{}\nGroups:\t", s.descriptors_size);
    for (uint32_t i = 0; i < c.group_count; ++i) out.format(i ? " {}" : "{}", c.groups[i]);
    out.append(" \n");
    out.format("NStgid:\t{}\nNSpid:\t{}\nNSpgid:\t{}\nNSsid:\t{}\n", s.tgid, s.pid, s.pgid, s.sid);
    if (s.space) {
        vm::Counters k = s.space->counters();
        uint64_t rss = k.rss_anon + k.rss_file + k.rss_shmem;
        kilobytes_line(out, "VmPeak", k.total_pages * 4);
        kilobytes_line(out, "VmSize", k.total_pages * 4);
        kilobytes_line(out, "VmLck", 0);
        kilobytes_line(out, "VmPin", 0);
        kilobytes_line(out, "VmHWM", rss * 4);
        kilobytes_line(out, "VmRSS", rss * 4);
        kilobytes_line(out, "RssAnon", k.rss_anon * 4);
        kilobytes_line(out, "RssFile", k.rss_file * 4);
        kilobytes_line(out, "RssShmem", k.rss_shmem * 4);
        kilobytes_line(out, "VmData", k.data_pages * 4);
        kilobytes_line(out, "VmStk", k.stack_pages * 4);
        kilobytes_line(out, "VmExe", k.exec_pages * 4);
        kilobytes_line(out, "VmLib", 0);
        kilobytes_line(out, "VmPTE", 0);
        kilobytes_line(out, "VmSwap", 0);
    }
    out.format("Threads:\t{}\n", s.threads);
    out.format("SigQ:\t0/{}\n", 0);
    out.format("SigPnd:\t{:016x}\nShdPnd:\t{:016x}\nSigBlk:\t{:016x}\nSigIgn:\t{:016x}\nSigCgt:\t{:016x}\n", s.pending,
               s.shared_pending, s.blocked, s.ignored, s.caught);
    uint64_t all_caps = c.euid == 0 ? 0x000001ffffffffffULL : 0;
    out.format("CapInh:\t{:016x}\nCapPrm:\t{:016x}\nCapEff:\t{:016x}\nCapBnd:\t{:016x}\nCapAmb:\t{:016x}\n", 0,
               all_caps, all_caps, 0x000001ffffffffffULL, 0);
    out.format("NoNewPrivs:\t0\nSeccomp:\t0\n");
    uint32_t cpus = smp::cpu_count();
    out.format("Cpus_allowed_list:\t0-{}\n", cpus ? cpus - 1 : 0);
    out.format("voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
    return {};
}

// ---- /proc/<pid>/cmdline (fs/proc/base.c proc_pid_cmdline_read)

// The bytes of [start, end) of the process's memory (its argv or envp
// strings), at most 64 KiB (Linux reads it all; programs' are far shorter).
lib::Expected<void> memory_text(int32_t pid, Text& out, bool environment) {
    Snapshot s;
    TRY(snapshot(pid, s));
    SnapshotHold hold{s};
    if (!s.space) return {};  // a zombie's is empty
    vm::Layout layout = s.space->layout();
    uint64_t start = environment ? layout.env_start : layout.arg_start;
    uint64_t end = environment ? layout.env_end : layout.arg_end;
    if (end <= start) return {};
    uint64_t size = end - start;
    if (size > 65536) size = 65536;
    char chunk[256];
    for (uint64_t done = 0; done < size;) {
        size_t n = size - done < sizeof chunk ? size_t(size - done) : sizeof chunk;
        if (!s.space->read_memory(start + done, chunk, n)) break;
        out.append({chunk, n});
        done += n;
    }
    return {};
}

lib::Expected<void> cmdline_text(int32_t pid, Text& out) { return memory_text(pid, out, false); }
lib::Expected<void> environ_text(int32_t pid, Text& out) { return memory_text(pid, out, true); }

// /proc/<pid>/statm (fs/proc/array.c proc_pid_statm): pages of size,
// resident, shared (file and shared memory), text, lib (0), data + stack, dt (0).
lib::Expected<void> statm_text(int32_t pid, Text& out) {
    Snapshot s;
    TRY(snapshot(pid, s));
    SnapshotHold hold{s};
    vm::Counters k{};
    vm::Layout layout{};
    if (s.space) k = s.space->counters(), layout = s.space->layout();
    uint64_t text = layout.end_code > layout.start_code ? (layout.end_code - layout.start_code + kPage - 1) / kPage : 0;
    out.format("{} {} {} {} 0 {} 0\n", k.total_pages, k.rss_anon + k.rss_file + k.rss_shmem, k.rss_file + k.rss_shmem,
               text, k.data_pages + k.stack_pages);
    return {};
}

// comm_write: the bytes written (newline included, as Linux keeps it), at
// most 15, become the comm of thread `tid` (0: the process's leader) of
// the caller's own process; another process's is EINVAL (Linux's
// proc_comm_write: same_thread_group).
lib::Expected<void> comm_write(int32_t pid, int32_t tid, lib::StringView text) {
    Process* self = current_process();
    if (!self || self->pid != pid) return lib::Error::make(lib::Errno::kEINVAL, "another process's comm");
    size_t n = text.size() < kNameLength - 1 ? text.size() : kNameLength - 1;
    char name[kNameLength] = {};
    __builtin_memcpy(name, text.data(), n);
    ksync::Guard guard(table_lock());
    char* comm = tid == 0 || tid == pid ? self->name : nullptr;  // the leader's, even once it has exited
    sched::Thread* thread = comm ? self->main_task.thread : nullptr;
    for_each_task(*self, [&](Task& task) {
        if (!comm && task.tid == tid) comm = task_name(task), thread = task.thread;
    });
    if (!comm) return gone();
    __builtin_memcpy(comm, name, kNameLength);
    if (thread) thread->rename(name);  // the debug dump's name too
    return {};
}

lib::Expected<void> comm_text_of(int32_t pid, int32_t tid, Text& out) {
    Snapshot s;
    TRY(snapshot(pid, s, tid));
    SnapshotHold hold{s};
    out.format("{}\n", s.name);
    return {};
}

// A process's files and its threads' (task/<tid>/).
lib::Expected<void> stat_text(int32_t pid, Text& out) { return stat_text_of(pid, 0, out); }
lib::Expected<void> status_text(int32_t pid, Text& out) { return status_text_of(pid, 0, out); }
lib::Expected<void> comm_text(int32_t pid, Text& out) { return comm_text_of(pid, 0, out); }

// ---- /proc/<pid>/maps (fs/proc/task_mmu.c show_map_vma)

// One region as maps shows it, copied under the address space's lock; its
// object held (ref) until the line is made, since naming a file takes the
// namespace lock, which is not taken under the address space's.
struct MapsRegion {
    uint64_t start, end, pgoff;
    uint8_t prot;
    bool shared, grows_down;
    vm::Backing* backing;
};

void maps_line(Text& out, const MapsRegion& r, const vm::Layout& layout) {
    // The vDSO is Linux's pair of special mappings: private, no device,
    // inode or offset; the others show their object's.
    bool vdso = is_vdso(r.backing);
    bool file = r.backing && !vdso;
    vm::BackingInfo info = file ? r.backing->info() : vm::BackingInfo{};
    char line[160];
    size_t n = lib::format(line, sizeof line, "{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {}", r.start, r.end,
                           (r.prot & vm::kProtRead) ? 'r' : '-', (r.prot & vm::kProtWrite) ? 'w' : '-',
                           (r.prot & vm::kProtExec) ? 'x' : '-', r.shared && !vdso ? 's' : 'p',
                           file ? r.pgoff * kPage : 0, info.device_major, info.device_minor, info.inode);
    if (n >= sizeof line) n = sizeof line - 1;
    out.append({line, n});
    char path[256];
    lib::StringView name;
    if (vdso) {
        name = r.pgoff == 0 ? "[vvar]" : "[vdso]";
    } else if (file) {
        if (info.file) {
            size_t length = fs::inode_name(*static_cast<const fs::Inode*>(info.file), path, sizeof path);
            name = {path, length};
        } else if (info.path) {
            name = info.path;
        }
    } else if (r.start <= layout.start_brk && r.end >= layout.brk && layout.brk > layout.start_brk) {
        name = "[heap]";
    } else if (layout.start_stack ? r.start <= layout.start_stack && layout.start_stack < r.end : r.grows_down) {
        name = "[stack]";
    }
    if (!name.empty()) {
        // seq_pad: the name starts in column 74.
        for (size_t column = n; column < 73; ++column) out.put(' ');
        out.put(' ');
        out.append(name);
    }
    out.put('\n');
}

lib::Expected<void> maps_text(int32_t pid, Text& out) {
    Snapshot s;
    TRY(snapshot(pid, s));
    SnapshotHold hold{s};
    if (!s.space) return {};
    vm::Layout layout = s.space->layout();
    // In batches of the regions at or above `from`, each a pass over the
    // regions under the lock and lines made after it.
    constexpr size_t kBatch = 32;
    MapsRegion batch[kBatch];
    for (uint64_t from = 0;;) {
        size_t count = 0;
        s.space->for_each_region([&](const vm::Vma& vma) {
            if (vma.start < from || count == kBatch) return;
            batch[count++] = {vma.start, vma.end, vma.pgoff, vma.prot, vma.shared(), vma.grows_down(), vma.backing};
            if (vma.backing) vma.backing->ref();
        });
        for (size_t i = 0; i < count; ++i) {
            maps_line(out, batch[i], layout);
            if (batch[i].backing) batch[i].backing->unref();
        }
        if (count < kBatch) break;
        from = batch[count - 1].end;
    }
    return {};
}

// ---- Machine-wide files

lib::Expected<void> meminfo_text(int32_t, Text& out) {
    mm::FrameStats stats = mm::frames().stats();
    uint64_t total = stats.managed_bytes / 1024, free = stats.free_bytes / 1024;
    // show_val_kb: the label padded to 16 columns, the number to 8.
    auto line = [&](const char* label, uint64_t kb) { out.format("{:<16}{:>8} kB\n", label, kb); };
    line("MemTotal:", total);
    line("MemFree:", free);
    line("MemAvailable:", free);
    line("Buffers:", 0);
    line("Cached:", 0);
    line("SwapCached:", 0);
    line("Active:", 0);
    line("Inactive:", 0);
    line("SwapTotal:", 0);
    line("SwapFree:", 0);
    line("Dirty:", 0);
    line("Writeback:", 0);
    line("AnonPages:", 0);
    line("Mapped:", 0);
    line("Shmem:", 0);
    line("Slab:", 0);
    line("SReclaimable:", 0);
    line("SUnreclaim:", 0);
    line("CommitLimit:", total);
    return {};
}

lib::Expected<void> uptime_text(int32_t, Text& out) {
    uint64_t up = ktime::now_ns();
    uint64_t idle = 0;
    uint32_t cpus = smp::cpu_limit();
    for (uint32_t cpu = 0; cpu < cpus; ++cpu)
        if (smp::is_online(cpu)) idle += sched::cpu_stats(cpu).idle_ns;
    // "%lu.%02lu %lu.%02lu": seconds with hundredths.
    out.format("{}.{:02} {}.{:02}\n", up / 1000000000, (up / 10000000) % 100, idle / 1000000000,
               (idle / 10000000) % 100);
    return {};
}

lib::Expected<void> loadavg_text(int32_t, Text& out) {
    // fs/proc/loadavg.c: the three averages (the scheduler's, Linux's
    // arithmetic: kernel/sched/load_average.hpp), runnable threads now /
    // threads, and the last pid handed out.
    uint64_t averages[3];
    sched::load_averages(averages);
    for (uint64_t average : averages) {
        sched::LoadFigure figure = sched::load_figure(average);
        out.format("{}.{:02} ", figure.whole, figure.hundredths);
    }
    uint32_t running = sched::runnable_count();
    if (running == 0) running = 1;  // the reader itself
    out.format("{}/{} {}\n", running, sched::thread_count(), last_pid());
    return {};
}

lib::Expected<void> stat_global_text(int32_t, Text& out) {
    // "cpu" lines: user nice system idle iowait irq softirq steal guest
    // guest_nice in USER_HZ ticks. A CPU's busy time (time online minus
    // idle) counts as user time: there is no user/system split yet.
    uint64_t up = ticks(ktime::now_ns());
    uint32_t cpus = smp::cpu_limit();
    uint64_t busy_total = 0, idle_total = 0, switches = 0;
    uint32_t running = 0;
    for (uint32_t cpu = 0; cpu < cpus; ++cpu) {
        if (!smp::is_online(cpu)) continue;
        sched::CpuStats stats = sched::cpu_stats(cpu);
        uint64_t idle = ticks(stats.idle_ns);
        busy_total += up > idle ? up - idle : 0;
        idle_total += idle;
        switches += stats.switches;
        running += stats.nr_running;
    }
    out.format("cpu  {} 0 0 {} 0 0 0 0 0 0\n", busy_total, idle_total);
    for (uint32_t cpu = 0; cpu < cpus; ++cpu) {
        if (!smp::is_online(cpu)) continue;
        uint64_t idle = ticks(sched::cpu_stats(cpu).idle_ns);
        out.format("cpu{} {} 0 0 {} 0 0 0 0 0 0\n", cpu, up > idle ? up - idle : 0, idle);
    }
    out.format(
        "intr 0\nctxt {}\nbtime {}\nprocesses {}\nprocs_running {}\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
        switches, ktime::realtime_offset_ns() / 1'000'000'000, processes_created(), running ? running : 1);
    return {};
}

// arch/x86/kernel/cpu/proc.c's flag names for CPUID.01H:EDX and ECX.
constexpr const char* kEdxFlags[32] = {"fpu",  "vme",   "de",    "pse",     "tsc",   "msr", "pae",  "mce",
                                       "cx8",  "apic",  nullptr, "sep",     "mtrr",  "pge", "mca",  "cmov",
                                       "pat",  "pse36", "pn",    "clflush", nullptr, "dts", "acpi", "mmx",
                                       "fxsr", "sse",   "sse2",  "ss",      "ht",    "tm",  "ia64", "pbe"};
constexpr const char* kEcxFlags[32] = {"pni",    "pclmulqdq", "dtes64", "monitor", "ds_cpl",
                                       "vmx",    "smx",       "est",    "tm2",     "ssse3",
                                       "cid",    "sdbg",      "fma",    "cx16",    "xtpr",
                                       "pdcm",   nullptr,     "pcid",   "dca",     "sse4_1",
                                       "sse4_2", "x2apic",    "movbe",  "popcnt",  "tsc_deadline_timer",
                                       "aes",    "xsave",     nullptr,  "avx",     "f16c",
                                       "rdrand", "hypervisor"};

lib::Expected<void> cpuinfo_text(int32_t, Text& out) {
    using x86_64::cpuid;
    x86_64::CpuidResult vendor = cpuid(0);
    char vendor_id[13] = {};
    __builtin_memcpy(vendor_id, &vendor.ebx, 4);
    __builtin_memcpy(vendor_id + 4, &vendor.edx, 4);
    __builtin_memcpy(vendor_id + 8, &vendor.ecx, 4);
    x86_64::CpuidResult features = cpuid(1);
    uint32_t family = (features.eax >> 8) & 0xf, model = (features.eax >> 4) & 0xf, stepping = features.eax & 0xf;
    if (family == 0xf) family += (features.eax >> 20) & 0xff;
    if (family == 0x6 || family >= 0xf) model |= ((features.eax >> 16) & 0xf) << 4;
    char brand[49] = {};
    if (cpuid(0x80000000).eax >= 0x80000004) {
        for (uint32_t i = 0; i < 3; ++i) {
            x86_64::CpuidResult r = cpuid(0x80000002 + i);
            __builtin_memcpy(brand + 16 * i, &r.eax, 4);
            __builtin_memcpy(brand + 16 * i + 4, &r.ebx, 4);
            __builtin_memcpy(brand + 16 * i + 8, &r.ecx, 4);
            __builtin_memcpy(brand + 16 * i + 12, &r.edx, 4);
        }
    }
    const char* model_name = brand;
    while (*model_name == ' ') ++model_name;
    uint64_t khz = ktime::tsc_hz() / 1000;
    uint32_t online = smp::cpu_count();
    uint32_t cpus = smp::cpu_limit();
    for (uint32_t cpu = 0; cpu < cpus; ++cpu) {
        if (!smp::is_online(cpu)) continue;
        out.format("processor\t: {}\nvendor_id\t: {}\ncpu family\t: {}\nmodel\t\t: {}\nmodel name\t: {}\n", cpu,
                   vendor_id, family, model, model_name);
        out.format("stepping\t: {}\ncpu MHz\t\t: {}.{:03}\ncache size\t: 0 KB\n", stepping, khz / 1000, khz % 1000);
        out.format("physical id\t: 0\nsiblings\t: {}\ncore id\t\t: {}\ncpu cores\t: {}\n", online, cpu, online);
        out.format(
            "apicid\t\t: {}\ninitial apicid\t: {}\nfpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: {}\nwp\t\t: "
            "yes\n",
            smp::apic_id(cpu), smp::apic_id(cpu), vendor.eax);
        out.append("flags\t\t:");
        for (uint32_t bit = 0; bit < 32; ++bit)
            if ((features.edx >> bit) & 1 && kEdxFlags[bit]) out.format(" {}", kEdxFlags[bit]);
        for (uint32_t bit = 0; bit < 32; ++bit)
            if ((features.ecx >> bit) & 1 && kEcxFlags[bit]) out.format(" {}", kEcxFlags[bit]);
        out.format("\nbogomips\t: {}.{:02}\nclflush size\t: 64\ncache_alignment\t: 64\n", khz * 2 / 1000,
                   (khz * 2 / 10) % 100);
        x86_64::CpuidResult sizes = cpuid(0x80000000).eax >= 0x80000008 ? cpuid(0x80000008) : x86_64::CpuidResult{};
        out.format("address sizes\t: {} bits physical, {} bits virtual\npower management:\n\n", sizes.eax & 0xff,
                   (sizes.eax >> 8) & 0xff);
    }
    return {};
}

lib::Expected<void> version_text(int32_t, Text& out) {
    out.format("{} version {} (cxxkernel) (gcc) {}\n", kSystemName, kRelease, kVersion);
    return {};
}

lib::Expected<void> hostname_text(int32_t, Text& out) {
    char name[kNodeNameMax + 1];
    node_name(name);
    out.format("{}\n", static_cast<const char*>(name));
    return {};
}
lib::Expected<void> hostname_write(int32_t, lib::StringView text) {
    // proc_dostring: the text up to a newline or NUL, at most 64 bytes.
    size_t n = 0;
    while (n < text.size() && text[n] != '\n' && text[n] != '\0') ++n;
    if (n > kNodeNameMax) n = kNodeNameMax;
    return set_node_name(text.substr(0, n));
}
lib::Expected<void> ostype_text(int32_t, Text& out) {
    out.format("{}\n", kSystemName);
    return {};
}
lib::Expected<void> osrelease_text(int32_t, Text& out) {
    out.format("{}\n", kRelease);
    return {};
}
lib::Expected<void> pid_max_text(int32_t, Text& out) {
    out.format("{}\n", kMaxPid);
    return {};
}

}  // namespace

void set_session_terminal_lookup(SessionTerminalLookup lookup) {
    __atomic_store_n(&g_session_terminal, lookup, __ATOMIC_RELEASE);
}

void init_procfs() {
    using fs::procfs::Place;
    fs::procfs::ProcessSource source;
    source.current_pid = current_pid;
    source.find = find;
    source.list = list;
    source.link = link;
    source.descriptor = descriptor;
    source.next_descriptor = next_descriptor;
    source.find_task = find_task;
    source.next_task = next_task;
    source.thread_group = thread_group;
    fs::procfs::set_process_source(source);

    fs::procfs::add_file(Place::kProcess, "stat", 0444, stat_text);
    fs::procfs::add_file(Place::kProcess, "status", 0444, status_text);
    fs::procfs::add_file(Place::kProcess, "cmdline", 0444, cmdline_text);
    fs::procfs::add_file(Place::kProcess, "comm", 0644, comm_text,
                         [](int32_t pid, lib::StringView text) { return comm_write(pid, 0, text); });
    fs::procfs::add_file(Place::kProcess, "maps", 0444, maps_text);
    fs::procfs::add_file(Place::kProcess, "statm", 0444, statm_text);
    fs::procfs::add_file(Place::kProcess, "environ", 0400, environ_text);
    // task/<tid>/: the thread's own stat, status and comm; the rest is
    // the process's (one address space, one command line).
    fs::procfs::add_task_file("stat", 0444, stat_text_of);
    fs::procfs::add_task_file("status", 0444, status_text_of);
    fs::procfs::add_task_file("comm", 0644, comm_text_of, comm_write);
    fs::procfs::add_task_file("cmdline", 0444, [](int32_t pid, int32_t, Text& out) { return cmdline_text(pid, out); });
    fs::procfs::add_task_file("maps", 0444, [](int32_t pid, int32_t, Text& out) { return maps_text(pid, out); });
    fs::procfs::add_task_file("statm", 0444, [](int32_t pid, int32_t, Text& out) { return statm_text(pid, out); });
    fs::procfs::add_file(Place::kRoot, "meminfo", 0444, meminfo_text);
    fs::procfs::add_file(Place::kRoot, "cpuinfo", 0444, cpuinfo_text);
    fs::procfs::add_file(Place::kRoot, "uptime", 0444, uptime_text);
    fs::procfs::add_file(Place::kRoot, "loadavg", 0444, loadavg_text);
    fs::procfs::add_file(Place::kRoot, "stat", 0444, stat_global_text);
    fs::procfs::add_file(Place::kRoot, "version", 0444, version_text);
    fs::procfs::add_file(Place::kSysKernel, "hostname", 0644, hostname_text, hostname_write);
    fs::procfs::add_file(Place::kSysKernel, "ostype", 0444, ostype_text);
    fs::procfs::add_file(Place::kSysKernel, "osrelease", 0444, osrelease_text);
    fs::procfs::add_file(Place::kSysKernel, "pid_max", 0644, pid_max_text);
}

}  // namespace proc
