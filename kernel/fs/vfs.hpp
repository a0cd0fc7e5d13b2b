// The VFS's operations on names, as the file system calls need them
// (docs/fs.md "The API"). Each takes the caller's Context (root, cwd,
// umask, credentials), the directory a relative path starts from (the
// syscall layer turns a dirfd into it: AT_FDCWD is `context.cwd`, a
// descriptor its file's path) and a path already copied into the kernel
// (copy_path_from_user: EFAULT, ENAMETOOLONG, ENOENT for "").
//
// Resolution is Linux's path_lookupat/path_openat: "." and ".." (".." at
// the process's root stays there, at a mount's root it crosses to the
// mount point), mounts crossed downwards, symlinks followed (at most 40 in
// one resolution: ELOOP; the last component only when asked), search
// permission on each directory, ENAMETOOLONG for a component over 255
// bytes, ENOTDIR when a non-directory is walked through or a trailing "/"
// names one. Errno and their order follow Linux 6.1 (each case is compared
// with the host kernel in vfs_test.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/fs/file.hpp"
#include "kernel/fs/node.hpp"
#include "lib/expected.hpp"
#include "lib/string_view.hpp"

namespace fs {

// A process's view of the namespace (Linux's fs_struct plus fsuid/fsgid).
struct Context {
    Path root;
    Path cwd;
    uint32_t umask = 022;
    Credentials credentials;
};

// lookup() flags.
inline constexpr uint32_t kFollow = 1;      // follow a symlink in the last component
inline constexpr uint32_t kDirectory = 2;   // the result must be a directory (ENOTDIR)
inline constexpr uint32_t kEmptyPath = 4;   // "" names `start` itself (AT_EMPTY_PATH)

// Resolves `path` to a place.
lib::Expected<Path> lookup(const Context& context, const Path& start, lib::StringView path, uint32_t flags);

// open(2)/openat(2): flags as the user passed them (unknown bits ignored,
// O_CLOEXEC is the caller's), `mode` for O_CREAT. The new file description.
lib::Expected<FileRef> open(const Context& context, const Path& start, lib::StringView path, uint32_t flags,
                            uint32_t mode);
// Opens what `path` already names (AT_EMPTY_PATH-style reopening, exec).
lib::Expected<FileRef> open_path(const Context& context, const Path& path, uint32_t flags);

// mkdir(2), mknod(2) (S_IFREG or 0 makes a regular file; S_IFDIR: EPERM),
// symlink(2), link(2) (flags: AT_SYMLINK_FOLLOW, AT_EMPTY_PATH), unlink(2),
// rmdir(2), rename(2) (flags: RENAME_NOREPLACE, RENAME_EXCHANGE).
lib::Expected<void> make_directory(const Context& context, const Path& start, lib::StringView path, uint32_t mode);
lib::Expected<void> make_node(const Context& context, const Path& start, lib::StringView path, uint32_t mode,
                              uint64_t device);
lib::Expected<void> make_symlink(const Context& context, lib::StringView target, const Path& start,
                                 lib::StringView path);
lib::Expected<void> make_link(const Context& context, const Path& old_start, lib::StringView old_path,
                              const Path& new_start, lib::StringView new_path, uint32_t flags);
lib::Expected<void> unlink(const Context& context, const Path& start, lib::StringView path);
lib::Expected<void> remove_directory(const Context& context, const Path& start, lib::StringView path);
lib::Expected<void> rename(const Context& context, const Path& old_start, lib::StringView old_path,
                           const Path& new_start, lib::StringView new_path, uint32_t flags);

// readlink(2): up to `size` bytes of the target into `buffer` (no NUL);
// EINVAL when not a symlink (or size 0).
lib::Expected<size_t> read_link(const Context& context, const Path& start, lib::StringView path, char* buffer,
                                size_t size);

// stat(2) family: flags AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH (EINVAL for others).
lib::Expected<uapi::Stat> stat(const Context& context, const Path& start, lib::StringView path, uint32_t flags);
// statx's extra answers beyond stat: the mount id.
lib::Expected<uapi::Statx> statx(const Context& context, const Path& start, lib::StringView path, uint32_t flags,
                                 uint32_t mask);
uapi::Statx statx_of(const Path& path, uint32_t mask);
uapi::Statx statx_of(File& file, uint32_t mask);

// access(2)/faccessat2: `mode` R_OK|W_OK|X_OK or F_OK; flags
// AT_SYMLINK_NOFOLLOW, AT_EACCESS, AT_EMPTY_PATH.
lib::Expected<void> access(const Context& context, const Path& start, lib::StringView path, uint32_t mode,
                           uint32_t flags);

// chmod(2) family on a path (flags: AT_SYMLINK_NOFOLLOW → EOPNOTSUPP for a
// symlink, as Linux's fchmodat2), and on an inode (fchmod).
lib::Expected<void> change_mode(const Context& context, const Path& start, lib::StringView path, uint32_t mode,
                                uint32_t flags);
lib::Expected<void> change_mode(const Context& context, Inode& inode, uint32_t mode);
// chown(2) family; ~0u leaves a field.
lib::Expected<void> change_owner(const Context& context, const Path& start, lib::StringView path, uint32_t uid,
                                 uint32_t gid, uint32_t flags);
lib::Expected<void> change_owner(const Context& context, Inode& inode, uint32_t uid, uint32_t gid);
// truncate(2).
lib::Expected<void> truncate(const Context& context, const Path& start, lib::StringView path, int64_t length);
// utimensat(2): times[0] access, times[1] modification (nullptr: both now),
// with UTIME_NOW/UTIME_OMIT; an empty path with no flags means `start` itself
// (futimens).
lib::Expected<void> set_times(const Context& context, const Path& start, lib::StringView path,
                              const uapi::Timespec* times, uint32_t flags);
lib::Expected<void> set_times(const Context& context, Inode& inode, const uapi::Timespec* times);

// chdir(2)/fchdir(2)/chroot(2): `context.cwd`/`root` become the directory.
lib::Expected<void> change_directory(Context& context, const Path& start, lib::StringView path);
lib::Expected<void> change_directory(Context& context, const Path& directory);
lib::Expected<void> change_root(Context& context, const Path& start, lib::StringView path);

// getcwd(2): the absolute name of `context.cwd` with its NUL into `buffer`;
// ERANGE when it does not fit, ENOENT when the directory was removed; a
// directory outside the root is "(unreachable)" + its name.
lib::Expected<size_t> current_directory(const Context& context, char* buffer, size_t size);
// The name of `path` as seen from `root` (for /proc/<pid>/fd, exe, cwd):
// " (deleted)" appended for an unlinked file. Returns the length; ENAMETOOLONG
// when it does not fit.
lib::Expected<size_t> path_name(const Path& root, const Path& path, char* buffer, size_t size);
// The absolute name of a file by its inode (its alias in the first mount
// of its file system: /proc/<pid>/maps's name of a mapped file), at most
// `size` bytes; 0 when it has no linked name (unlinked).
size_t inode_name(const Inode& inode, char* buffer, size_t size);

// statfs(2) of the file system holding `path`.
uapi::Statfs statfs(const Path& path);
// fstatfs(2) of an open file (a pipe or eventfd has no path: its inode's
// file system).
uapi::Statfs statfs(const File& file);

// mount(2) of a new file system over a directory (ENOTDIR, EBUSY when it is
// already a mount root used so); umount2(2) of the mount rooted at `path`
// (EINVAL when `path` is not a mount's root).
lib::Expected<void> mount(const Context& context, FileSystem& fs, const Path& start, lib::StringView path,
                          uint32_t flags);
lib::Expected<void> unmount(const Context& context, const Path& start, lib::StringView path);

// A Context at the namespace's root (the first process's, and tests').
lib::Expected<Context> root_context();
// The root mount (set once at boot by set_root_mount).
void set_root_mount(Mount* mount);
Mount* root_mount();

}  // namespace fs
