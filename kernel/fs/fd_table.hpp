// A process's descriptor table (Linux's files_struct): small integers to
// open file descriptions, with the close-on-exec flag per descriptor.
// Threads made with CLONE_FILES share one table (reference counted); fork
// copies it (the copies share the descriptions, so offsets and status flags
// stay shared, dup(2) and fork(2)). New descriptors are the lowest free
// number (POSIX), below the caller's RLIMIT_NOFILE (EMFILE).
//
// Closing takes the descriptor out under the table's lock and releases the
// description after it, so a description's last close (a pipe end telling
// the other side) never runs under the lock.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/fs/file.hpp"
#include "lib/expected.hpp"

namespace fs {

// A descriptor's file for the length of one system call (Linux's
// fdget/fdput): with a reference of its own, or borrowed from the table
// when nothing can drop the table's reference meanwhile (FdTable::borrow).
class FileBorrow {
public:
    FileBorrow(File* file, bool counted) : file_(file), counted_(counted) {}
    FileBorrow(FileBorrow&& other) : file_(other.file_), counted_(other.counted_) { other.file_ = nullptr; }
    FileBorrow(const FileBorrow&) = delete;
    FileBorrow& operator=(const FileBorrow&) = delete;
    FileBorrow& operator=(FileBorrow&&) = delete;
    ~FileBorrow() {
        if (file_ && counted_) file_->release();
    }
    File* get() const { return file_; }
    File* operator->() const { return file_; }
    File& operator*() const { return *file_; }
    explicit operator bool() const { return file_ != nullptr; }

private:
    File* file_;
    bool counted_;
};

class FdTable {
public:
    // The default RLIMIT_NOFILE soft limit (Linux's INR_OPEN_CUR).
    static constexpr uint32_t kDefaultLimit = 1024;
    // The hard ceiling of any table (fs.nr_open's default).
    static constexpr uint32_t kMaxDescriptors = 1048576;

    static lib::Expected<FdTable*> make();
    // fork(2) without CLONE_FILES: a copy with every description retained.
    lib::Expected<FdTable*> copy();

    void retain() { __atomic_fetch_add(&references_, 1, __ATOMIC_RELAXED); }
    // The last release closes every descriptor.
    void release();

    // Puts `file` (adopting the caller's reference on success) at the lowest
    // free descriptor >= `minimum` below `limit`: EMFILE when none is free,
    // EINVAL when `minimum` is at or past `limit` (F_DUPFD's rule).
    lib::Expected<int> install(File* file, bool close_on_exec, uint32_t limit = kDefaultLimit, uint32_t minimum = 0);
    // The description behind `fd` with a reference for the caller: EBADF
    // when none. O_PATH descriptions only when `allow_path` (fstat,
    // fchdir, *at's dirfd, close, dup, fcntl's F_GETFD/SETFD/GETFL).
    lib::Expected<FileRef> get(int fd, bool allow_path = false);
    // The same for one system call's use (no O_PATH descriptions; an empty
    // FileBorrow for EBADF, which spares the hot path an Expected). When
    // `sole_task` (the caller is the only task that uses this table: a
    // process with one thread) and the table has one reference, nothing
    // but the caller changes the table, so the look needs no lock and the
    // file no reference: it cannot be closed before the call ends (Linux's
    // __fget_light for a files_struct with one user). Else as get().
    FileBorrow borrow(int fd, bool sole_task) {
        if (sole_task && __atomic_load_n(&references_, __ATOMIC_RELAXED) == 1) {
            File* file = uint32_t(fd) < capacity_ ? slots_[fd].file : nullptr;
            return FileBorrow(file && !file->is_path_only() ? file : nullptr, false);
        }
        return borrow_counted(fd);
    }
    // close(2).
    lib::Expected<void> close(int fd);
    // dup(2), F_DUPFD/F_DUPFD_CLOEXEC (lowest >= minimum).
    lib::Expected<int> duplicate(int fd, uint32_t minimum, bool close_on_exec, uint32_t limit = kDefaultLimit);
    // dup2(2) (flags 0, and old == new returns new if open) / dup3(2)
    // (flags O_CLOEXEC only; old == new is EINVAL).
    lib::Expected<int> duplicate_to(int old_fd, int new_fd, uint32_t flags, bool is_dup3,
                                    uint32_t limit = kDefaultLimit);
    // F_GETFD/F_SETFD.
    lib::Expected<bool> close_on_exec(int fd);
    lib::Expected<void> set_close_on_exec(int fd, bool value);
    // execve(2): closes every close-on-exec descriptor.
    void close_on_exec_now();
    // close_range(2) (flags CLOSE_RANGE_CLOEXEC; UNSHARE is the caller's).
    lib::Expected<void> close_range(uint32_t first, uint32_t last, uint32_t flags);

    // Descriptors in use (for /proc/<pid>/fd and tests), the highest + 1.
    uint32_t count() const;
    uint32_t end() const;

    // What /proc/<pid>/fd/N shows, taken without a reference on the file
    // (whose last release could sleep: a tty's drain): where it was opened
    // (an empty Path for pipes and anonymous files), and its inode's number
    // and mode. EBADF when `fd` is not open.
    struct Description {
        Path path;
        uint64_t ino = 0;
        uint32_t mode = 0;
        uint32_t flags = 0;  // the description's (F_GETFL)
    };
    lib::Expected<Description> describe(int fd) const;
    // The lowest open descriptor >= `fd`, or -1.
    int next_open(int fd) const;

private:
    FdTable() = default;
    ~FdTable();
    template <typename T, typename... Args>
    friend T* make(Args&&... args);
    template <typename T>
    friend void unmake(T*);

    struct Slot {
        File* file;
        bool close_on_exec;
    };
    // Grows the array to hold at least `size` slots (under the lock).
    lib::Expected<void> grow(uint32_t size);
    int lowest_free(uint32_t minimum, uint32_t limit) const;
    FileBorrow borrow_counted(int fd);

    mutable ksync::SpinlockNoIrq lock_;
    uint32_t references_ = 1;
    Slot* slots_ = nullptr;
    uint32_t capacity_ = 0;
};

}  // namespace fs
