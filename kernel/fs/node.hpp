// The VFS's objects (docs/fs.md "Objects"): inodes, the dentry tree, mounts,
// and a path (a mount plus a dentry in it), with their reference counts.
//
// - An Inode is a file: its type and attributes, and what its file system
//   does for it (data, a symlink's target, opening it). Reference counted:
//   every dentry naming it and every open file description holds one, so an
//   unlinked file lives on while it is open.
// - A Dentry is a name in a directory. The dentry tree is the namespace
//   (tmpfs keeps nothing else, as Linux's tmpfs lives in the dcache): a
//   directory's children are its dentries, in the order they were linked
//   (each gets a cookie, the getdents64 position). The tree holds one
//   reference on each linked dentry; a dentry holds its parent and its inode.
// - A Mount puts a file system's root over a dentry of another mount.
//
// The tree's shape (children lists, names, parents, which inode a dentry
// names, link counts, the mount list) is guarded by one namespace lock,
// taken for a path walk or one name operation and never across file I/O
// (docs/fs.md "Locking"); file data has per-inode locks.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_fs.hpp"
#include "kernel/sync/spinlock.hpp"
#include "lib/expected.hpp"
#include "lib/intrusive_list.hpp"
#include "lib/placement_new.hpp"
#include "lib/utility.hpp"
#include "lib/string_view.hpp"

namespace vm {
class Backing;
}

namespace fs {

class File;
class Dentry;
class Mount;
class FileSystem;

// Who asks: the process's file-system credentials (fsuid/fsgid) and its
// supplementary groups (setgroups(2); the process's own list, which the
// process layer keeps these pointing at).
struct Credentials {
    uint32_t uid = 0;
    uint32_t gid = 0;
    const uint32_t* groups = nullptr;
    uint32_t group_count = 0;
    // Root passes read/write permission checks and exec checks when any x
    // bit is set (capabilities(7): CAP_DAC_OVERRIDE).
    bool privileged() const { return uid == 0; }
    // Linux's in_group_p: the fs gid or one of the supplementary groups.
    bool in_group(uint32_t id) const {
        if (id == gid) return true;
        for (uint32_t i = 0; i < group_count; ++i)
            if (groups[i] == id) return true;
        return false;
    }
};

// The wall clock for timestamps (kernel: set at boot; host tests: their own).
uapi::Timespec current_time();
void set_time_source(uapi::Timespec (*now)());

// What may fail with ENOMEM in the VFS allocates through these (the kernel's
// operator new panics instead).
void* allocate(size_t size);
void release(void* pointer);
template <typename T, typename... Args>
T* make(Args&&... args);
template <typename T>
void unmake(T* object);

// Linux's access masks for permission(): MAY_EXEC, MAY_WRITE, MAY_READ.
inline constexpr uint32_t kMayExec = 1, kMayWrite = 2, kMayRead = 4;

struct Attributes {
    uint64_t ino = 0;
    uint32_t mode = 0;  // type | permissions
    uint32_t uid = 0, gid = 0;
    uint32_t nlink = 0;
    uint64_t size = 0;
    uint64_t rdev = 0;  // device nodes: uapi::make_dev(major, minor)
    uapi::Timespec atime{}, mtime{}, ctime{};
};

class Inode {
public:
    void retain() { __atomic_fetch_add(&references_, 1, __ATOMIC_RELAXED); }
    void release();

    FileSystem& file_system() const { return *fs_; }
    uint64_t ino() const { return ino_; }
    uint32_t mode() const { return __atomic_load_n(&mode_, __ATOMIC_RELAXED); }
    uint32_t type() const { return mode() & uapi::kS_IFMT; }
    bool is_directory() const { return type() == uapi::kS_IFDIR; }
    bool is_symlink() const { return type() == uapi::kS_IFLNK; }
    bool is_regular() const { return type() == uapi::kS_IFREG; }

    // A copy of the attributes (size and times under the inode's lock).
    Attributes attributes();
    uapi::Stat stat();
    // Link count changes happen under the namespace lock.
    uint32_t nlink() const { return nlink_; }
    void set_nlink(uint32_t n) { nlink_ = n; }

    // Linux's generic_permission (inode_permission without ACLs).
    lib::Expected<void> permission(const Credentials& who, uint32_t mask);

    // chmod/chown/utimensat's effect (rules checked by the caller).
    void set_mode_bits(uint32_t permissions);
    void set_owner(uint32_t uid, uint32_t gid);  // ~0u: leave
    void set_times(const uapi::Timespec* atime, const uapi::Timespec* mtime);  // nullptr: leave
    void touch_ctime();
    void touch_mtime_ctime();
    // A directory's st_size follows its entries (tmpfs: 20 bytes each).
    void adjust_size(int64_t delta) {
        ksync::Guard guard(attributes_lock_);
        size_ = uint64_t(int64_t(size_) + delta);
    }

    // ---- What the file system does (defaults: not this kind of file).
    // A regular file's data. `offset` is where; fewer bytes at the end.
    virtual lib::Expected<size_t> read(uint64_t offset, class IoBuffer& buffer, size_t count);
    // `append`: at the end (the offset written at comes back in *offset).
    virtual lib::Expected<size_t> write(uint64_t* offset, bool append, class IoBuffer& buffer, size_t count);
    virtual lib::Expected<void> truncate(uint64_t size);
    virtual lib::Expected<void> allocate_range(uint32_t mode, uint64_t offset, uint64_t length);
    // The page cache as vm sees it, for file-backed mappings (nullptr: not mappable).
    virtual vm::Backing* backing() { return nullptr; }
    // A symlink's target (immutable once made).
    virtual lib::StringView link_target() const { return {}; }
    // A FIFO's pipe while any end is open (pipe.cpp, under its FIFO lock).
    class Pipe* fifo_pipe = nullptr;

    // A new open file description for it (regular files, directories,
    // device nodes, FIFOs). `path` is how it was reached.
    virtual lib::Expected<File*> open(const class Path& path, uint32_t flags);

    // ---- Synthetic file systems (procfs, docs/fs.md "/proc").
    // A directory whose entries are made when asked for (Linux's
    // inode_operations::lookup for a directory not in the dcache): `name`
    // in it as a new dentry that is not linked into the tree (the caller's
    // reference; it goes when the last Path on it goes), or nullptr for
    // "no such entry". Under the namespace lock: nothing that sleeps.
    virtual Dentry* lookup(Dentry& directory, lib::StringView name) {
        (void)directory, (void)name;
        return nullptr;
    }
    // A "magic" symlink (/proc/<pid>/exe, cwd, fd/N): following it goes to
    // this place directly rather than through its text (Linux's
    // nd_jump_link); nullptr for an ordinary symlink.
    virtual const class Path* jump_target() const { return nullptr; }
    // The dentry last linked for this inode in its file system's tree
    // (Linux's d_find_alias, for naming a mapped file in /proc/<pid>/maps);
    // nullptr once that name is unlinked. Under the namespace lock.
    Dentry* alias() const { return alias_; }

protected:
    Inode(FileSystem& fs, uint32_t mode);
    virtual ~Inode();

    FileSystem* fs_;
    uint64_t ino_;
    uint32_t references_ = 1;
    uint32_t mode_;
    uint32_t uid_ = 0, gid_ = 0;
    uint32_t nlink_ = 0;
    uint64_t rdev_ = 0;
    ksync::SpinlockNoIrq attributes_lock_;  // size_, times
    uint64_t size_ = 0;
    uapi::Timespec atime_{}, mtime_{}, ctime_{};
    Dentry* alias_ = nullptr;  // not held: cleared when that dentry is unlinked

    friend class FileSystem;
    friend class Dentry;
    template <typename T>
    friend void unmake(T*);
};

class FileSystem {
public:
    const char* type_name() const { return type_name_; }
    uint64_t device() const { return device_; }
    int64_t magic() const { return magic_; }
    uint64_t next_ino() { return __atomic_add_fetch(&next_ino_, 1, __ATOMIC_RELAXED); }
    Dentry* root() const { return root_; }
    virtual uapi::Statfs statfs();
    // Inodes alive (for tests and statfs).
    uint64_t live_inodes() const { return __atomic_load_n(&live_inodes_, __ATOMIC_RELAXED); }

    // A file of this file system: a directory, symlink (`target`), regular
    // file or special file (rdev for device nodes). The caller links it.
    virtual lib::Expected<Inode*> make_inode(uint32_t mode, uint64_t rdev, lib::StringView target,
                                             const Credentials& owner) = 0;

protected:
    FileSystem(const char* type_name, int64_t magic);
    virtual ~FileSystem() = default;

    const char* type_name_;
    int64_t magic_;
    uint64_t device_;
    uint64_t next_ino_ = 1;
    uint64_t live_inodes_ = 0;
    Dentry* root_ = nullptr;

    friend class Inode;
};

struct ChildTag {};

class Dentry : public lib::ListNode<ChildTag> {
public:
    // A dentry named `name` under `parent` for `inode` (both retained by it),
    // not yet linked. nullptr when out of memory.
    static Dentry* make(Dentry* parent, lib::StringView name, Inode* inode);

    void retain() { __atomic_fetch_add(&references_, 1, __ATOMIC_RELAXED); }
    void release();

    lib::StringView name() const { return {name_, name_length_}; }
    Dentry* parent() const { return parent_; }
    Inode* inode() const { return inode_; }
    uint64_t cookie() const { return cookie_; }
    bool unlinked() const { return unlinked_; }
    bool is_mount_point() const { return mounts_ != 0; }

    // ---- Under the namespace lock.
    Dentry* child(lib::StringView name) const;
    // The first child whose cookie is >= `cookie` (getdents64's resume point).
    Dentry* child_from(uint64_t cookie) const;
    Dentry* next_child(const Dentry& child) const { return children_.next(child); }
    bool has_children() const { return !children_.empty(); }
    // Links `child` (made with this parent) as the newest entry: the tree
    // takes over the caller's reference.
    void link_child(Dentry* child);
    // Takes `child` out of the tree (it stays valid for those holding it);
    // returns the tree's reference to drop after the lock.
    Dentry* unlink_child(Dentry* child);
    // Renames in place: moves `child` under `new_parent` as `new_name`.
    lib::Expected<void> move_child(Dentry* child, Dentry* new_parent, lib::StringView new_name);

private:
    Dentry() = default;
    ~Dentry();
    template <typename T, typename... Args>
    friend T* make(Args&&... args);
    template <typename T>
    friend void unmake(T*);
    friend class Mount;

    uint32_t references_ = 1;
    uint32_t mounts_ = 0;
    char* name_ = nullptr;
    size_t name_length_ = 0;
    Dentry* parent_ = nullptr;
    Inode* inode_ = nullptr;
    uint64_t cookie_ = 0;
    uint64_t next_cookie_ = 3;  // 1 and 2 are "." and ".."
    bool unlinked_ = false;
    lib::IntrusiveList<Dentry, ChildTag> children_;
};

struct MountTag {};

// Mount flags (statfs's ST_* bits).
inline constexpr uint32_t kMountReadOnly = 0x1, kMountNoSuid = 0x2, kMountNoDev = 0x4, kMountNoExec = 0x8;

class Mount : public lib::ListNode<MountTag> {
public:
    void retain() { __atomic_fetch_add(&references_, 1, __ATOMIC_RELAXED); }
    void release();

    FileSystem& file_system() const { return *fs_; }
    Dentry* root() const { return root_; }
    Mount* parent() const { return parent_; }
    Dentry* mount_point() const { return mount_point_; }
    uint32_t flags() const { return flags_; }
    uint64_t id() const { return id_; }

    // The root mount (of the whole namespace).
    static lib::Expected<Mount*> make_root(FileSystem& fs, uint32_t flags);
    // Mounts `fs` over `where` (a directory). Under the namespace lock.
    static lib::Expected<Mount*> attach(FileSystem& fs, const class Path& where, uint32_t flags);
    // The mount on (`parent`, `mount_point`), the newest if stacked, or nullptr.
    static Mount* mounted_on(const Mount* parent, const Dentry* mount_point);
    // Every mount, oldest first (for /proc/mounts); under the namespace lock.
    static Mount* first();
    static Mount* next(const Mount& mount);
    // umount2: detaches a mount with nothing mounted under it.
    lib::Expected<void> detach();

private:
    Mount() = default;
    ~Mount() = default;
    template <typename T, typename... Args>
    friend T* make(Args&&... args);
    template <typename T>
    friend void unmake(T*);

    uint32_t references_ = 1;
    FileSystem* fs_ = nullptr;
    Dentry* root_ = nullptr;
    Mount* parent_ = nullptr;
    Dentry* mount_point_ = nullptr;
    uint32_t flags_ = 0;
    uint64_t id_ = 0;
};

// A place in the namespace: a mount and a dentry in it. `Path` holds a
// reference on both (copying retains, destruction releases).
class Path {
public:
    Path() = default;
    Path(Mount* mount, Dentry* dentry);  // retains both
    Path(const Path& other) : Path(other.mount_, other.dentry_) {}
    Path(Path&& other) : mount_(other.mount_), dentry_(other.dentry_) { other.mount_ = nullptr, other.dentry_ = nullptr; }
    Path& operator=(const Path& other);
    Path& operator=(Path&& other);
    ~Path() { reset(); }
    void reset();

    explicit operator bool() const { return dentry_ != nullptr; }
    Mount* mount() const { return mount_; }
    Dentry* dentry() const { return dentry_; }
    Inode* inode() const { return dentry_ ? dentry_->inode() : nullptr; }
    bool operator==(const Path& other) const { return mount_ == other.mount_ && dentry_ == other.dentry_; }

private:
    Mount* mount_ = nullptr;
    Dentry* dentry_ = nullptr;
};

// The namespace lock (see the top of this file).
using NamespaceLock = ksync::SpinlockNoIrq;
NamespaceLock& namespace_lock();

// ---- Allocation helpers' definitions.
template <typename T, typename... Args>
T* make(Args&&... args) {
    void* memory = allocate(sizeof(T));
    if (!memory) return nullptr;
    return new (memory) T(lib::forward<Args>(args)...);
}
template <typename T>
void unmake(T* object) {
    if (!object) return;
    object->~T();
    release(object);
}

// An Errno as an Error with a message, the VFS's way to fail.
inline lib::Error fail(lib::Errno code, const char* message) { return lib::Error::make(code, message); }

}  // namespace fs
