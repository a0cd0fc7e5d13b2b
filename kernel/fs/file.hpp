// An open file description (Linux's struct file): what open(2), pipe(2) and
// friends make and descriptors point at. dup(2) and fork(2) share one: its
// position and status flags (O_APPEND, O_NONBLOCK, ...) are shared too.
// Reference counted; the last release closes it (a pipe end then tells the
// other side, a tty drops its open count).
//
// The kinds of file override the virtual operations; what a kind does not
// override gives Linux's answer for a file that cannot do it (a directory's
// read is EISDIR, a pipe's lseek ESPIPE, an ioctl ENOTTY, ...).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_fs.hpp"
#include "kernel/fs/io_buffer.hpp"
#include "kernel/fs/node.hpp"
#include "kernel/vm/address_space.hpp"
#include "lib/expected.hpp"
#include "lib/intrusive_list.hpp"

namespace fs {

class PollTable;
struct EpollItem;
struct EpollWatchTag {};

class File {
public:
    void retain() { __atomic_fetch_add(&references_, 1, __ATOMIC_RELAXED); }
    void release();

    // O_ACCMODE and the status flags (F_GETFL's answer; O_CLOEXEC is a
    // descriptor flag and not here).
    uint32_t flags() const { return __atomic_load_n(&flags_, __ATOMIC_RELAXED); }
    // F_SETFL: only uapi::kSetflChangeable bits change.
    virtual lib::Expected<void> set_flags(uint32_t flags);
    // O_ACCMODE 3 opens for neither (ioctl only), as Linux's OPEN_FMODE.
    bool readable() const {
        uint32_t mode = flags() & uapi::kO_ACCMODE;
        return (mode == uapi::kO_RDONLY || mode == uapi::kO_RDWR) && !is_path_only();
    }
    bool writable() const {
        uint32_t mode = flags() & uapi::kO_ACCMODE;
        return (mode == uapi::kO_WRONLY || mode == uapi::kO_RDWR) && !is_path_only();
    }
    bool nonblocking() const { return (flags() & uapi::kO_NONBLOCK) != 0; }
    bool is_path_only() const { return (flags_ & uapi::kO_PATH) != 0; }

    const Path& path() const { return path_; }
    Inode* inode() const { return inode_; }

    // read(2)/write(2): at the file position, which they advance (for files
    // that have one); EBADF when not open for it.
    lib::Expected<size_t> read(IoBuffer& buffer);
    lib::Expected<size_t> write(IoBuffer& buffer);
    // pread64/pwrite64: at `offset` (ESPIPE for pipes and ttys; EINVAL for
    // a negative offset).
    lib::Expected<size_t> pread(IoBuffer& buffer, int64_t offset);
    lib::Expected<size_t> pwrite(IoBuffer& buffer, int64_t offset);
    // lseek(2).
    virtual lib::Expected<int64_t> seek(int64_t offset, int whence);
    int64_t position() const;

    // ioctl(2): `argument` is the user's value (often a user address).
    virtual lib::Expected<int64_t> ioctl(uint32_t command, uint64_t argument);
    // poll(2): the events ready now (POLLIN, POLLOUT, ...); when `table` is
    // given, also registers on the wait queues that announce a change.
    virtual uint32_t poll(PollTable* table);
    // Whether poll() can tell anything (Linux: f_op->poll is set): epoll_ctl
    // refuses the others (regular files, directories, /dev/null) with EPERM.
    // The kinds that override poll() with real readiness say yes.
    virtual bool pollable() const { return false; }
    // The epoll items watching this description (epoll.cpp, under its
    // lock); they are dropped at the last release, as Linux's
    // eventpoll_release. `epoll_watches` counts them, changed (atomically)
    // after the list each time: a last release that reads 0 knows no
    // instance's close is still unlinking an item from this file.
    lib::IntrusiveList<EpollItem, EpollWatchTag>& epoll_items() { return epoll_items_; }
    uint32_t& epoll_watches() { return epoll_watches_; }
    // getdents64(2): records into `buffer` (EINVAL when not even one fits).
    virtual lib::Expected<size_t> read_directory(IoBuffer& buffer);
    // fsync/fdatasync (tmpfs: nothing to write back).
    virtual lib::Expected<void> sync() { return {}; }
    // ftruncate(2): EINVAL unless a regular file open for writing.
    lib::Expected<void> truncate(int64_t size);
    // fallocate(2).
    lib::Expected<void> allocate_range(uint32_t mode, int64_t offset, int64_t length);
    // fstat(2): the inode's attributes.
    uapi::Stat stat() { return inode_->stat(); }
    // What mmap(2) maps: {backing (nullptr: ENODEV), readable, writable,
    // append-only, noexec}.
    virtual vm::FileMapping mapping();

protected:
    // `path` may be empty (pipes, eventfd: then `inode` is an anonymous one).
    File(const Path& path, Inode* inode, uint32_t flags);
    virtual ~File();
    // The last reference went (before destruction).
    virtual void on_close() {}
    // The kind's data transfer at `*position`, which it advances.
    virtual lib::Expected<size_t> read_at(IoBuffer& buffer, uint64_t* position);
    virtual lib::Expected<size_t> write_at(IoBuffer& buffer, uint64_t* position);
    // Whether the file has a position (lseek, pread): regular files,
    // directories, memory devices; not pipes, sockets or ttys.
    virtual bool seekable() const { return true; }
    // The largest position lseek allows (for SEEK_END: the size).
    virtual uint64_t end_position();
    // lseek for files with no end to seek from (directories, /proc's
    // seq files: Linux's dcache_dir_lseek and seq_lseek): SEEK_SET and
    // SEEK_CUR to any non-negative position, EINVAL otherwise.
    lib::Expected<int64_t> seek_set_or_cur(int64_t offset, int whence);

    Path path_;
    Inode* inode_;
    uint32_t flags_;
    // A kind with no position that says so at construction (pipes: Linux's
    // FMODE_STREAM): read/write go straight to read_at/write_at, without
    // asking seekable().
    bool stream_ = false;
    ksync::SpinlockNoIrq position_lock_;
    uint64_t position_ = 0;

private:
    uint32_t references_ = 1;
    lib::IntrusiveList<EpollItem, EpollWatchTag> epoll_items_;
    uint32_t epoll_watches_ = 0;
    template <typename T>
    friend void unmake(T*);
};

// A reference to a File that releases it when it goes.
class FileRef {
public:
    FileRef() = default;
    explicit FileRef(File* file) : file_(file) {}  // adopts a reference
    FileRef(const FileRef& other) : file_(other.file_) {
        if (file_) file_->retain();
    }
    FileRef(FileRef&& other) : file_(other.file_) { other.file_ = nullptr; }
    FileRef& operator=(FileRef&& other) {
        if (this != &other) {
            reset();
            file_ = other.file_;
            other.file_ = nullptr;
        }
        return *this;
    }
    FileRef& operator=(const FileRef&) = delete;
    ~FileRef() { reset(); }
    void reset() {
        if (file_) file_->release();
        file_ = nullptr;
    }
    File* take() {
        File* f = file_;
        file_ = nullptr;
        return f;
    }
    File* get() const { return file_; }
    File* operator->() const { return file_; }
    File& operator*() const { return *file_; }
    explicit operator bool() const { return file_ != nullptr; }

private:
    File* file_ = nullptr;
};

// A regular file of any file system: data through the inode.
class RegularFile : public File {
public:
    RegularFile(const Path& path, Inode* inode, uint32_t flags) : File(path, inode, flags) {}
    vm::FileMapping mapping() override;

protected:
    lib::Expected<size_t> read_at(IoBuffer& buffer, uint64_t* position) override;
    lib::Expected<size_t> write_at(IoBuffer& buffer, uint64_t* position) override;
};

// A directory: getdents64 over its dentries.
class DirectoryFile : public File {
public:
    DirectoryFile(const Path& path, Inode* inode, uint32_t flags) : File(path, inode, flags) {}
    lib::Expected<size_t> read_directory(IoBuffer& buffer) override;
    lib::Expected<int64_t> seek(int64_t offset, int whence) override;
};

// O_PATH: a handle on a place (fchdir, *at with AT_EMPTY_PATH, fstat) that
// reads and writes nothing (EBADF).
class PathFile : public File {
public:
    PathFile(const Path& path, Inode* inode, uint32_t flags) : File(path, inode, flags) {}
    lib::Expected<int64_t> seek(int64_t, int) override { return fail(lib::Errno::kEBADF, "O_PATH file"); }
    lib::Expected<int64_t> ioctl(uint32_t, uint64_t) override { return fail(lib::Errno::kEBADF, "O_PATH file"); }
    lib::Expected<size_t> read_directory(IoBuffer&) override { return fail(lib::Errno::kEBADF, "O_PATH file"); }
    vm::FileMapping mapping() override { return {}; }
};

}  // namespace fs
