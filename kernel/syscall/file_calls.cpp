// The file calls: descriptors (kernel/fs FdTable), open file descriptions
// (fs::File) and names (fs::lookup & co., relative to the process's
// fs::Context). The VFS decides the errno of everything it does; here the
// arguments are copied in and checked in Linux's order (fs/read_write.c,
// fs/open.c, fs/namei.c, fs/stat.c, fs/fcntl.c), docs/syscalls.md.
#include "kernel/abi/linux_fs.hpp"
#include "kernel/abi/linux_proc.hpp"
#include "kernel/abi/linux_syscalls.hpp"
#include "kernel/fs/fd_table.hpp"
#include "kernel/fs/file.hpp"
#include "kernel/fs/fs.hpp"
#include "kernel/fs/io_buffer.hpp"
#include "kernel/fs/pipe.hpp"
#include "kernel/fs/user_copy.hpp"
#include "kernel/fs/vfs.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/proc/signals.hpp"
#include "kernel/syscall/handler_support.hpp"
#include "kernel/syscall/syscall.hpp"
#include "kernel/syscall/user_memory.hpp"

namespace sys {
namespace {

constexpr uint64_t kMaxRw = 0x7ffff000;  // MAX_RW_COUNT: one call moves at most this much

fs::Context& context() {
    return process().fs;
}

// A path copied from user memory, on the heap (PATH_MAX bytes would crowd
// a 16 KiB kernel stack).
class UserPath {
public:
    UserPath() : buffer_(static_cast<fs::PathBuffer*>(mm::kmalloc(sizeof(fs::PathBuffer)))) {}
    ~UserPath() { mm::kfree(buffer_); }
    UserPath(const UserPath&) = delete;
    UserPath& operator=(const UserPath&) = delete;

    lib::Expected<lib::StringView> copy(uint64_t address, bool allow_empty = false) {
        if (!buffer_) return error(Errno::kENOMEM, "no memory for a path");
        return fs::copy_path_from_user(*buffer_, address, allow_empty);
    }

private:
    fs::PathBuffer* buffer_;
};

// Where a relative path starts: the cwd for AT_FDCWD, else the directory
// the descriptor names (O_PATH descriptors too).
lib::Expected<fs::Path> start_of(int dirfd) {
    if (dirfd == uapi::kAT_FDCWD) return context().cwd;
    fs::FileRef file = TRY(files().get(dirfd, true));
    // A pipe or an eventfd has no path to walk from (Linux: ENOTDIR).
    if (!file->path().inode()) return error(Errno::kENOTDIR, "the descriptor is not a directory");
    return file->path();
}

// A path argument and its start: an absolute path ignores `dirfd` (a bad
// one included), as Linux's path_init.
struct Place {
    fs::Path start;
    lib::StringView path;
};
lib::Expected<Place> place_of(int dirfd, UserPath& buffer, uint64_t address, bool allow_empty = false) {
    lib::StringView path = TRY(buffer.copy(address, allow_empty));
    if (!path.empty() && path[0] == '/') return Place{context().cwd, path};
    auto start = start_of(dirfd);
    if (!start && start.error().code == Errno::kENOTDIR && path.empty())
        // An empty path of a pipe or an eventfd names nothing these calls
        // can act on here (Linux acts on the pipe's inode; its readlinkat
        // says ENOENT too).
        return error(Errno::kENOENT, "the descriptor has no path");
    return Place{TRY(lib::move(start)), path};
}

// ---- data

// The result of a transfer: bytes moved, or EFAULT when a fault stopped it
// before any byte.
lib::Expected<int64_t> transferred(lib::Expected<size_t> result, const fs::IoBuffer& buffer) {
    size_t n = TRY(result);
    if (n == 0 && buffer.faulted()) return fault_error();
    return int64_t(n);
}

// A write's result: EPIPE (a pipe or FIFO without readers) also sends
// SIGPIPE to the caller, as Linux's pipe_write (send_sig: SI_USER from
// the caller itself, so an ignored or blocked SIGPIPE leaves just EPIPE).
lib::Expected<int64_t> written(lib::Expected<size_t> result, const fs::IoBuffer& buffer) {
    if (!result && result.error().code == Errno::kEPIPE)
        (void)proc::kill(proc::current_process()->pid, uapi::kSIGPIPE);
    return transferred(lib::move(result), buffer);
}

// The data calls' file (fs::FdTable::borrow, docs/fs.md): no lock and no
// reference while the process has one task (only a task of the process
// makes one more, and only its tasks change its table).
fs::FileBorrow borrowed(int fd) {
    return files().borrow(fd, __atomic_load_n(&process().live_tasks, __ATOMIC_RELAXED) == 1);
}

// read/write/pread64/pwrite64: EBADF for a descriptor without a file first
// (as Linux's fdget_pos, before any other argument is looked at), then
// `transfer` on the file and one user buffer of `count` bytes, cut at
// MAX_RW_COUNT. Always inlined into each call: the check stays one test
// and branch, no Expected (the borrow's reason, docs/fs.md "The API"; make
// bench's read and pipe rows, docs/benchmarks.md); the four calls came out
// instruction for instruction as when each spelled the check out.
template <typename Transfer>
[[gnu::always_inline]] inline lib::Expected<int64_t> with_buffer(int fd, uint64_t address, uint64_t count,
                                                                 Transfer&& transfer) {
    fs::FileBorrow file = borrowed(fd);
    if (!file) return error(Errno::kEBADF, "bad descriptor");
    fs::IoBuffer::Segment segment;
    fs::IoBuffer buffer = fs::IoBuffer::user_one(segment, address, count > kMaxRw ? kMaxRw : count);
    return transfer(*file, buffer);
}

lib::Expected<int64_t> sys_read(int fd, uint64_t address, uint64_t count) {
    return with_buffer(fd, address, count,
                       [](fs::File& file, fs::IoBuffer& buffer) { return transferred(file.read(buffer), buffer); });
}

lib::Expected<int64_t> sys_write(int fd, uint64_t address, uint64_t count) {
    return with_buffer(fd, address, count,
                       [](fs::File& file, fs::IoBuffer& buffer) { return written(file.write(buffer), buffer); });
}

lib::Expected<int64_t> sys_pread64(int fd, uint64_t address, uint64_t count, int64_t offset) {
    return with_buffer(fd, address, count, [offset](fs::File& file, fs::IoBuffer& buffer) {
        return transferred(file.pread(buffer, offset), buffer);
    });
}

lib::Expected<int64_t> sys_pwrite64(int fd, uint64_t address, uint64_t count, int64_t offset) {
    return with_buffer(fd, address, count, [offset](fs::File& file, fs::IoBuffer& buffer) {
        return transferred(file.pwrite(buffer, offset), buffer);
    });
}

// The iovec array of readv/writev (import_iovec): at most IOV_MAX entries
// (EINVAL), each length non-negative (EINVAL); the total is cut at
// MAX_RW_COUNT.
class UserIovec {
public:
    ~UserIovec() { mm::kfree(segments_); }
    lib::Expected<fs::IoBuffer> load(uint64_t address, int count) {
        if (count < 0 || uint32_t(count) > uapi::kIOV_MAX) return error(Errno::kEINVAL, "bad iovec count");
        segments_ = static_cast<uapi::Iovec*>(mm::kmalloc((count ? count : 1) * sizeof(uapi::Iovec)));
        if (!segments_) return error(Errno::kENOMEM, "no memory for the iovec");
        TRY(copy_in_bytes(segments_, address, size_t(count) * sizeof(uapi::Iovec)));
        uint64_t total = 0;
        for (int i = 0; i < count; ++i) {
            if (int64_t(segments_[i].iov_len) < 0) return error(Errno::kEINVAL, "negative iovec length");
            if (segments_[i].iov_len > kMaxRw - total) segments_[i].iov_len = kMaxRw - total;
            total += segments_[i].iov_len;
        }
        return fs::IoBuffer::user(lib::Span<const uapi::Iovec>(segments_, size_t(count)));
    }

private:
    uapi::Iovec* segments_ = nullptr;
};

// The vector calls spell the check out: the same fold as with_buffer's
// (a helper taking the transfer as a lambda) cost 8 to 9 more
// instructions in each of them in the release kernel (clang's inlining
// order; objdump of file_calls.cpp.o), where the one-buffer calls came out
// instruction for instruction as before.
lib::Expected<int64_t> sys_readv(int fd, uint64_t iov, int count) {
    fs::FileBorrow file = borrowed(fd);
    if (!file) return error(Errno::kEBADF, "bad descriptor");
    UserIovec vector;
    fs::IoBuffer buffer = TRY(vector.load(iov, count));
    return transferred(file->read(buffer), buffer);
}

lib::Expected<int64_t> sys_writev(int fd, uint64_t iov, int count) {
    fs::FileBorrow file = borrowed(fd);
    if (!file) return error(Errno::kEBADF, "bad descriptor");
    UserIovec vector;
    fs::IoBuffer buffer = TRY(vector.load(iov, count));
    return written(file->write(buffer), buffer);
}

lib::Expected<int64_t> sys_preadv(int fd, uint64_t iov, int count, int64_t offset) {
    fs::FileBorrow file = borrowed(fd);
    if (!file) return error(Errno::kEBADF, "bad descriptor");
    UserIovec vector;
    fs::IoBuffer buffer = TRY(vector.load(iov, count));
    return transferred(file->pread(buffer, offset), buffer);
}

lib::Expected<int64_t> sys_pwritev(int fd, uint64_t iov, int count, int64_t offset) {
    fs::FileBorrow file = borrowed(fd);
    if (!file) return error(Errno::kEBADF, "bad descriptor");
    UserIovec vector;
    fs::IoBuffer buffer = TRY(vector.load(iov, count));
    return transferred(file->pwrite(buffer, offset), buffer);
}

lib::Expected<int64_t> sys_lseek(int fd, int64_t offset, unsigned whence) {
    fs::FileRef file = TRY(files().get(fd));
    if (whence > uapi::kSEEK_HOLE) return error(Errno::kEINVAL, "bad whence");
    return file->seek(offset, int(whence));
}

lib::Expected<int64_t> sys_getdents64(int fd, uint64_t address, unsigned count) {
    fs::FileRef file = TRY(files().get(fd));
    fs::IoBuffer::Segment segment;
    fs::IoBuffer buffer = fs::IoBuffer::user_one(segment, address, count);
    return transferred(file->read_directory(buffer), buffer);
}

lib::Expected<int64_t> sys_ioctl(int fd, unsigned command, uint64_t argument) {
    // The descriptor flags first (do_vfs_ioctl), then the file's own.
    if (command == uapi::kFIOCLEX || command == uapi::kFIONCLEX) {
        TRY(files().set_close_on_exec(fd, command == uapi::kFIOCLEX));
        return 0;
    }
    fs::FileRef file = TRY(files().get(fd));
    return file->ioctl(command, argument);
}

lib::Expected<int64_t> sys_fsync(int fd) {
    fs::FileRef file = TRY(files().get(fd));
    TRY(file->sync());
    return 0;
}

int64_t sys_sync() {
    return 0;
}

lib::Expected<int64_t> sys_ftruncate(int fd, int64_t length) {
    if (length < 0) return error(Errno::kEINVAL, "negative length");
    fs::FileRef file = TRY(files().get(fd));
    TRY(file->truncate(length));
    return 0;
}

lib::Expected<int64_t> sys_fallocate(int fd, int mode, int64_t offset, int64_t length) {
    fs::FileRef file = TRY(files().get(fd));
    TRY(file->allocate_range(uint32_t(mode), offset, length));
    return 0;
}

// ---- descriptors

lib::Expected<int64_t> sys_openat(int dirfd, uint64_t path_address, uint32_t flags, uint32_t mode) {
    UserPath buffer;
    Place place = TRY(place_of(dirfd, buffer, path_address));
    fs::FileRef file = TRY(fs::open(context(), place.start, place.path, flags, mode));
    return TRY(files().install(file.take(), (flags & uapi::kO_CLOEXEC) != 0, nofile_limit()));
}

lib::Expected<int64_t> sys_open(uint64_t path, uint32_t flags, uint32_t mode) {
    return sys_openat(uapi::kAT_FDCWD, path, flags, mode);
}

lib::Expected<int64_t> sys_creat(uint64_t path, uint32_t mode) {
    return sys_openat(uapi::kAT_FDCWD, path, uapi::kO_CREAT | uapi::kO_WRONLY | uapi::kO_TRUNC, mode);
}

lib::Expected<int64_t> sys_close(int fd) {
    TRY(files().close(fd));
    return 0;
}

lib::Expected<int64_t> sys_close_range(uint32_t first, uint32_t last, uint32_t flags) {
    if (flags & ~(uapi::kCLOSE_RANGE_UNSHARE | uapi::kCLOSE_RANGE_CLOEXEC))
        return error(Errno::kEINVAL, "unknown close_range flags");
    if (first > last) return error(Errno::kEINVAL, "first above last");
    TRY(files().close_range(first, last, flags & uapi::kCLOSE_RANGE_CLOEXEC));
    return 0;
}

lib::Expected<int64_t> sys_dup(int fd) {
    return TRY(files().duplicate(fd, 0, false, nofile_limit()));
}

lib::Expected<int64_t> sys_dup2(int old_fd, int new_fd) {
    return TRY(files().duplicate_to(old_fd, new_fd, 0, false, nofile_limit()));
}

lib::Expected<int64_t> sys_dup3(int old_fd, int new_fd, uint32_t flags) {
    return TRY(files().duplicate_to(old_fd, new_fd, flags, true, nofile_limit()));
}

lib::Expected<int64_t> sys_fcntl(int fd, int command, uint64_t argument) {
    switch (command) {
        case uapi::kF_DUPFD:
        case uapi::kF_DUPFD_CLOEXEC: {
            // A minimum at or past RLIMIT_NOFILE is EINVAL (f_dupfd).
            if (argument >= nofile_limit()) return error(Errno::kEINVAL, "F_DUPFD at or past RLIMIT_NOFILE");
            return TRY(files().duplicate(fd, uint32_t(argument), command == uapi::kF_DUPFD_CLOEXEC, nofile_limit()));
        }
        case uapi::kF_GETFD: return TRY(files().close_on_exec(fd)) ? uapi::kFD_CLOEXEC : 0;
        case uapi::kF_SETFD:
            TRY(files().set_close_on_exec(fd, (argument & uapi::kFD_CLOEXEC) != 0));
            return 0;
        default: break;
    }
    fs::FileRef file = TRY(files().get(fd, command == uapi::kF_GETFL));
    switch (command) {
        case uapi::kF_GETFL: return int64_t(file->flags());
        case uapi::kF_SETFL:
            TRY(file->set_flags(uint32_t(argument)));
            return 0;
        case uapi::kF_GETLK:
        case uapi::kF_OFD_GETLK: {
            // Advisory locks never conflict here: the answer is "unlocked".
            uapi::Flock lock = TRY(copy_in(UserPtr<uapi::Flock>(argument)));
            lock.l_type = uapi::kF_UNLCK;
            TRY(copy_out(UserPtr<uapi::Flock>(argument), lock));
            return 0;
        }
        case uapi::kF_SETLK:
        case uapi::kF_SETLKW:
        case uapi::kF_OFD_SETLK:
        case uapi::kF_OFD_SETLKW:
            TRY(copy_in(UserPtr<uapi::Flock>(argument)));
            return 0;
        case uapi::kF_GETPIPE_SZ: return TRY(fs::pipe_size(*file));
        case uapi::kF_SETPIPE_SZ:
            // Past pipe-max-size (1 MiB) needs CAP_SYS_RESOURCE: root's.
            return TRY(fs::set_pipe_size(*file, argument, proc::current_process()->credentials.euid == 0));
        case uapi::kF_GETOWN:
        case uapi::kF_GETSIG: return 0;
        case uapi::kF_SETOWN:
        case uapi::kF_SETSIG: return 0;
        default: return error(Errno::kEINVAL, "fcntl command not supported");
    }
}

// ---- names

lib::Expected<int64_t> sys_newfstatat(int dirfd, uint64_t path_address, UserPtr<uapi::Stat> out, uint32_t flags) {
    UserPath buffer;
    if (flags & ~(uapi::kAT_SYMLINK_NOFOLLOW | uapi::kAT_EMPTY_PATH | uapi::kAT_NO_AUTOMOUNT))
        return error(Errno::kEINVAL, "unknown flags");
    lib::StringView path = TRY(buffer.copy(path_address, (flags & uapi::kAT_EMPTY_PATH) != 0));
    uapi::Stat st;
    if (path.empty()) {
        // AT_EMPTY_PATH: the descriptor itself (glibc's fstat).
        if (dirfd == uapi::kAT_FDCWD) {
            st = TRY(fs::stat(context(), context().cwd, path, flags));
        } else {
            fs::FileRef file = TRY(files().get(dirfd, true));
            st = file->stat();
        }
    } else {
        fs::Path start = path[0] == '/' ? context().cwd : TRY(start_of(dirfd));
        st = TRY(fs::stat(context(), start, path, flags));
    }
    TRY(copy_out(out, st));
    return 0;
}

lib::Expected<int64_t> sys_stat(uint64_t path, UserPtr<uapi::Stat> out) {
    return sys_newfstatat(uapi::kAT_FDCWD, path, out, 0);
}
lib::Expected<int64_t> sys_lstat(uint64_t path, UserPtr<uapi::Stat> out) {
    return sys_newfstatat(uapi::kAT_FDCWD, path, out, uapi::kAT_SYMLINK_NOFOLLOW);
}
lib::Expected<int64_t> sys_fstat(int fd, UserPtr<uapi::Stat> out) {
    fs::FileRef file = TRY(files().get(fd, true));
    TRY(copy_out(out, file->stat()));
    return 0;
}

lib::Expected<int64_t> sys_statx(int dirfd, uint64_t path_address, uint32_t flags, uint32_t mask,
                                 UserPtr<uapi::Statx> out) {
    if (mask & uapi::kSTATX__RESERVED) return error(Errno::kEINVAL, "reserved statx mask bits");
    if ((flags & uapi::kAT_STATX_SYNC_TYPE) == uapi::kAT_STATX_SYNC_TYPE)
        return error(Errno::kEINVAL, "both statx sync types");
    if (flags & ~(uapi::kAT_SYMLINK_NOFOLLOW | uapi::kAT_EMPTY_PATH | uapi::kAT_NO_AUTOMOUNT |
                  uapi::kAT_STATX_SYNC_TYPE))
        return error(Errno::kEINVAL, "unknown flags");
    UserPath buffer;
    lib::StringView path = TRY(buffer.copy(path_address, (flags & uapi::kAT_EMPTY_PATH) != 0));
    uapi::Statx st;
    if (path.empty() && dirfd != uapi::kAT_FDCWD) {
        fs::FileRef file = TRY(files().get(dirfd, true));
        st = fs::statx_of(*file, mask);
    } else {
        fs::Path start = (!path.empty() && path[0] == '/') ? context().cwd : TRY(start_of(dirfd));
        st = TRY(fs::statx(context(), start, path, flags & (uapi::kAT_SYMLINK_NOFOLLOW | uapi::kAT_EMPTY_PATH), mask));
    }
    TRY(copy_out(out, st));
    return 0;
}

lib::Expected<int64_t> sys_faccessat2(int dirfd, uint64_t path_address, uint32_t mode, uint32_t flags) {
    if (mode & ~(uapi::kR_OK | uapi::kW_OK | uapi::kX_OK)) return error(Errno::kEINVAL, "bad access mode");
    if (flags & ~(uapi::kAT_SYMLINK_NOFOLLOW | uapi::kAT_EACCESS | uapi::kAT_EMPTY_PATH))
        return error(Errno::kEINVAL, "unknown flags");
    UserPath buffer;
    Place place = TRY(place_of(dirfd, buffer, path_address, (flags & uapi::kAT_EMPTY_PATH) != 0));
    TRY(fs::access(context(), place.start, place.path, mode, flags));
    return 0;
}
lib::Expected<int64_t> sys_faccessat(int dirfd, uint64_t path, uint32_t mode) {
    return sys_faccessat2(dirfd, path, mode, 0);
}
lib::Expected<int64_t> sys_access(uint64_t path, uint32_t mode) {
    return sys_faccessat2(uapi::kAT_FDCWD, path, mode, 0);
}

lib::Expected<int64_t> sys_mkdirat(int dirfd, uint64_t path_address, uint32_t mode) {
    UserPath buffer;
    Place place = TRY(place_of(dirfd, buffer, path_address));
    TRY(fs::make_directory(context(), place.start, place.path, mode));
    return 0;
}
lib::Expected<int64_t> sys_mkdir(uint64_t path, uint32_t mode) {
    return sys_mkdirat(uapi::kAT_FDCWD, path, mode);
}

lib::Expected<int64_t> sys_mknodat(int dirfd, uint64_t path_address, uint32_t mode, uint32_t device) {
    UserPath buffer;
    Place place = TRY(place_of(dirfd, buffer, path_address));
    // The new_decode_dev encoding of the 32-bit dev_t argument.
    uint64_t major = (device & 0xfff00) >> 8, minor = (device & 0xff) | ((device >> 12) & 0xfff00);
    TRY(fs::make_node(context(), place.start, place.path, mode, (major << 20) | minor));
    return 0;
}
lib::Expected<int64_t> sys_mknod(uint64_t path, uint32_t mode, uint32_t device) {
    return sys_mknodat(uapi::kAT_FDCWD, path, mode, device);
}

lib::Expected<int64_t> sys_unlinkat(int dirfd, uint64_t path_address, uint32_t flags) {
    if (flags & ~uapi::kAT_REMOVEDIR) return error(Errno::kEINVAL, "unknown flags");
    UserPath buffer;
    Place place = TRY(place_of(dirfd, buffer, path_address));
    if (flags & uapi::kAT_REMOVEDIR)
        TRY(fs::remove_directory(context(), place.start, place.path));
    else
        TRY(fs::unlink(context(), place.start, place.path));
    return 0;
}
lib::Expected<int64_t> sys_unlink(uint64_t path) {
    return sys_unlinkat(uapi::kAT_FDCWD, path, 0);
}
lib::Expected<int64_t> sys_rmdir(uint64_t path) {
    return sys_unlinkat(uapi::kAT_FDCWD, path, uapi::kAT_REMOVEDIR);
}

lib::Expected<int64_t> sys_renameat2(int old_dirfd, uint64_t old_address, int new_dirfd, uint64_t new_address,
                                     uint32_t flags) {
    if (flags & ~(uapi::kRENAME_NOREPLACE | uapi::kRENAME_EXCHANGE | uapi::kRENAME_WHITEOUT))
        return error(Errno::kEINVAL, "unknown flags");
    if ((flags & uapi::kRENAME_NOREPLACE) && (flags & uapi::kRENAME_EXCHANGE))
        return error(Errno::kEINVAL, "RENAME_NOREPLACE with RENAME_EXCHANGE");
    UserPath old_buffer, new_buffer;
    Place from = TRY(place_of(old_dirfd, old_buffer, old_address));
    Place to = TRY(place_of(new_dirfd, new_buffer, new_address));
    TRY(fs::rename(context(), from.start, from.path, to.start, to.path, flags));
    return 0;
}
lib::Expected<int64_t> sys_renameat(int old_dirfd, uint64_t old_path, int new_dirfd, uint64_t new_path) {
    return sys_renameat2(old_dirfd, old_path, new_dirfd, new_path, 0);
}
lib::Expected<int64_t> sys_rename(uint64_t old_path, uint64_t new_path) {
    return sys_renameat2(uapi::kAT_FDCWD, old_path, uapi::kAT_FDCWD, new_path, 0);
}

lib::Expected<int64_t> sys_linkat(int old_dirfd, uint64_t old_address, int new_dirfd, uint64_t new_address,
                                  uint32_t flags) {
    if (flags & ~(uapi::kAT_SYMLINK_FOLLOW | uapi::kAT_EMPTY_PATH)) return error(Errno::kEINVAL, "unknown flags");
    UserPath old_buffer, new_buffer;
    Place from = TRY(place_of(old_dirfd, old_buffer, old_address, (flags & uapi::kAT_EMPTY_PATH) != 0));
    Place to = TRY(place_of(new_dirfd, new_buffer, new_address));
    TRY(fs::make_link(context(), from.start, from.path, to.start, to.path, flags));
    return 0;
}
lib::Expected<int64_t> sys_link(uint64_t old_path, uint64_t new_path) {
    return sys_linkat(uapi::kAT_FDCWD, old_path, uapi::kAT_FDCWD, new_path, 0);
}

lib::Expected<int64_t> sys_symlinkat(uint64_t target_address, int dirfd, uint64_t path_address) {
    UserPath target_buffer, path_buffer;
    lib::StringView target = TRY(target_buffer.copy(target_address));
    Place place = TRY(place_of(dirfd, path_buffer, path_address));
    TRY(fs::make_symlink(context(), target, place.start, place.path));
    return 0;
}
lib::Expected<int64_t> sys_symlink(uint64_t target, uint64_t path) {
    return sys_symlinkat(target, uapi::kAT_FDCWD, path);
}

lib::Expected<int64_t> sys_readlinkat(int dirfd, uint64_t path_address, uint64_t out, int size) {
    if (size <= 0) return error(Errno::kEINVAL, "buffer size not positive");
    UserPath buffer;
    Place place = TRY(place_of(dirfd, buffer, path_address, true));
    char* bytes = static_cast<char*>(mm::kmalloc(uapi::kPATH_MAX));
    if (!bytes) return error(Errno::kENOMEM, "no memory");
    size_t limit = size_t(size) < uapi::kPATH_MAX ? size_t(size) : uapi::kPATH_MAX;
    auto n = fs::read_link(context(), place.start, place.path, bytes, limit);
    lib::Expected<void> copied = n ? copy_out_bytes(out, bytes, *n) : lib::Expected<void>{};
    mm::kfree(bytes);
    size_t length = TRY(n);
    TRY(lib::move(copied));
    return int64_t(length);
}
lib::Expected<int64_t> sys_readlink(uint64_t path, uint64_t out, int size) {
    return sys_readlinkat(uapi::kAT_FDCWD, path, out, size);
}

lib::Expected<int64_t> sys_fchmodat(int dirfd, uint64_t path_address, uint32_t mode) {
    UserPath buffer;
    Place place = TRY(place_of(dirfd, buffer, path_address));
    TRY(fs::change_mode(context(), place.start, place.path, mode, 0));
    return 0;
}
lib::Expected<int64_t> sys_chmod(uint64_t path, uint32_t mode) {
    return sys_fchmodat(uapi::kAT_FDCWD, path, mode);
}
lib::Expected<int64_t> sys_fchmod(int fd, uint32_t mode) {
    fs::FileRef file = TRY(files().get(fd));
    TRY(fs::change_mode(context(), *file->inode(), mode));
    return 0;
}

lib::Expected<int64_t> sys_fchownat(int dirfd, uint64_t path_address, uint32_t uid, uint32_t gid, uint32_t flags) {
    if (flags & ~(uapi::kAT_SYMLINK_NOFOLLOW | uapi::kAT_EMPTY_PATH)) return error(Errno::kEINVAL, "unknown flags");
    UserPath buffer;
    Place place = TRY(place_of(dirfd, buffer, path_address, (flags & uapi::kAT_EMPTY_PATH) != 0));
    TRY(fs::change_owner(context(), place.start, place.path, uid, gid, flags));
    return 0;
}
lib::Expected<int64_t> sys_chown(uint64_t path, uint32_t uid, uint32_t gid) {
    return sys_fchownat(uapi::kAT_FDCWD, path, uid, gid, 0);
}
lib::Expected<int64_t> sys_lchown(uint64_t path, uint32_t uid, uint32_t gid) {
    return sys_fchownat(uapi::kAT_FDCWD, path, uid, gid, uapi::kAT_SYMLINK_NOFOLLOW);
}
lib::Expected<int64_t> sys_fchown(int fd, uint32_t uid, uint32_t gid) {
    fs::FileRef file = TRY(files().get(fd));
    TRY(fs::change_owner(context(), *file->inode(), uid, gid));
    return 0;
}

lib::Expected<int64_t> sys_truncate(uint64_t path_address, int64_t length) {
    UserPath buffer;
    Place place = TRY(place_of(uapi::kAT_FDCWD, buffer, path_address));
    TRY(fs::truncate(context(), place.start, place.path, length));
    return 0;
}

lib::Expected<int64_t> sys_utimensat(int dirfd, uint64_t path_address, uint64_t times_address, uint32_t flags) {
    if (flags & ~(uapi::kAT_SYMLINK_NOFOLLOW | uapi::kAT_EMPTY_PATH)) return error(Errno::kEINVAL, "unknown flags");
    uapi::Timespec times[2];
    if (times_address) TRY(copy_in_bytes(times, times_address, sizeof times));
    const uapi::Timespec* given = times_address ? times : nullptr;
    if (path_address == 0) {
        // futimens: the descriptor itself.
        if (dirfd == uapi::kAT_FDCWD) return error(Errno::kEFAULT, "no path and no descriptor");
        fs::FileRef file = TRY(files().get(dirfd, true));
        TRY(fs::set_times(context(), *file->inode(), given));
        return 0;
    }
    UserPath buffer;
    Place place = TRY(place_of(dirfd, buffer, path_address, (flags & uapi::kAT_EMPTY_PATH) != 0));
    TRY(fs::set_times(context(), place.start, place.path, given, flags));
    return 0;
}

lib::Expected<int64_t> sys_getcwd(uint64_t out, uint64_t size) {
    char* bytes = static_cast<char*>(mm::kmalloc(uapi::kPATH_MAX));
    if (!bytes) return error(Errno::kENOMEM, "no memory");
    auto n = fs::current_directory(context(), bytes, size < uapi::kPATH_MAX ? size : uapi::kPATH_MAX);
    lib::Expected<void> copied = n ? copy_out_bytes(out, bytes, *n) : lib::Expected<void>{};
    mm::kfree(bytes);
    size_t length = TRY(n);
    TRY(lib::move(copied));
    return int64_t(length);
}

// chdir, fchdir and chroot change a copy of the process's view, which
// replaces the cwd and root under the table lock: /proc/<pid>/cwd and root
// are read under it by other processes.
void set_view(fs::Context& view) {
    ksync::Guard guard(proc::table_lock());
    lib::swap(context().cwd, view.cwd);
    lib::swap(context().root, view.root);
}

lib::Expected<int64_t> sys_chdir(uint64_t path_address) {
    UserPath buffer;
    Place place = TRY(place_of(uapi::kAT_FDCWD, buffer, path_address));
    fs::Context view = context();
    TRY(fs::change_directory(view, place.start, place.path));
    set_view(view);
    return 0;
}

lib::Expected<int64_t> sys_fchdir(int fd) {
    fs::FileRef file = TRY(files().get(fd, true));
    fs::Context view = context();
    TRY(fs::change_directory(view, file->path()));
    set_view(view);
    return 0;
}

lib::Expected<int64_t> sys_chroot(uint64_t path_address) {
    UserPath buffer;
    Place place = TRY(place_of(uapi::kAT_FDCWD, buffer, path_address));
    fs::Context view = context();
    TRY(fs::change_root(view, place.start, place.path));
    set_view(view);
    return 0;
}

lib::Expected<int64_t> sys_statfs(uint64_t path_address, UserPtr<uapi::Statfs> out) {
    UserPath buffer;
    Place place = TRY(place_of(uapi::kAT_FDCWD, buffer, path_address));
    fs::Path path = TRY(fs::lookup(context(), place.start, place.path, fs::kFollow));
    TRY(copy_out(out, fs::statfs(path)));
    return 0;
}
lib::Expected<int64_t> sys_fstatfs(int fd, UserPtr<uapi::Statfs> out) {
    fs::FileRef file = TRY(files().get(fd, true));
    TRY(copy_out(out, fs::statfs(*file)));
    return 0;
}

// mount(2): new tmpfs, devtmpfs and proc mounts (fs/namespace.c's
// path_mount for a new mount). A remount and propagation changes are
// accepted and change nothing; bind and move mounts are not here (EINVAL).
lib::Expected<int64_t> sys_mount(uint64_t source_address, uint64_t target_address, uint64_t type_address,
                                 uint64_t flags, uint64_t data_address) {
    (void)source_address, (void)data_address;
    // The magic number old programs put in the top half (MS_MGC_VAL).
    if ((flags & uapi::kMS_MGC_MASK) == uapi::kMS_MGC_VAL) flags &= ~uapi::kMS_MGC_MASK;
    UserPath type_buffer;
    lib::StringView type;
    if (type_address) type = TRY(type_buffer.copy(type_address, true));
    UserPath buffer;
    Place place = TRY(place_of(uapi::kAT_FDCWD, buffer, target_address));
    if (!context().credentials.privileged()) return error(Errno::kEPERM, "mount needs CAP_SYS_ADMIN");
    fs::Path target = TRY(fs::lookup(context(), place.start, place.path, fs::kFollow));
    if (flags & uapi::kMS_REMOUNT) {
        if (target.dentry() != target.mount()->root()) return error(Errno::kEINVAL, "remount of a non-mount point");
        return 0;
    }
    if (flags & (uapi::kMS_SHARED | uapi::kMS_PRIVATE | uapi::kMS_SLAVE | uapi::kMS_UNBINDABLE)) return 0;
    if (flags & (uapi::kMS_BIND | uapi::kMS_MOVE)) return error(Errno::kEINVAL, "bind and move mounts are not here");
    if (!type_address) return error(Errno::kEINVAL, "no file system type");
    fs::FileSystem* made = TRY(fs::make_file_system(type));
    uint32_t mount_flags = uint32_t(flags & (uapi::kMS_RDONLY | uapi::kMS_NOSUID | uapi::kMS_NODEV | uapi::kMS_NOEXEC));
    TRY(fs::mount(context(), *made, place.start, place.path, mount_flags));
    return 0;
}

lib::Expected<int64_t> sys_umount2(uint64_t target_address, uint32_t flags) {
    if (flags & ~(uapi::kMNT_FORCE | uapi::kMNT_DETACH | uapi::kMNT_EXPIRE | uapi::kUMOUNT_NOFOLLOW))
        return error(Errno::kEINVAL, "unknown umount2 flags");
    if ((flags & uapi::kMNT_EXPIRE) && (flags & (uapi::kMNT_FORCE | uapi::kMNT_DETACH)))
        return error(Errno::kEINVAL, "MNT_EXPIRE with MNT_FORCE or MNT_DETACH");
    UserPath buffer;
    Place place = TRY(place_of(uapi::kAT_FDCWD, buffer, target_address));
    TRY(fs::unmount(context(), place.start, place.path));
    return 0;
}

}  // namespace

void add_file_calls(Entry* table) {
    table[uapi::kNR_read] = &call<&sys_read>;
    table[uapi::kNR_write] = &call<&sys_write>;
    table[uapi::kNR_pread64] = &call<&sys_pread64>;
    table[uapi::kNR_pwrite64] = &call<&sys_pwrite64>;
    table[uapi::kNR_readv] = &call<&sys_readv>;
    table[uapi::kNR_writev] = &call<&sys_writev>;
    table[uapi::kNR_preadv] = &call<&sys_preadv>;
    table[uapi::kNR_pwritev] = &call<&sys_pwritev>;
    table[uapi::kNR_lseek] = &call<&sys_lseek>;
    table[uapi::kNR_getdents64] = &call<&sys_getdents64>;
    table[uapi::kNR_ioctl] = &call<&sys_ioctl>;
    table[uapi::kNR_fsync] = &call<&sys_fsync>;
    table[uapi::kNR_fdatasync] = &call<&sys_fsync>;
    table[uapi::kNR_sync] = &call<&sys_sync>;
    table[uapi::kNR_ftruncate] = &call<&sys_ftruncate>;
    table[uapi::kNR_fallocate] = &call<&sys_fallocate>;
    table[uapi::kNR_open] = &call<&sys_open>;
    table[uapi::kNR_openat] = &call<&sys_openat>;
    table[uapi::kNR_creat] = &call<&sys_creat>;
    table[uapi::kNR_close] = &call<&sys_close>;
    table[uapi::kNR_close_range] = &call<&sys_close_range>;
    table[uapi::kNR_dup] = &call<&sys_dup>;
    table[uapi::kNR_dup2] = &call<&sys_dup2>;
    table[uapi::kNR_dup3] = &call<&sys_dup3>;
    table[uapi::kNR_fcntl] = &call<&sys_fcntl>;
    table[uapi::kNR_newfstatat] = &call<&sys_newfstatat>;
    table[uapi::kNR_stat] = &call<&sys_stat>;
    table[uapi::kNR_lstat] = &call<&sys_lstat>;
    table[uapi::kNR_fstat] = &call<&sys_fstat>;
    table[uapi::kNR_statx] = &call<&sys_statx>;
    table[uapi::kNR_access] = &call<&sys_access>;
    table[uapi::kNR_faccessat] = &call<&sys_faccessat>;
    table[uapi::kNR_faccessat2] = &call<&sys_faccessat2>;
    table[uapi::kNR_mkdir] = &call<&sys_mkdir>;
    table[uapi::kNR_mkdirat] = &call<&sys_mkdirat>;
    table[uapi::kNR_mknod] = &call<&sys_mknod>;
    table[uapi::kNR_mknodat] = &call<&sys_mknodat>;
    table[uapi::kNR_unlink] = &call<&sys_unlink>;
    table[uapi::kNR_unlinkat] = &call<&sys_unlinkat>;
    table[uapi::kNR_rmdir] = &call<&sys_rmdir>;
    table[uapi::kNR_rename] = &call<&sys_rename>;
    table[uapi::kNR_renameat] = &call<&sys_renameat>;
    table[uapi::kNR_renameat2] = &call<&sys_renameat2>;
    table[uapi::kNR_link] = &call<&sys_link>;
    table[uapi::kNR_linkat] = &call<&sys_linkat>;
    table[uapi::kNR_symlink] = &call<&sys_symlink>;
    table[uapi::kNR_symlinkat] = &call<&sys_symlinkat>;
    table[uapi::kNR_readlink] = &call<&sys_readlink>;
    table[uapi::kNR_readlinkat] = &call<&sys_readlinkat>;
    table[uapi::kNR_chmod] = &call<&sys_chmod>;
    table[uapi::kNR_fchmod] = &call<&sys_fchmod>;
    table[uapi::kNR_fchmodat] = &call<&sys_fchmodat>;
    table[uapi::kNR_chown] = &call<&sys_chown>;
    table[uapi::kNR_lchown] = &call<&sys_lchown>;
    table[uapi::kNR_fchown] = &call<&sys_fchown>;
    table[uapi::kNR_fchownat] = &call<&sys_fchownat>;
    table[uapi::kNR_truncate] = &call<&sys_truncate>;
    table[uapi::kNR_utimensat] = &call<&sys_utimensat>;
    table[uapi::kNR_getcwd] = &call<&sys_getcwd>;
    table[uapi::kNR_chdir] = &call<&sys_chdir>;
    table[uapi::kNR_fchdir] = &call<&sys_fchdir>;
    table[uapi::kNR_chroot] = &call<&sys_chroot>;
    table[uapi::kNR_statfs] = &call<&sys_statfs>;
    table[uapi::kNR_fstatfs] = &call<&sys_fstatfs>;
    table[uapi::kNR_mount] = &call<&sys_mount>;
    table[uapi::kNR_umount2] = &call<&sys_umount2>;
}

}  // namespace sys
