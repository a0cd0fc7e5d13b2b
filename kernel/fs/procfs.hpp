// /proc (docs/fs.md "/proc"): a file system whose files are made when they
// are opened, from what the kernel knows at that moment, in the layouts of
// Linux's proc(5) that ps, free, top, uptime and mount parse.
//
// The tree is not kept: each lookup makes a fresh dentry and inode
// (Inode::lookup), which go when the last Path on them goes, so a process's
// directory can never outlive the process in a lookup made after its end.
// A file's text is made once, when it is opened (as Linux's seq_file does
// on the first read), and reads come from that copy.
//
// The files themselves come from the layers that know the facts: kernel/fs
// makes mounts and filesystems; lower layers' facts (memory, CPUs, uptime)
// and everything about processes are registered by the process layer
// (kernel/proc/procfs_files.cpp) through add_file and set_process_source,
// since kernel/fs must not use kernel/proc (docs/architecture.md §2).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/fs/fd_table.hpp"
#include "kernel/fs/file.hpp"
#include "kernel/fs/node.hpp"
#include "lib/expected.hpp"
#include "lib/format.hpp"
#include "lib/string_view.hpp"

namespace fs::procfs {

inline constexpr int64_t kProcSuperMagic = 0x9fa0;  // PROC_SUPER_MAGIC

// The text of one file while it is made: grows as it is written (a
// lib::format_to sink). Out of memory makes the open fail with ENOMEM.
class Text {
public:
    Text() = default;
    Text(const Text&) = delete;
    Text& operator=(const Text&) = delete;
    ~Text();
    void put(char c);
    void append(lib::StringView text);
    template <typename... Args>
    void format(lib::StringView fmt, const Args&... args) {
        lib::format_to(*this, fmt, args...);
    }
    const char* data() const { return data_; }
    size_t size() const { return size_; }
    bool failed() const { return failed_; }
    // Hands the buffer over (the caller frees it with fs::release).
    char* take() {
        char* d = data_;
        data_ = nullptr, size_ = capacity_ = 0;
        return d;
    }

private:
    char* data_ = nullptr;
    size_t size_ = 0, capacity_ = 0;
    bool failed_ = false;
};

// Where a registered file is.
enum class Place : uint8_t {
    kRoot,       // /proc/<name>
    kSysKernel,  // /proc/sys/kernel/<name>
    kProcess,    // /proc/<pid>/<name>
    kTask,       // /proc/<pid>/task/<tid>/<name> (registered with add_task_file)
};

// Makes a file's text. `pid`: the process of a kProcess file (0 for the
// others). ENOENT (or ESRCH) when the process has gone meanwhile.
using Generator = lib::Expected<void> (*)(int32_t pid, Text& out);
// What a write does to a writable file (nullptr: writes fail with EIO for
// /proc and /proc/sys files, EINVAL for a process's, as Linux). `pid` as
// for the generator; `text` is what one write(2) gave (at most 256 bytes).
using Writer = lib::Expected<void> (*)(int32_t pid, lib::StringView text);

// Makes the text of a thread's file: `pid` its process, `tid` the thread
// (ESRCH when it has ended meanwhile).
using TaskGenerator = lib::Expected<void> (*)(int32_t pid, int32_t tid, Text& out);

// Registers a file (at boot, before /proc is used). `mode`: its permission
// bits (0444, 0644, 0400, ...).
void add_file(Place place, const char* name, uint32_t mode, Generator generate, Writer write = nullptr);
// What a write to a thread's file does: `pid` its process, `tid` the thread.
using TaskWriter = lib::Expected<void> (*)(int32_t pid, int32_t tid, lib::StringView text);

// Registers a file of every /proc/<pid>/task/<tid>/. A file of the same
// name registered for processes too is, in /proc/<tid> of a thread that is
// not its process's leader, this one (the thread's stat, status, comm).
void add_task_file(const char* name, uint32_t mode, TaskGenerator generate, TaskWriter write = nullptr);

// The places a process's links go to.
enum class Link : uint8_t { kExe, kCwd, kRoot };

// What /proc asks the process layer. Every function runs under the
// namespace lock: it must not sleep or take the namespace lock.
struct ProcessSource {
    // The caller's pid (for /proc/self; 0: a kernel thread).
    int32_t (*current_pid)() = nullptr;
    // Whether `pid` is a process (zombies too), and its owner (euid, egid).
    bool (*find)(int32_t pid, uint32_t* uid, uint32_t* gid) = nullptr;
    // Up to `max` pids >= `from` in increasing order into `out`; how many.
    size_t (*list)(int32_t from, int32_t* out, size_t max) = nullptr;
    // Where a link of the process goes (an empty Path when it has none,
    // e.g. a zombie's exe).
    Path (*link)(int32_t pid, Link which) = nullptr;
    // Descriptor `fd` of the process (an error when it is not open).
    lib::Expected<FdTable::Description> (*descriptor)(int32_t pid, int32_t fd) = nullptr;
    // The lowest open descriptor >= `from`, or -1.
    int32_t (*next_descriptor)(int32_t pid, int32_t from) = nullptr;
    // Whether `tid` is a live thread of process `pid`.
    bool (*find_task)(int32_t pid, int32_t tid) = nullptr;
    // The lowest thread id >= `from` of a live thread of `pid`, or -1.
    int32_t (*next_task)(int32_t pid, int32_t from) = nullptr;
    // The process whose live thread `tid` is (0: none): /proc/<tid> of a
    // thread that is not a leader works, though /proc does not list it
    // (Linux's proc_pid_lookup finds any task).
    int32_t (*thread_group)(int32_t tid) = nullptr;
};
void set_process_source(const ProcessSource& source);

// A new instance (each mount -t proc gets one; they show the same files).
lib::Expected<FileSystem*> make();

// kernel/fs's own files: /proc/mounts and /proc/<pid>/mountinfo (vfs.cpp)
// and /proc/filesystems.
lib::Expected<void> mounts_text(int32_t pid, Text& out);
lib::Expected<void> mountinfo_text(int32_t pid, Text& out);

}  // namespace fs::procfs
